"""Every key limit and status through the real openai SDKs (3.x in .venv, 2.x in .venv-openai2)
against a live daphne; then no secret anywhere in the database dump or the server's log."""

import json
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from tests.e2e.conftest import ROOT, manage

pytestmark = pytest.mark.e2e
SDK2_PYTHON = ROOT / ".venv-openai2" / "bin" / "python"

MAKE_KEYS = """
import json
from datetime import timedelta
from django.utils import timezone
from api_keys.services import api_key_create, api_key_revoke, user_get_or_create
user = user_get_or_create(username="limits")
specs = json.loads('SPECS')
out = {}
for name, limits in specs.items():
    created = api_key_create(user=user, name=name + "-" + "SUFFIX", **limits)
    if name == "revoked":
        api_key_revoke(api_key=created.api_key)
    if name == "expired":
        created.api_key.expires_at = timezone.now() - timedelta(seconds=1)
        created.api_key.save()
    out[name] = created.secret
print(json.dumps(out))
"""
SPECS = {
    "models": {"allowed_models": ["lawbot-lite"]},
    "rpm": {"rpm_limit": 1},
    "tpd": {"tpd_limit": 1},
    "concurrent": {"max_concurrent": 1},
    "revoked": {},
    "expired": {"expires_in_days": 1},
    "plain": {},
}


@pytest.fixture(scope="module")
def server(lawbot_server_factory):
    # A slower composer keeps a stream open long enough to hold a concurrency slot;
    # DEBUG logging shows that even the most verbose log never carries a secret.
    return lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="40", LOG_LEVEL="DEBUG")


def raw_dump(server) -> str:
    """Every row of every table, straight from the database (SQLite or PostgreSQL)."""
    if server.env.get("DATABASE_URL", "").startswith("postgres"):
        listing = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    lines = []
    for (table,) in server.query(listing):
        lines.append(f"-- {table}")
        lines.extend(repr(row) for row in server.query(f'SELECT * FROM "{table}"'))
    return "\n".join(lines)


def make_keys(server, suffix: str) -> dict[str, str]:
    code = MAKE_KEYS.replace("SPECS", json.dumps(SPECS)).replace("SUFFIX", suffix)
    return json.loads(manage(server.env, "shell", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def issued() -> list[str]:
    return []


@pytest.mark.parametrize("python", [sys.executable, str(SDK2_PYTHON)], ids=["sdk3", "sdk2"])
def test_every_limit_and_status_through_the_sdk(server, issued, python):
    keys = make_keys(server, Path(python).parts[-3])
    issued.extend(keys.values())
    result = subprocess.run(
        [python, str(ROOT / "tests/e2e/limits_check.py"), server.url, json.dumps(keys)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["version"].startswith("3." if python == sys.executable else "2.")

    assert out["allowed_model"] == "stop"
    assert out["model_not_allowed"] | {"slept": []} == {
        "exception": "PermissionDeniedError",
        "status": 403,
        "type": "permission_error",
        "code": "model_not_allowed",
        "param": "model",
        "retry_after": None,
        "should_retry": None,
        "slept": [],
    }

    rpm = out["rpm"]
    assert (rpm["exception"], rpm["status"], rpm["type"], rpm["code"]) == (
        "RateLimitError",
        429,
        "rate_limit_error",
        "rate_limit_exceeded",
    )
    assert 1 <= int(rpm["retry_after"]) <= 60 and rpm["should_retry"] is None
    # With retries the SDK waits what the server said (to the next minute), not its own backoff.
    retried = out["rpm_retried"]
    assert retried["exception"] == "RateLimitError" and len(retried["slept"]) == 2
    assert all(0 < pause <= 60 for pause in retried["slept"])
    assert abs(retried["slept"][0] - int(retried["retry_after"])) <= 1.5

    tpd = out["tpd"]
    assert out["tpd_first"] > 1
    assert (tpd["exception"], tpd["code"], tpd["should_retry"]) == (
        "RateLimitError",
        "rate_limit_exceeded",
        "false",
    )
    assert int(tpd["retry_after"]) <= 86400 and tpd["slept"] == []  # no pointless retries

    concurrent = out["concurrent"]
    assert (concurrent["exception"], concurrent["status"], concurrent["code"]) == (
        "RateLimitError",
        429,
        "concurrency_limit_exceeded",
    )
    assert concurrent["should_retry"] == "false" and concurrent["slept"] == []
    assert out["concurrent_after_close"]["exception"] is None

    for name in ("revoked", "expired"):
        assert (out[name]["exception"], out[name]["status"], out[name]["code"]) == (
            "AuthenticationError",
            401,
            "invalid_api_key",
        )


def test_no_secret_in_the_database_or_the_log(server, issued):
    keys = make_keys(server, "leak")
    issued.extend(keys.values())
    plain = openai.OpenAI(base_url=server.url + "/v1", api_key=keys["plain"], max_retries=0)
    plain.chat.completions.create(
        model="lawbot-lite", messages=[{"role": "user", "content": "勞基法第38條"}]
    )
    for _chunk in plain.chat.completions.create(
        model="lawbot-pro", messages=[{"role": "user", "content": "資遣費"}], stream=True
    ):
        pass
    for name in ("revoked", "expired", "models"):
        with pytest.raises(openai.APIStatusError):
            openai.OpenAI(
                base_url=server.url, api_key=keys[name], max_retries=0
            ).chat.completions.create(
                model="lawbot-pro", messages=[{"role": "user", "content": "x"}]
            )
    dumpdata = manage(server.env, "dumpdata", "--natural-foreign")
    sql_dump = raw_dump(server)
    log = (server.var_dir / "daphne.log").read_text(errors="replace")
    assert '"model": "api_keys.requestlog"' in dumpdata and "api_keys_apikey" in sql_dump
    assert "DEBUG" in log and "/v1/chat/completions" in log
    assert len(issued) >= 3 * len(SPECS)
    for secret in issued:
        hidden = secret[len("lb-") + 8 :]  # what the visible prefix does not show
        for name, text in (("dumpdata", dumpdata), ("sql dump", sql_dump), ("log", log)):
            assert hidden not in text, f"a secret appears in the {name}"
