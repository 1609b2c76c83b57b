"""A Redis cache that keeps the server answering while Redis is unreachable.

Rate limits live in Django's cache so that every worker shares them. If Redis goes away, each
operation falls back to this process's memory for a few seconds at a time (limits then hold per
process, not per deployment), a warning says so in the log, and Redis is used again as soon as it
answers.

Django makes a cache object per thread and per ASGI request context, and each would build its own
redis-py client with its own connection pool: a new Redis connection for every request. The client
here is the process's, shared by all of them (redis-py's pools are thread-safe)."""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
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


class FailoverRedisCache(RedisCache):
    # Django makes one cache object per thread; the fallback store and the outage clock must be
    # the process's, shared by all of them (LocMemCache shares its store by name).
    _down_until: dict[str, float] = {}
    _clients: dict[tuple, object] = {}  # (servers, options) → the process's one client
    _clients_lock = threading.Lock()

    def __init__(self, server, params):
        super().__init__(server, params)
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

    def _call(self, name: str, *args, **kwargs):
        down_until = self._down_until.get(self._site, 0.0)
        if time.monotonic() >= down_until:
            try:
                result = getattr(super(), name)(*args, **kwargs)
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
        return getattr(self._local, name)(*args, **kwargs)


def _delegate(name: str):
    def operation(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    operation.__name__ = name
    return operation


for _name in OPERATIONS:
    setattr(FailoverRedisCache, _name, _delegate(_name))
