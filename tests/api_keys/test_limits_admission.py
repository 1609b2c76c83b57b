"""Admitting and releasing a request (api_keys.limits) on whichever cache the run has: process
memory (SQLite runs) or Redis (REDIS_URL set): atomic, one trip a phase, crashed slots expiring,
and limits that degrade to process memory while Redis is away."""

import asyncio
import time

import pytest
import redis
from asgiref.sync import sync_to_async
from django.core.cache import caches

import api_keys.limits as limits
from api_keys.limits import LimitRefused, limits_acquire
from api_keys.services import api_key_create
from lawbot_site.cache import FailoverRedisCache
from tests.api_client import KeyClient, body, post
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def make_key(owner):
    async def make(**limits_):
        return (await sync_to_async(api_key_create)(user=owner, name="limited", **limits_)).api_key

    return make


async def acquire(api_key, request_id: str):
    return await limits_acquire(api_key=api_key, model="lawbot-lite", request_id=request_id)


def expire_in_flight(api_key, monkeypatch, settings) -> None:
    """What time does to a crashed worker's requests: their entries pass their expiry."""
    backend = caches["default"]
    key = f"lawbot:inflight:{api_key.pk}"
    if isinstance(backend, FailoverRedisCache):
        client, full = backend.redis_client(), backend.make_and_validate_key(key)
        client.zadd(full, {member: 0 for member in client.zrange(full, 0, -1)}, xx=True)
    else:
        later = time.time() + settings.LAWBOT_SLOT_SECONDS + 1
        monkeypatch.setattr(limits, "clock", lambda: later)


async def test_admissions_made_at_once_take_exactly_the_limit(make_key):
    api_key = await make_key(max_concurrent=5, rpm_limit=1000)
    results = await asyncio.gather(
        *(acquire(api_key, f"req_{i}") for i in range(20)), return_exceptions=True
    )
    leases = [result for result in results if not isinstance(result, Exception)]
    refused = [result for result in results if isinstance(result, LimitRefused)]
    assert len(leases) == 5 and len(refused) == 15
    assert {failure.code for failure in refused} == {"concurrency_limit_exceeded"}
    await asyncio.gather(*(lease.release() for lease in leases))
    again = await asyncio.gather(
        *(acquire(api_key, f"again_{i}") for i in range(6)), return_exceptions=True
    )
    assert sum(not isinstance(result, Exception) for result in again) == 5


async def test_a_crashed_worker_s_slot_frees_itself_when_it_expires(
    make_key, monkeypatch, settings
):
    api_key = await make_key(max_concurrent=2)
    await acquire(api_key, "req_crashed_1")  # never released: its worker died
    await acquire(api_key, "req_crashed_2")
    with pytest.raises(LimitRefused):
        await acquire(api_key, "req_waiting")
    expire_in_flight(api_key, monkeypatch, settings)
    lease = await acquire(api_key, "req_after")
    assert lease.holds_slot
    await acquire(api_key, "req_after_2")  # both expired slots are free
    with pytest.raises(LimitRefused):
        await acquire(api_key, "req_third")


async def test_a_request_refused_by_its_rpm_limit_holds_no_slot(make_key):
    api_key = await make_key(max_concurrent=1, rpm_limit=1)
    await (await acquire(api_key, "req_1")).release()
    for request_id in ("req_2", "req_3"):
        with pytest.raises(LimitRefused) as refused:
            await acquire(api_key, request_id)
        # Not the concurrency limit: the refused request before gave its slot back.
        assert refused.value.code == "rate_limit_exceeded"


async def test_each_phase_is_one_trip_to_the_cache_whatever_the_concurrency_limit(
    monkeypatch, owner, corpus
):
    created = await sync_to_async(api_key_create)(
        user=owner, name="every limit", rpm_limit=10**6, tpd_limit=10**9, max_concurrent=1000
    )
    client = KeyClient(created.secret)
    assert (await post(client, body())).status_code == 200  # seeds the day's token counter
    phases, commands = [], []
    run = limits._run

    async def counted(on_redis, on_memory):
        phases.append(on_redis)
        return await run(on_redis, on_memory)

    execute = redis.Redis.execute_command

    def sent(self, *args, **kwargs):
        commands.append(args[0])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(limits, "_run", counted)
    monkeypatch.setattr(redis.Redis, "execute_command", sent)
    assert (await post(client, body())).status_code == 200
    assert len(phases) == 3  # admit; the prompt's tokens with the log row; release
    if isinstance(caches["default"], FailoverRedisCache):
        assert commands == ["EVALSHA"] * 3


@pytest.fixture
def redis_behind_proxy(settings):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it)")
    proxy = TcpProxy(6379)
    proxy.start()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "lawbot_site.cache.FailoverRedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/9",
            "KEY_PREFIX": f"limits-failover-{time.monotonic_ns()}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    yield proxy
    proxy.stop()
    FailoverRedisCache._down_until.clear()


async def test_limits_hold_in_process_memory_while_redis_is_away(
    make_key, redis_behind_proxy, monkeypatch
):
    proxy = redis_behind_proxy
    api_key = await make_key(max_concurrent=1, tpd_limit=10_000, rpm_limit=100)
    on_redis = await acquire(api_key, "req_on_redis")
    proxy.stop()
    away = await acquire(api_key, "req_away")  # memory knows nothing of the Redis slot
    with pytest.raises(LimitRefused) as refused:
        await acquire(api_key, "req_away_2")  # but counts its own
    assert refused.value.code == "concurrency_limit_exceeded"
    await away.release(tokens=10)
    proxy.start()
    monkeypatch.setattr("lawbot_site.cache.RETRY_SECONDS", 0)
    FailoverRedisCache._down_until.clear()
    with pytest.raises(LimitRefused):  # Redis again, which still has the first one's slot
        await acquire(api_key, "req_back")
    await on_redis.release(tokens=10)
    await (await acquire(api_key, "req_back_2")).release()


async def test_a_flowing_stream_keeps_its_slot_past_its_first_expiry(make_key, monkeypatch):
    api_key = await make_key(max_concurrent=1)
    lease = await acquire(api_key, "req_streaming")
    backend = caches["default"]
    key = f"lawbot:inflight:{api_key.pk}"
    if isinstance(backend, FailoverRedisCache):
        client, full = backend.redis_client(), backend.make_and_validate_key(key)
        client.zadd(full, {"req_streaming": time.time() + 1}, xx=True)  # about to expire
    else:
        start = time.time()
        monkeypatch.setattr(limits, "clock", lambda: start + 200)  # 100 s before it would
    lease.refreshed = float("-inf")  # due for a refresh at the next chunk

    async def chunks():
        yield b"data: {}\n\n"

    assert [chunk async for chunk in lease.hold(chunks())] == [b"data: {}\n\n"]
    if isinstance(backend, FailoverRedisCache):
        assert client.zscore(full, "req_streaming") > time.time() + 100
    else:
        monkeypatch.setattr(limits, "clock", lambda: start + 400)  # past the first expiry
    with pytest.raises(LimitRefused):
        await acquire(api_key, "req_waiting")
