"""A live daphne with production settings behind a TLS proxy: HSTS, HTTPS redirect, /healthz."""

import secrets

import httpx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def production_server(lawbot_server_factory):
    return lawbot_server_factory(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        LAWBOT_TLS="true",
    )


def test_behind_tls_answers_carry_hsts_and_the_security_headers(production_server):
    headers = {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {production_server.secret}"}
    for path in ("/v1/models", "/docs", "/healthz"):
        response = httpx.get(f"{production_server.url}{path}", headers=headers, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_plain_http_is_redirected_except_healthz(production_server):
    models = httpx.get(f"{production_server.url}/v1/models", timeout=10)
    assert models.status_code == 301
    assert models.headers["location"].startswith("https://127.0.0.1")
    assert httpx.get(f"{production_server.url}/healthz", timeout=10).status_code == 200


def test_errors_stay_json_with_debug_off(production_server):
    headers = {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {production_server.secret}"}
    response = httpx.post(
        f"{production_server.url}/v1/chat/completions",
        content=b'{"model": "lawbot-lite", "messages": [{"role": {}, "content": "x"}]}',
        headers={**headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "messages[0].role"
    missing = httpx.get(f"{production_server.url}/v1/nothing", headers=headers, timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
