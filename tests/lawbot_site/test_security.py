"""Security headers on pages and API, and `check --deploy` with production settings."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import AsyncClient

from tests.api_client import KeyClient

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def assert_secure_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/docs", "/openapi.json", "/healthz", "/v1/models", "/v1/nothing", "/accounts/login/"]
)
async def test_pages_and_api_answers_carry_the_security_headers(corpus, path):
    response = await AsyncClient().get(path)
    assert response.status_code in (200, 401, 404)
    assert_secure_headers(response)


@pytest.mark.asyncio
async def test_streams_and_errors_carry_them_too(corpus, api_secret):
    client = KeyClient(api_secret)
    body = {"model": "lawbot-lite", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    stream = await client.post("/v1/chat/completions", json.dumps(body), "application/json")
    assert stream.streaming, stream.content
    assert_secure_headers(stream)
    b"".join([chunk async for chunk in stream.streaming_content])
    bad = await client.post("/v1/chat/completions", b"{", "application/json")
    assert bad.status_code == 400
    assert_secure_headers(bad)


@pytest.mark.asyncio
async def test_the_docs_and_login_pages_have_no_inline_script(corpus):
    for path in ("/docs", "/accounts/login/"):
        html = (await AsyncClient().get(path)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers


def deploy_check(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAWBOT_", "SECURE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lawbot_site.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "lawbot.example.org",
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = deploy_check(LAWBOT_TLS="true", LAWBOT_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_check_deploy_warns_without_tls(tmp_path):
    result = deploy_check(LAWBOT_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_production_without_secret_key_stops_at_start(tmp_path):
    result = deploy_check(LAWBOT_VAR_DIR=str(tmp_path), SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
