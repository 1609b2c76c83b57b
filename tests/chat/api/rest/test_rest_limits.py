"""The key's own limits (api_keys.limits) count REST calls, and only the key's."""

import pytest
from rest_framework.test import APIClient

from api_keys.models import RequestLog
from api_keys.services import api_key_create
from api_keys.usage import usage_by_key_and_day

pytestmark = pytest.mark.django_db


def keyed(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def limited(owner, corpus):
    return api_key_create(user=owner, name="limited", rpm_limit=3)


def test_rpm_limit_refuses_the_fourth_call_with_retry_after(limited):
    client = keyed(limited.secret)
    statuses = [client.get("/v1/laws/N0030001").status_code for _ in range(3)]
    refused = client.get("/v1/search", {"q": "資遣"})
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["type"] == "rate_limit_error" and error["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused["Retry-After"]) <= 60 and refused["retry-after-ms"]
    assert RequestLog.objects.filter(status_code=429, error_code="rate_limit_exceeded").count() == 1


def test_another_user_s_limits_are_untouched(limited, other_user_key):
    client = keyed(limited.secret)
    for _ in range(4):
        client.get("/v1/laws")
    other = keyed(other_user_key.secret)
    assert [other.get("/v1/laws").status_code for _ in range(2)] == [200, 200]
    assert other.get("/v1/laws").status_code == 429  # its own limit of 2, not the first key's


def test_the_concurrency_slot_is_freed_after_each_call(owner, corpus):
    one_at_a_time = api_key_create(user=owner, name="serial", max_concurrent=1)
    client = keyed(one_at_a_time.secret)
    assert [client.get("/v1/laws").status_code for _ in range(3)] == [200, 200, 200]


def test_a_held_slot_refuses_the_rest_call(owner, corpus):
    from asgiref.sync import async_to_sync

    from api_keys.limits import limits_acquire

    key = api_key_create(user=owner, name="busy", max_concurrent=1)
    async_to_sync(limits_acquire)(api_key=key.api_key, model="lawbot-lite", request_id="chat")
    response = keyed(key.secret).get("/v1/laws")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "concurrency_limit_exceeded"


def test_model_restricted_keys_may_still_read_the_law(owner, corpus):
    key = api_key_create(user=owner, name="lite only", allowed_models=["lawbot-lite"])
    assert keyed(key.secret).get("/v1/laws/N0030001").status_code == 200


def test_rest_calls_count_on_the_usage_pages(limited):
    client = keyed(limited.secret)
    client.get("/v1/laws")
    client.get("/v1/laws/X0")
    (usage,) = usage_by_key_and_day(keys=[limited.api_key])
    assert usage.requests == 2 and usage.errors == 1
