"""Failed sign-ins and failed API keys are throttled per address, counted in the cache."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from api_keys.models import RequestLog
from chat.api import auth

pytestmark = pytest.mark.django_db
GUESSER, OWNER = "203.0.113.9", "198.51.100.7"


def forget_failures() -> None:
    # Not cache.clear(): on Redis that would empty a database other runs share.
    from axes.utils import reset

    minute = int(time.time() // 60)
    for address in (GUESSER, OWNER):
        reset(ip=address)
        cache.delete_many(
            [f"lawbot:keyfail:{address}:{m}" for m in (minute - 1, minute, minute + 1)]
        )
    auth._refused_until.clear()


@pytest.fixture(autouse=True)
def _fresh_counters():
    forget_failures()
    yield
    forget_failures()


def sign_in(client, password: str, address: str):
    return client.post(
        "/accounts/login/",
        {"username": "owner", "password": password},
        REMOTE_ADDR=address,
    )


def test_25_wrong_passwords_in_a_row_are_throttled_and_the_owner_still_signs_in(client, owner):
    answers = [sign_in(client, f"guess-{n}", GUESSER).status_code for n in range(25)]
    assert answers[:9] == [200] * 9  # the form again, "didn't match"
    assert set(answers[9:]) == {429}  # the 10th failure locks the address
    refused = sign_in(client, "owner-password-1", GUESSER)  # even the right one, from there
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many failed sign-ins" in refused.content.decode() or "登入失敗" in (
        refused.content.decode()
    )
    assert sign_in(client, "owner-password-1", OWNER).status_code == 302  # from elsewhere
    assert not get_user_model().objects.filter(username="nobody").exists()


def ask(client, secret: str, address: str):
    return client.post(
        "/v1/chat/completions",
        {"model": "lawbot-lite", "messages": [{"role": "user", "content": "勞基法第17條"}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        REMOTE_ADDR=address,
    )


def test_invalid_keys_are_throttled_per_address_and_not_logged(
    client, corpus, api_secret, settings
):
    settings.LAWBOT_KEY_FAILURES = 5
    wrong = "lb-" + "x" * 43
    statuses = [ask(client, wrong, GUESSER).status_code for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    refused = ask(client, api_secret, GUESSER)  # the right key, from the guesser's address
    assert refused.status_code == 429
    assert refused.json()["error"]["type"] == "rate_limit_error"
    assert refused.json()["error"]["code"] == "too_many_invalid_keys"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert ask(client, api_secret, OWNER).status_code == 200
    assert RequestLog.objects.filter(api_key__isnull=True).count() == 0
    assert RequestLog.objects.count() == 1  # the owner's answer
