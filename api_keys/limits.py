"""Per-key limits, enforced before any work is done and shared by every worker through Django's
cache (local memory in one process, Redis when REDIS_URL is set).

- Requests per minute: a fixed window per clock minute, one counter per key and minute
  (`cache.add` then the atomic `cache.incr`). Simple and cheap; a burst straddling two minutes can
  reach twice the limit, which is the usual price of fixed windows.
- Tokens per day: a counter per key, limit and local day (TIME_ZONE), seeded from the request log
  when the cache has none (after a restart, or when the limit was just set or changed) and
  increased by each finished request's prompt + completion tokens. A request starts while the
  day's total is under the limit, so the last one may overshoot it. A key without a limit is not
  counted (two trips to the cache a request, for nothing): a limit set later is seeded from the
  log, except one set again, to the value it had, on the day it was removed, which finds its
  counter of before that.
- Concurrent requests: `max_concurrent` slot keys per key, each taken with the atomic `cache.add`
  and deleted when the request ends however it ends. A slot lives `LAWBOT_SLOT_SECONDS` and is
  refreshed while its stream flows, so the slot of a crashed worker frees itself.
"""

import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Sum
from django.utils import timezone

from api_keys.models import ApiKey, RequestLog


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


@dataclass
class Lease:
    """What one request holds: a concurrency slot (if the key has a limit) until it ends."""

    api_key: ApiKey
    slot: str | None = None
    released: bool = False
    refreshed: float = field(default_factory=time.monotonic)
    counted: int = 0  # tokens already added to the day's counter

    async def count(self, tokens: int) -> None:
        """Adds tokens to the day's counter now (the prompt's, when the request's row is
        written at its start: a crash then cannot take them off the budget)."""
        await self._add(tokens)
        self.counted += tokens

    async def release(self, *, tokens: int = 0) -> None:
        """Frees the slot; `tokens` is the request's total, of which the uncounted rest is added."""
        if self.released:
            return
        self.released = True
        if self.slot:
            await cache.adelete(self.slot)
        await self._add(tokens - self.counted)

    async def _add(self, tokens: int) -> None:
        # Without a counter yet, the next check seeds it from the log, this request included.
        if tokens and self.api_key.tpd_limit:
            with contextlib.suppress(ValueError):
                await cache.aincr(_tokens_key(self.api_key, timezone.localdate()), tokens)

    async def hold(self, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Passes a stream through, keeping the slot alive while it flows."""
        ttl = settings.LAWBOT_SLOT_SECONDS
        async with contextlib.aclosing(stream) as chunks:  # closed with us, not left to the GC
            async for chunk in chunks:
                if self.slot and time.monotonic() - self.refreshed > ttl / 4:
                    self.refreshed = time.monotonic()
                    await cache.atouch(self.slot, ttl)
                yield chunk


async def _take_slot(api_key: ApiKey, request_id: str) -> str | None:
    slots = [f"lawbot:slot:{api_key.pk}:{i}" for i in range(api_key.max_concurrent)]
    taken = await cache.aget_many(slots)
    for slot in slots:
        if slot not in taken and await cache.aadd(
            slot, request_id, timeout=settings.LAWBOT_SLOT_SECONDS
        ):
            return slot
    return None


async def _count_request(api_key: ApiKey, now: float) -> int:
    key = f"lawbot:rpm:{api_key.pk}:{int(now // 60)}"
    await cache.aadd(key, 0, timeout=120)
    try:
        return await cache.aincr(key)
    except ValueError:  # expired between add and incr: a new window
        await cache.aset(key, 1, timeout=120)
        return 1


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
    if api_key.tpd_limit and await tokens_used_today(api_key) >= api_key.tpd_limit:
        # Retrying before the next day is pointless: tell the SDKs not to.
        raise rate_limited(
            f"This API key has used its {api_key.tpd_limit} tokens for today; "
            "the budget resets at midnight (server time).",
            _seconds_to_midnight(timezone.now()),
            retry=False,
        )
    lease = Lease(api_key)
    if api_key.max_concurrent:
        lease.slot = await _take_slot(api_key, request_id)
        if lease.slot is None:
            raise LimitRefused(
                429,
                f"This API key already has {api_key.max_concurrent} requests in progress, "
                "its limit; wait for one to finish.",
                code="concurrency_limit_exceeded",
                headers={"x-should-retry": "false"},
            )
    if api_key.rpm_limit:
        now = time.time()
        if await _count_request(api_key, now) > api_key.rpm_limit:
            await lease.release()
            raise rate_limited(
                f"This API key is limited to {api_key.rpm_limit} requests per minute.",
                _seconds_to_next_minute(now),
            )
    return lease
