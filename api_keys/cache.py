"""A Redis cache that keeps the server answering while Redis is unreachable.

Rate limits live in Django's cache so that every worker shares them. If Redis goes away, each
operation falls back to this process's memory for a few seconds at a time (limits then hold per
process, not per deployment), a warning says so in the log, and Redis is used again as soon as it
answers."""

import logging
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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(
            f"lawbot-failover-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)}
        )
        self._down_until = 0.0

    def _call(self, name: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                if self._down_until == 0.0 or time.monotonic() >= self._down_until:
                    logger.warning(
                        "Redis is unavailable (%s): rate limits now hold per process until it returns",
                        exc,
                    )
                self._down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._local, name)(*args, **kwargs)


def _delegate(name: str):
    def operation(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    operation.__name__ = name
    return operation


for _name in OPERATIONS:
    setattr(FailoverRedisCache, _name, _delegate(_name))
