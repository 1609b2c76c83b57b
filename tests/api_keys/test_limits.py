"""Per-key limits through the API views (AsyncClient); the SDK's view of them is in tests/e2e."""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import AsyncRequestFactory
from django.utils import timezone

from api_keys.models import ApiKey, RequestLog
from api_keys.services import api_key_create, recent_keys
from chat.api.views import chat_completions
from tests.api_client import KeyClient, body, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def make_client(owner, corpus):
    async def make(**limits) -> tuple[KeyClient, ApiKey]:
        created = await sync_to_async(api_key_create)(user=owner, name="limited", **limits)
        return KeyClient(created.secret), created.api_key

    return make


async def test_model_not_allowed_is_403_permission_error(make_client):
    client, _ = await make_client(allowed_models=["lawbot-lite"])
    response = await post(client, body(model="lawbot-pro"))
    assert response.status_code == 403
    assert response.json()["error"] == {
        "message": "This API key may not use the model 'lawbot-pro'.",
        "type": "permission_error",
        "param": "model",
        "code": "model_not_allowed",
    }
    assert (await post(client, body(model="lawbot-lite"))).status_code == 200


async def test_requests_over_the_rpm_limit_get_429_with_retry_after(make_client):
    client, _ = await make_client(rpm_limit=2)
    statuses = [(await post(client, body())).status_code for _ in range(3)]
    if statuses != [200, 200, 429]:  # the minute turned over mid-test: once more
        statuses = [(await post(client, body())).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = await post(client, body())
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("rate_limit_error", "rate_limit_exceeded")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert abs(int(response["retry-after-ms"]) / 1000 - int(response["Retry-After"])) < 1
    assert "x-should-retry" not in response  # retrying after Retry-After succeeds


async def test_token_budget_counts_finished_requests_and_then_refuses(make_client):
    client, api_key = await make_client(tpd_limit=50)
    first = await post(client, body())
    assert first.status_code == 200
    assert first.json()["usage"]["total_tokens"] > 50
    refused = await post(client, body())
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused["x-should-retry"] == "false"
    midnight = timezone.localtime() + timedelta(seconds=int(refused["Retry-After"]))
    assert (midnight.hour, midnight.minute) in {(0, 0), (0, 1)}


async def test_token_budget_survives_a_cache_flush(make_client):
    client, api_key = await make_client(tpd_limit=50)
    assert (await post(client, body())).status_code == 200
    await cache.aclear()  # a restart with the local-memory cache: seeded again from the log
    assert (await post(client, body())).status_code == 429


async def test_concurrent_streams_over_the_limit_get_429_and_slots_come_back(make_client):
    client, _ = await make_client(max_concurrent=1)
    first = await post(client, body(stream=True))
    assert first.status_code == 200
    second = await post(client, body(stream=True))
    assert second.status_code == 429
    assert second.json()["error"] == {
        "message": "This API key already has 1 requests in progress, its limit; wait for one to finish.",
        "type": "rate_limit_error",
        "param": None,
        "code": "concurrency_limit_exceeded",
    }
    assert second["x-should-retry"] == "false"
    [chunk async for chunk in first.streaming_content]  # the first stream finishes
    third = await post(client, body(stream=True))
    assert third.status_code == 200
    [chunk async for chunk in third.streaming_content]


async def test_a_disconnected_stream_gives_its_slot_back(make_client, settings):
    settings.LAWBOT_COMPOSER_DELAY_MS = 50
    client, _ = await make_client(max_concurrent=1)
    response = await post(client, body(stream=True))
    chunks = aiter(response.streaming_content)
    await anext(chunks)

    async def read_rest():
        return [chunk async for chunk in chunks]

    task = asyncio.ensure_future(read_rest())
    await asyncio.sleep(0.075)  # between two pieces, not on one
    task.cancel()  # what Django does when the client goes away
    with pytest.raises(asyncio.CancelledError):
        await task
    log = await RequestLog.objects.alatest("created_at")
    assert log.client_closed
    settings.LAWBOT_COMPOSER_DELAY_MS = 0
    again = await post(client, body())
    assert again.status_code == 200


async def test_a_stream_closed_early_is_logged_as_client_closed_and_gives_its_slot_back(
    make_client, settings
):
    # Django closes the response iterator when the client leaves while a chunk is being sent.
    settings.LAWBOT_COMPOSER_DELAY_MS = 20
    client, api_key = await make_client(max_concurrent=1)
    request = AsyncRequestFactory().post(
        "/v1/chat/completions",
        json.dumps(body(stream=True)),
        content_type="application/json",
        headers=client.auth,
    )
    response = await chat_completions(request)
    stream = response._iterator  # the body itself, as the ASGI handler iterates it
    for _ in range(4):
        await anext(stream)
    await stream.aclose()
    log = await RequestLog.objects.aget(request_id=response["x-request-id"])
    assert log.client_closed and log.answer and log.completion_tokens > 0
    assert "以上為法律資訊" not in log.answer
    settings.LAWBOT_COMPOSER_DELAY_MS = 0
    assert (await post(client, body())).status_code == 200


async def test_a_failed_request_gives_its_slot_back(make_client):
    client, _ = await make_client(max_concurrent=1)
    assert (await post(client, body(model="no-such-model"))).status_code == 404
    assert (await post(client, body(stream=True, max_tokens=0))).status_code == 400
    assert (await post(client, body())).status_code == 200


async def test_limit_changes_saved_in_this_process_take_effect_on_the_next_request(make_client):
    client, api_key = await make_client()
    assert (await post(client, body(model="lawbot-pro"))).status_code == 200
    api_key.allowed_models = ["lawbot-lite"]
    await api_key.asave()  # the admin, the key page: the key cache is cleared
    assert (await post(client, body(model="lawbot-pro"))).status_code == 403


async def test_limit_changes_made_elsewhere_take_effect_once_the_key_cache_expires(
    make_client, monkeypatch, settings
):
    now = [1000.0]
    monkeypatch.setattr(recent_keys, "clock", lambda: now[0])
    client, api_key = await make_client()
    assert (await post(client, body(model="lawbot-pro"))).status_code == 200
    # As another worker or a script would: no signal reaches this process.
    await ApiKey.objects.filter(pk=api_key.pk).aupdate(allowed_models=["lawbot-lite"])
    now[0] += settings.LAWBOT_KEY_CACHE_SECONDS
    assert (await post(client, body(model="lawbot-pro"))).status_code == 403


async def test_refusals_are_logged_without_tokens(make_client):
    client, api_key = await make_client(allowed_models=["lawbot-lite"])
    response = await post(client, body(model="lawbot-pro"))
    log = await RequestLog.objects.aget(request_id=response["x-request-id"])
    assert (log.status_code, log.error_code) == (403, "model_not_allowed")
    assert log.api_key_id == api_key.pk
    assert json.dumps(response.json()).count("lb-") == 0


async def test_a_restricted_key_lists_only_its_models(make_client):
    client, _ = await make_client(allowed_models=["lawbot-lite"])
    response = await client.get("/v1/models")
    assert [m["id"] for m in response.json()["data"]] == ["lawbot-lite"]
    refused = await post(client, body(model="lawbot-pro"))
    log = await RequestLog.objects.aget(request_id=refused["x-request-id"])
    assert log.model == "lawbot-pro"


async def test_a_key_without_a_token_limit_is_not_counted_and_a_new_limit_is_seeded_from_the_log(
    make_client, monkeypatch
):
    from django.core.cache import caches

    increments = []
    backend = type(caches["default"])
    aincr = backend.aincr

    async def counted(self, key, *args, **kwargs):
        increments.append(key)
        return await aincr(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "aincr", counted)
    client, api_key = await make_client()
    first = await post(client, body())
    assert first.status_code == 200
    assert not [key for key in increments if "tpd" in key]  # no trip to the cache for it
    api_key.tpd_limit = first.json()["usage"]["total_tokens"]  # today's use, to the token
    await api_key.asave()
    recent_keys.clear()
    assert (await post(client, body())).status_code == 429


async def test_a_changed_token_limit_counts_afresh_from_the_log(make_client):
    client, api_key = await make_client(tpd_limit=10_000)
    used = (await post(client, body())).json()["usage"]["total_tokens"]
    api_key.tpd_limit = used + 1  # under the new limit still, by the log
    await api_key.asave()
    recent_keys.clear()
    assert (await post(client, body())).status_code == 200
    assert (await post(client, body())).status_code == 429
