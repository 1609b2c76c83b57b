"""CORS on the API paths only, off unless LAWBOT_CORS_ORIGINS lists the origin."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
ORIGIN = "https://app.example.com"
PREFLIGHT = {
    "HTTP_ORIGIN": ORIGIN,
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, content-type, x-stainless-os",
}


@override_settings(CORS_ALLOWED_ORIGINS=[ORIGIN])
@pytest.mark.parametrize("path", ["/v1/responses", "/chat/completions", "/v1/models"])
def test_a_listed_origin_gets_its_preflight_answered(path):
    response = Client().options(path, **PREFLIGHT)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "x-stainless-os" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]


@override_settings(CORS_ALLOWED_ORIGINS=[ORIGIN])
def test_other_origins_and_the_page_get_no_cors_headers():
    response = Client().options(
        "/v1/responses", **{**PREFLIGHT, "HTTP_ORIGIN": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in response
    response = Client().get("/accounts/login/", HTTP_ORIGIN=ORIGIN)
    assert "Access-Control-Allow-Origin" not in response


def test_cors_is_off_by_default(settings):
    assert settings.CORS_ALLOWED_ORIGINS == [] and not settings.CORS_ALLOW_ALL_ORIGINS
    response = Client().options("/v1/responses", **PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in response
