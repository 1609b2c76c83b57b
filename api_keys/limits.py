"""Per-key limits, enforced before any work is done and shared by every worker through the cache
(process memory in one worker, Redis when REDIS_URL is set).

- Requests per minute: a fixed window per clock minute, one counter per key and minute. Simple
  and cheap; a burst straddling two minutes can reach twice the limit, which is the usual price
  of fixed windows.
- Tokens per day: a counter per key, limit and local day (TIME_ZONE), seeded from the request log
  when the cache has none (after a restart, or when the limit was just set or changed) and
  increased by each finished request's prompt + completion tokens. A request starts while the
  day's total is under the limit, so the last one may overshoot it. A key without a limit is not
  counted (trips to the cache for nothing): a limit set later is seeded from the log, except one
  set again, to the value it had, on the day it was removed, which finds its counter of before.
- Concurrent requests: one set of the key's requests in flight, each with its expiry; a request
  is admitted while fewer than `max_concurrent` unexpired ones are in it, and taken out when it
  ends however it ends. An entry lives `LAWBOT_SLOT_SECONDS` and is refreshed while its stream
  flows, so the slot of a crashed worker frees itself. The check costs the same whatever the limit.

Each phase of a request is one trip to the cache: admitting it (the three checks and taking its
slot, together, so that no other request runs in between) and releasing it (the slot back and
its tokens added); its prompt's tokens, counted when its row is written, are one more. On Redis
each is a Lua script (one round trip, atomic on the server, its expiries by Redis's clock);
in process memory, and on the fail-over cache's memory while Redis is away, it is the same steps
under a lock, in the event loop itself.
"""

import contextlib
import math
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Sum
from django.utils import timezone
from redis import Redis
from redis.commands.core import Script

from api_keys.models import ApiKey, RequestLog
from lawbot_site.cache import FailoverRedisCache


class LimitRefused(Exception):
    """The key may not make this request now (403 or 429); the API shows it as its error."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}


def _seconds_to_next_minute(now: float) -> float:
    return 60 - now % 60


def _seconds_to_midnight(now: datetime) -> float:
    local = timezone.localtime(now)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds()


def _retry_after(seconds: float) -> dict[str, str]:
    # retry-after-ms is what the OpenAI SDKs read first; Retry-After is the standard.
    return {
        "Retry-After": str(max(1, math.ceil(seconds))),
        "retry-after-ms": str(round(seconds * 1000)),
    }


def rate_limited(message: str, seconds: float, *, retry: bool = True) -> LimitRefused:
    headers = _retry_after(seconds)
    if not retry:
        headers["x-should-retry"] = "false"
    return LimitRefused(429, message, code="rate_limit_exceeded", headers=headers)


def _tokens_key(api_key: ApiKey, day) -> str:
    return f"lawbot:tpd:{api_key.pk}:{api_key.tpd_limit}:{day.isoformat()}"


async def tokens_used_today(api_key: ApiKey) -> int:
    day = timezone.localdate()
    key = _tokens_key(api_key, day)
    used = await cache.aget(key)
    if used is None:
        totals = await RequestLog.objects.filter(api_key=api_key, day=day).aaggregate(
            tokens=Sum(F("prompt_tokens") + F("completion_tokens"))
        )
        # add, not set: another worker may have seeded it (and counted more) meanwhile.
        await cache.aadd(key, totals["tokens"] or 0, timeout=2 * 86400)
        used = await cache.aget(key, totals["tokens"] or 0)
    return used


# What admitting a request found: admitted, or the first limit it would exceed, or no token
# counter for today yet (it is seeded from the log and the request admitted again).
ADMITTED, SEED, OVER_TOKENS, OVER_CONCURRENCY, OVER_RPM = "ok", "seed", "tpd", "concurrent", "rpm"
RPM_SECONDS = 120  # a minute's counter outlives its minute

# KEYS: the day's token counter, the set in flight, the minute's request counter.
# ARGV: tpd limit, max concurrent, rpm limit (0: none), request id, slot seconds, RPM_SECONDS.
_ADMIT = """
local tpd, slots, rpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if tpd > 0 then
  local used = redis.call('GET', KEYS[1])
  if not used then return 'seed' end
  if tonumber(used) >= tpd then return 'tpd' end
end
if slots > 0 then
  local clock = redis.call('TIME')
  local now = clock[1] + clock[2] / 1e6
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= slots then return 'concurrent' end
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[4])
  redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[5]) * 1000))
end
if rpm > 0 then
  local count = redis.call('INCR', KEYS[3])
  if count == 1 then redis.call('EXPIRE', KEYS[3], ARGV[6]) end
  if count > rpm then
    if slots > 0 then redis.call('ZREM', KEYS[2], ARGV[4]) end
    return 'rpm'
  end
end
return 'ok'
"""

# KEYS: the set in flight, the day's token counter. ARGV: request id ('' holds no slot), tokens.
# A counter not there yet is left alone: the next check seeds it from the log, these included.
_RELEASE = """
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
local tokens = tonumber(ARGV[2])
if tokens ~= 0 and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCRBY', KEYS[2], tokens) end
return 1
"""

# KEYS: the set in flight. ARGV: request id, slot seconds. XX: a slot already freed (or expired)
# is not taken again; the set's own expiry only bounds how long expired entries linger.
_REFRESH = """
local clock = redis.call('TIME')
local seconds = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', clock[1] + clock[2] / 1e6 + seconds, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(seconds * 1000))
return 1
"""

_scripts: dict[str, Script] = {}
_memory_lock = threading.Lock()  # the memory steps of one phase, as one
clock = time.time  # the memory store's clock for slot expiries (Redis uses its own)


@dataclass(frozen=True)
class _Keys:
    tokens: str
    in_flight: str
    rpm: str


def _keys(api_key: ApiKey, now: float) -> _Keys:
    return _Keys(
        tokens=_tokens_key(api_key, timezone.localdate()),
        in_flight=f"lawbot:inflight:{api_key.pk}",
        rpm=f"lawbot:rpm:{api_key.pk}:{int(now // 60)}",
    )


def _script(name: str, source: str, client: Redis) -> Script:
    # Registered once per process: each call is then an EVALSHA (redis-py sends the source
    # again by itself after a Redis restart has forgotten it).
    script = _scripts.get(name)
    if script is None:
        script = _scripts.setdefault(name, client.register_script(source))
    return script


async def _run(on_redis, on_memory):
    """One phase: on Redis (one round trip from a thread, falling back to the fail-over cache's
    memory while Redis is away), or on the process memory cache in the event loop itself (a
    few dictionary steps under a lock: cheaper than a trip to a thread)."""
    backend = caches["default"]
    if isinstance(backend, FailoverRedisCache):

        def redis_phase():
            client = backend.redis_client()
            return on_redis(client, backend.make_and_validate_key)

        def memory_phase(store: LocMemCache):
            with _memory_lock:
                return on_memory(store)

        return await sync_to_async(backend.failover, thread_sensitive=False)(
            redis_phase, memory_phase
        )
    if not isinstance(backend, LocMemCache):
        raise ImproperlyConfigured("the limits need the Redis or the process memory cache")
    with _memory_lock:
        return on_memory(backend)


async def _admit(api_key: ApiKey, request_id: str, *, tpd_limit: int) -> str:
    keys = _keys(api_key, time.time())
    slot_seconds = settings.LAWBOT_SLOT_SECONDS

    def on_redis(client: Redis, full_key) -> str:
        result = _script("admit", _ADMIT, client)(
            keys=[full_key(keys.tokens), full_key(keys.in_flight), full_key(keys.rpm)],
            args=[
                tpd_limit,
                api_key.max_concurrent or 0,
                api_key.rpm_limit or 0,
                request_id,
                slot_seconds,
                RPM_SECONDS,
            ],
            client=client,
        )
        return result.decode() if isinstance(result, bytes) else result

    def on_memory(store: LocMemCache) -> str:
        if tpd_limit:
            used = store.get(keys.tokens)
            if used is None:
                return SEED
            if used >= tpd_limit:
                return OVER_TOKENS
        if api_key.max_concurrent:
            now = clock()
            flights = _in_flight(store, keys.in_flight, now)
            if len(flights) >= api_key.max_concurrent:
                return OVER_CONCURRENCY
            flights[request_id] = now + slot_seconds
            store.set(keys.in_flight, flights, timeout=slot_seconds)
        if api_key.rpm_limit:
            store.add(keys.rpm, 0, timeout=RPM_SECONDS)
            try:
                count = store.incr(keys.rpm)
            except ValueError:  # expired between add and incr: a new window
                store.set(keys.rpm, 1, timeout=RPM_SECONDS)
                count = 1
            if count > api_key.rpm_limit:
                if api_key.max_concurrent:
                    _leave(store, keys.in_flight, request_id)
                return OVER_RPM
        return ADMITTED

    return await _run(on_redis, on_memory)


def _in_flight(store: LocMemCache, key: str, now: float) -> dict[str, float]:
    """The key's unexpired requests in flight: request id → expiry."""
    return {rid: until for rid, until in (store.get(key) or {}).items() if until > now}


def _leave(store: LocMemCache, key: str, request_id: str) -> None:
    flights = _in_flight(store, key, clock())
    if flights.pop(request_id, None) is not None:
        store.set(key, flights, timeout=settings.LAWBOT_SLOT_SECONDS)


def _add_tokens(store: LocMemCache, key: str, tokens: int) -> None:
    if tokens:
        with contextlib.suppress(ValueError):  # no counter yet: see _RELEASE
            store.incr(key, tokens)


@dataclass
class Lease:
    """What one request holds: a concurrency slot (if the key has a limit) until it ends."""

    api_key: ApiKey
    request_id: str = ""
    holds_slot: bool = False
    released: bool = False
    refreshed: float = field(default_factory=time.monotonic)
    counted: int = 0  # tokens already added to the day's counter

    async def count(self, tokens: int) -> None:
        """Adds tokens to the day's counter now (the prompt's, when the request's row is
        written at its start: a crash then cannot take them off the budget)."""
        await self._settle(tokens, free_slot=False)
        self.counted += tokens

    async def release(self, *, tokens: int = 0) -> None:
        """Frees the slot; `tokens` is the request's total, of which the uncounted rest is added."""
        if self.released:
            return
        self.released = True
        await self._settle(tokens - self.counted, free_slot=self.holds_slot)

    async def _settle(self, tokens: int, *, free_slot: bool) -> None:
        tokens = tokens if self.api_key.tpd_limit else 0
        if not tokens and not free_slot:
            return  # nothing to tell the cache
        keys = _keys(self.api_key, time.time())
        request_id = self.request_id if free_slot else ""

        def on_redis(client: Redis, full_key) -> None:
            _script("release", _RELEASE, client)(
                keys=[full_key(keys.in_flight), full_key(keys.tokens)],
                args=[request_id, tokens],
                client=client,
            )

        def on_memory(store: LocMemCache) -> None:
            if request_id:
                _leave(store, keys.in_flight, request_id)
            _add_tokens(store, keys.tokens, tokens)

        await _run(on_redis, on_memory)

    async def hold(self, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Passes a stream through, keeping the slot alive while it flows."""
        ttl = settings.LAWBOT_SLOT_SECONDS
        async with contextlib.aclosing(stream) as chunks:  # closed with us, not left to the GC
            async for chunk in chunks:
                if self.holds_slot and time.monotonic() - self.refreshed > ttl / 4:
                    self.refreshed = time.monotonic()
                    await self._refresh(ttl)
                yield chunk

    async def _refresh(self, ttl: float) -> None:
        key = _keys(self.api_key, time.time()).in_flight

        def on_redis(client: Redis, full_key) -> None:
            _script("refresh", _REFRESH, client)(
                keys=[full_key(key)], args=[self.request_id, ttl], client=client
            )

        def on_memory(store: LocMemCache) -> None:
            now = clock()
            flights = _in_flight(store, key, now)
            if self.request_id in flights:
                flights[self.request_id] = now + ttl
                store.set(key, flights, timeout=ttl)

        await _run(on_redis, on_memory)


async def limits_acquire(*, api_key: ApiKey, model: str | None, request_id: str) -> Lease:
    """Checks the key's model list (model None: a request that uses no model, such as the REST
    resources over the corpus) and limits; raises LimitRefused for the first one exceeded."""
    if model is not None and not api_key.allows_model(model):
        raise LimitRefused(
            403,
            f"This API key may not use the model '{model}'.",
            code="model_not_allowed",
            param="model",
        )
    if not (api_key.tpd_limit or api_key.max_concurrent or api_key.rpm_limit):
        return Lease(api_key, request_id)
    found = await _admit(api_key, request_id, tpd_limit=api_key.tpd_limit or 0)
    if found == SEED:  # the day's first request (or the limit's): seeded, then checked here
        if await tokens_used_today(api_key) >= api_key.tpd_limit:
            found = OVER_TOKENS
        else:
            found = await _admit(api_key, request_id, tpd_limit=0)
    if found == OVER_TOKENS:
        # Retrying before the next day is pointless: tell the SDKs not to.
        raise rate_limited(
            f"This API key has used its {api_key.tpd_limit} tokens for today; "
            "the budget resets at midnight (server time).",
            _seconds_to_midnight(timezone.now()),
            retry=False,
        )
    if found == OVER_CONCURRENCY:
        raise LimitRefused(
            429,
            f"This API key already has {api_key.max_concurrent} requests in progress, "
            "its limit; wait for one to finish.",
            code="concurrency_limit_exceeded",
            headers={"x-should-retry": "false"},
        )
    if found == OVER_RPM:
        raise rate_limited(
            f"This API key is limited to {api_key.rpm_limit} requests per minute.",
            _seconds_to_next_minute(time.time()),
        )
    return Lease(api_key, request_id, holds_slot=bool(api_key.max_concurrent))
