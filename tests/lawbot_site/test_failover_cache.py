import logging

import pytest

from lawbot_site.cache import FailoverRedisCache
from tests.e2e.tcp_proxy import TcpProxy


@pytest.fixture
def redis_behind_proxy():
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it)")
    proxy = TcpProxy(6379)
    proxy.start()
    cache = FailoverRedisCache(
        f"redis://127.0.0.1:{proxy.port}/0",
        {
            "KEY_PREFIX": "failover-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    )
    cache.clear()
    yield cache, proxy
    proxy.stop()


def test_counters_fall_back_to_process_memory_and_return_to_redis(
    redis_behind_proxy, caplog, monkeypatch
):
    cache, proxy = redis_behind_proxy
    cache.add("hits", 0)
    assert cache.incr("hits") == 1

    proxy.stop()
    with caplog.at_level(logging.WARNING, logger="lawbot_site.cache"):
        cache.add("hits", 0)  # Redis gone: process memory answers, counting afresh
        assert cache.incr("hits") == 1
        assert cache.incr("hits") == 2
    assert "Redis is unavailable" in caplog.text

    proxy.start()
    monkeypatch.setattr("lawbot_site.cache.RETRY_SECONDS", 0)
    cache._down_until.clear()
    assert cache.incr("hits") == 2  # Redis's own count, which it kept


@pytest.mark.asyncio
async def test_async_operations_fall_back_too(redis_behind_proxy):
    cache, proxy = redis_behind_proxy
    proxy.stop()
    assert await cache.aadd("k", 1) is True
    assert await cache.aget("k") == 1


def test_every_cache_object_of_the_process_shares_one_redis_client():
    """Django makes a cache object per thread and per ASGI request context; each used to build
    its own client and pool, so every request opened a new Redis connection."""
    import asyncio

    from django.core.cache import caches

    params = {"KEY_PREFIX": "shared-test", "OPTIONS": {"socket_connect_timeout": 1}}
    first = FailoverRedisCache("redis://127.0.0.1:6379/0", params)
    second = FailoverRedisCache("redis://127.0.0.1:6379/0", params)
    assert first is not second and first._cache is second._cache
    other = FailoverRedisCache("redis://127.0.0.1:6379/1", params)
    assert other._cache is not first._cache

    async def in_a_request_context():
        return caches["default"]

    objects = [asyncio.run(in_a_request_context()) for _ in range(2)]  # a context each
    if isinstance(objects[0], FailoverRedisCache):  # the PostgreSQL + Redis run
        assert objects[0]._cache is objects[1]._cache


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it)")


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_async_increments_made_at_once_all_count(backend):
    """Django's own aincr was a get and a set: twenty requests counted at once all read 0 and
    wrote 1, so a limit of 10 requests a minute let all twenty through."""
    import asyncio

    from lawbot_site.cache import ProcessMemoryCache

    if backend == "redis":
        _redis_or_skip()
        cache = FailoverRedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": "atomic-test"})
    else:
        cache = ProcessMemoryCache("atomic-test", {})
    await cache.adelete("count")
    await cache.aadd("count", 0)
    await asyncio.gather(*(cache.aincr("count") for _ in range(20)))
    assert await cache.aget("count") == 20
    await asyncio.gather(*(cache.adecr("count", 2) for _ in range(5)))
    assert await cache.aget("count") == 10
    with pytest.raises(ValueError):
        await cache.aincr("never-set")


def test_one_redis_object_sends_every_command():
    """Django built a redis.Redis (and its table of ~200 response callbacks) per operation."""
    _redis_or_skip()
    cache = FailoverRedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": "one-redis-test"})
    cache.set("k", 1)
    assert cache._cache.get_client("k") is cache._cache.get_client("k", write=True)
    assert cache.get("k") == 1
