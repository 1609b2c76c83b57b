"""The cache backends: a Redis cache that keeps the server answering while Redis is unreachable,
and process memory when there is no Redis; both with counters that count every increment.

Rate limits live in Django's cache so that every worker shares them. If Redis goes away, each
operation falls back to this process's memory for a few seconds at a time (limits then hold per
process, not per deployment), a warning says so in the log, and Redis is used again as soon as it
answers.

Django makes a cache object per thread and per ASGI request context, and each would build its own
redis-py client with its own connection pool: a new Redis connection for every request. The client
here is the process's, shared by all of them (redis-py's pools are thread-safe), and so is the
redis.Redis it sends commands with (Django's builds one per operation).

Django's async increment (BaseCache.aincr, which neither of its Redis and memory backends
overrides) is a get and then a set, two trips to the sync thread with other requests running in
between: two requests counted at once both wrote the same value, and the rate limits let more
through than their limit. Here it is the backend's own increment (Redis INCRBY; the memory
cache's under its lock) in one trip."""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_SECONDS = 5.0
# BaseCache's async methods call these, so covering them covers aget/aadd/aincr… too.
OPERATIONS = [
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "incr",
    "decr",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "clear",
]


class AtomicCounters:
    """aincr/adecr as one call of the backend's atomic incr/decr (see the module docstring)."""

    async def aincr(self, key, delta=1, version=None):
        return await sync_to_async(self.incr, thread_sensitive=True)(key, delta, version)

    async def adecr(self, key, delta=1, version=None):
        return await sync_to_async(self.decr, thread_sensitive=True)(key, delta, version)


class ProcessMemoryCache(AtomicCounters, LocMemCache):
    """This process's memory, when there is no Redis (one worker)."""


class OneRedisPerPool(RedisCacheClient):
    """Django's client builds a redis.Redis for every operation, and its constructor fills a
    table of some 200 response callbacks: a third of a cache call's CPU. A redis.Redis holds no
    connection (each command takes one from the pool and gives it back) and threads may share it,
    so one per pool serves every operation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._redis: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._redis.get(id(pool))
        if client is None:
            client = self._redis.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class FailoverRedisCache(AtomicCounters, RedisCache):
    # Django makes one cache object per thread; the fallback store and the outage clock must be
    # the process's, shared by all of them (LocMemCache shares its store by name).
    _down_until: dict[str, float] = {}
    _clients: dict[tuple, object] = {}  # (servers, options) → the process's one client
    _clients_lock = threading.Lock()

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneRedisPerPool
        self._site = f"{server}|{params.get('KEY_PREFIX', '')}"
        timeout = {"TIMEOUT": params.get("TIMEOUT", 300)}
        self._local = LocMemCache(f"lawbot-failover-{self._site}", timeout)

    @property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        client = self._clients.get(key)
        if client is None:
            with self._clients_lock:
                client = self._clients.setdefault(key, self._class(self._servers, **self._options))
        return client

    def redis_client(self) -> Redis:
        """The process's redis.Redis, for what the cache API cannot say in one call (the
        limits' scripts); use it inside `failover`."""
        return self._cache.get_client(write=True)

    def failover(self, on_redis: Callable[[], T], on_local: Callable[[LocMemCache], T]) -> T:
        """Runs `on_redis`, or `on_local` with this process's fallback store while Redis is
        unreachable: every operation on this cache goes through here."""
        down_until = self._down_until.get(self._site, 0.0)
        if time.monotonic() >= down_until:
            try:
                result = on_redis()
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                if down_until == 0.0:
                    logger.warning(
                        "Redis is unavailable (%s): rate limits now hold per process until it "
                        "returns",
                        exc,
                    )
                self._down_until[self._site] = time.monotonic() + RETRY_SECONDS
            else:
                if down_until:
                    logger.warning("Redis is back: rate limits are shared by every worker again")
                    self._down_until.pop(self._site, None)
                return result
        return on_local(self._local)

    def _call(self, name: str, *args, **kwargs):
        return self.failover(
            lambda: getattr(super(FailoverRedisCache, self), name)(*args, **kwargs),
            lambda local: getattr(local, name)(*args, **kwargs),
        )


def _delegate(name: str):
    def operation(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    operation.__name__ = name
    return operation


for _name in OPERATIONS:
    setattr(FailoverRedisCache, _name, _delegate(_name))
