import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from api_keys.models import ApiKey, RequestLog
from api_keys.services import api_key_create, hash_secret
from tests.api_keys.factories import log_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    admin = get_user_model().objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)
    return client


@pytest.fixture
def key(owner):
    return api_key_create(user=owner, name="laptop", rpm_limit=5).api_key


ADMIN_PAGES = [
    "admin:api_keys_apikey_changelist",
    "admin:api_keys_apikey_add",
    "admin:api_keys_requestlog_changelist",
    "admin:api_keys_usage",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_render_for_staff(staff, key, name):
    log_rows(key, days_ago=0, count=2, question="勞基法第38條", answer="特別休假")
    response = staff.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_refuse_a_non_staff_user(client, owner, name):
    client.force_login(owner)
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_pages_refuse_staff_without_permission(client):
    clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:api_keys_usage")).status_code == 403
    assert client.get(reverse("admin:api_keys_requestlog_changelist")).status_code == 403


def test_key_and_log_detail_pages_render(staff, key):
    [log] = log_rows(
        key,
        days_ago=0,
        question="勞基法第38條",
        answer="特別休假七日",
        status=429,
        error_code="rate_limit_exceeded",
    )
    page = staff.get(reverse("admin:api_keys_apikey_change", args=[key.pk])).content.decode()
    assert "laptop" in page and key.prefix in page and key.secret_hash not in page
    page = staff.get(reverse("admin:api_keys_requestlog_change", args=[log.pk])).content.decode()
    assert "勞基法第38條" in page and "特別休假七日" in page and "rate_limit_exceeded" in page
    assert 'name="_save"' not in page  # read-only


def test_creating_a_key_in_the_admin_shows_the_secret_once(staff, owner):
    response = staff.post(
        reverse("admin:api_keys_apikey_add"),
        {
            "user": owner.pk,
            "name": "server",
            "allowed_models": ["lawbot-lite"],
            "rpm_limit": "60",
            "tpd_limit": "",
            "max_concurrent": "2",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    secret = re.search(r'value="(lb-[^"]+)"', page).group(1)
    assert 'data-copy="new-secret"' in page
    key = ApiKey.objects.get(name="server")
    assert key.secret_hash == hash_secret(secret) and secret.startswith(key.prefix)
    assert (key.allowed_models, key.rpm_limit, key.max_concurrent) == (["lawbot-lite"], 60, 2)
    for url in [
        reverse("admin:api_keys_apikey_change", args=[key.pk]),
        reverse("admin:api_keys_apikey_changelist"),
        reverse("admin:api_keys_apikey_history", args=[key.pk]),
        reverse("admin:index"),
    ]:
        assert secret not in staff.get(url).content.decode()


def test_limits_are_editable_in_the_admin(staff, key):
    url = reverse("admin:api_keys_apikey_change", args=[key.pk])
    response = staff.post(
        url,
        {
            "user": key.user_id,
            "name": key.name,
            "rpm_limit": "9",
            "tpd_limit": "1000",
            "max_concurrent": "",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.rpm_limit, key.tpd_limit, key.max_concurrent, key.allowed_models) == (
        9,
        1000,
        None,
        [],
    )


def test_revoke_action(staff, key, owner):
    other = api_key_create(user=owner, name="other").api_key
    response = staff.post(
        reverse("admin:api_keys_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    other.refresh_from_db()
    assert key.status == "revoked" and other.status == "active"
    page = staff.get(
        reverse("admin:api_keys_apikey_changelist") + "?status=revoked"
    ).content.decode()
    assert "laptop" in page and ">other<" not in page


def test_request_log_filters_and_search(staff, key):
    log_rows(key, days_ago=0, count=2, status=200)
    [failed] = log_rows(key, days_ago=0, status=429, streamed=True, client_closed=True)
    url = reverse("admin:api_keys_requestlog_changelist")
    for query in [
        "?status=429",
        "?streamed__exact=1",
        "?client_closed__exact=1",
        f"?q={failed.request_id}",
        "?status=errors",
    ]:
        page = staff.get(url + query).content.decode()
        assert failed.request_id in page and "req_0_0_200" not in page, query
    for query in [
        f"?api_key__id__exact={key.pk}",
        f"?user__id__exact={key.user_id}",
        "?model=lawbot-lite",
        "?" + urlencode({"created_at__gte": (timezone.now() - timedelta(days=1)).isoformat()}),
    ]:
        page = staff.get(url + query).content.decode()
        assert failed.request_id in page and "req_0_0_200" in page, query


def test_usage_page_shows_a_table_and_an_svg_chart(staff, key, settings):
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_rows(key, days_ago=0, count=3, status=500)
    log_rows(key, days_ago=1, count=2)
    page = staff.get(reverse("admin:api_keys_usage")).content.decode()
    assert page.count('<figure class="usage-chart">') == 2 and 'class="errors"' in page
    assert "5 requests" in page and "laptop" in page
    page = staff.get(reverse("admin:api_keys_usage") + f"?key={key.pk}").content.decode()
    assert "Usage of laptop" in page
    assert RequestLog.objects.count() == 5
