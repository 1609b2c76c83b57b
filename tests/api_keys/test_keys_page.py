"""A user's own API keys page: personas owner, another user, anonymous (in English; the
Traditional Chinese page is in test_keys_i18n)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from api_keys.models import ApiKey
from api_keys.services import api_key_create, hash_secret
from tests.api_keys.factories import log_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the default language is zh-hant
    return client


@pytest.fixture
def other_key():
    other = get_user_model().objects.create_user("other", password="other-password-1")
    return api_key_create(user=other, name="secret-project").api_key


def create(client, **fields):
    data = {
        "name": "laptop",
        "rpm_limit": "",
        "tpd_limit": "",
        "max_concurrent": "",
        "expires_in_days": "",
        **fields,
    }
    return client.post(reverse("api_keys:list"), data)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("api_keys:list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_creating_a_key_shows_its_secret_once(signed_in, owner):
    response = create(
        signed_in,
        name="laptop",
        rpm_limit="30",
        allowed_models=["lawbot-lite"],
        expires_in_days="7",
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'id="new-secret" value="(lb-[^"]+)"', response.content.decode()).group(1)
    key = ApiKey.objects.get(user=owner, name="laptop")
    assert key.secret_hash == hash_secret(secret)
    assert (key.rpm_limit, key.allowed_models, key.expires_at is not None) == (
        30,
        ["lawbot-lite"],
        True,
    )
    page = signed_in.get(reverse("api_keys:list")).content.decode()
    assert "laptop" in page and key.prefix in page and secret not in page


@pytest.mark.parametrize(
    "fields",
    [
        {"rpm_limit": "601"},
        {"tpd_limit": "10000001"},
        {"max_concurrent": "0"},
        {"expires_in_days": "9999"},
        {"name": ""},
        {"allowed_models": ["gpt-5"]},
    ],
)
def test_limits_must_stay_within_bounds(signed_in, fields):
    response = create(signed_in, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == list(fields)
    assert str(errors[list(fields)[0]][0]) in response.content.decode()
    assert not ApiKey.objects.exists()


def test_names_are_unique_per_user(signed_in, owner, other_key):
    api_key_create(user=owner, name="laptop")
    assert "You already have a key" in create(signed_in, name="laptop").content.decode()
    assert create(signed_in, name="secret-project").status_code == 201  # another user's name


def test_revoke(signed_in, owner):
    key = api_key_create(user=owner, name="laptop").api_key
    response = signed_in.post(reverse("api_keys:revoke", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.status == "revoked"
    assert signed_in.get(reverse("api_keys:revoke", args=[key.pk])).status_code == 405


def test_nobody_sees_or_revokes_another_users_keys(signed_in, other_key):
    assert signed_in.get(reverse("api_keys:detail", args=[other_key.pk])).status_code == 404
    assert signed_in.post(reverse("api_keys:revoke", args=[other_key.pk])).status_code == 404
    other_key.refresh_from_db()
    assert other_key.status == "active"
    log_rows(other_key, days_ago=0, count=3)
    page = signed_in.get(reverse("api_keys:list")).content.decode()
    assert "secret-project" not in page and other_key.prefix not in page
    assert "0 requests" in page


def test_the_page_shows_last_use_and_usage(signed_in, owner):
    key = api_key_create(user=owner, name="laptop").api_key
    log_rows(key, days_ago=0, count=2, tokens=(100, 50))
    log_rows(key, days_ago=1, count=1, status=429, tokens=(0, 0))
    page = signed_in.get(reverse("api_keys:list")).content.decode()
    assert "3 requests, 300 tokens" in page and "1 errors" in page
    assert page.count('<figure class="usage-chart">') == 2
    page = signed_in.get(reverse("api_keys:detail", args=[key.pk])).content.decode()
    assert "3 requests" in page and "never" in page  # last used: never (logs made directly)


def test_too_many_active_keys_are_refused(signed_in, owner, monkeypatch):
    monkeypatch.setattr("api_keys.forms.MAX_ACTIVE_KEYS", 1)
    api_key_create(user=owner, name="first")
    page = create(signed_in, name="second").content.decode()
    assert "You have 1 active key, the most allowed; revoke it first." in page
