"""One key's requests-per-minute limit counts chat, REST and MCP calls together, on a live
daphne; another key's count is its own."""

import time

import httpx
import pytest

from tests.e2e.conftest import manage

pytestmark = pytest.mark.e2e
RPM = 6


def new_key(server, name: str, rpm: int, user: str = "surfaces") -> str:
    out = manage(server.env, "create_api_key", "--user", user, "--name", name, "--rpm", str(rpm))
    return out.strip().splitlines()[-1]


def chat(server, secret: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {secret}", "x-should-retry": "false"},
        json={"model": "lawbot-lite", "messages": [{"role": "user", "content": "勞基法第38條"}]},
        timeout=30,
    )


def rest(server, secret: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/v1/laws/N0030001/articles/38",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )


def mcp(server, secret: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/mcp",
        headers={
            "Authorization": f"Bearer {secret}",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-11-25",
        },
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "resolve_citation", "arguments": {"citation": "勞基法第38條"}},
        },
        timeout=30,
    )


def round_within_one_minute(server, secret: str) -> list[tuple[str, int]] | None:
    """Two calls on each surface, then one more on each; None if a clock minute (the window)
    turned meanwhile, so that the counts are not of one window."""
    minute = int(time.time() // 60)
    seen = [(call.__name__, call(server, secret).status_code) for call in (chat, rest, mcp) * 2]
    seen += [(call.__name__, call(server, secret).status_code) for call in (rest, mcp, chat)]
    return seen if int(time.time() // 60) == minute else None


def test_rpm_counts_chat_rest_and_mcp_together(lawbot_server):
    for attempt in range(3):
        secret = new_key(lawbot_server, f"rpm-{attempt}", RPM)
        seen = round_within_one_minute(lawbot_server, secret)
        if seen is not None:
            break
    else:
        pytest.fail("three rounds each straddled a minute")
    assert [status for _, status in seen[:RPM]] == [200] * RPM, seen
    assert seen[RPM:] == [("rest", 429), ("mcp", 429), ("chat", 429)], seen
    refused = rest(lawbot_server, secret)
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another user's key is counted apart.
    other = new_key(lawbot_server, f"other-{attempt}", 2, user="someone-else")
    assert [rest(lawbot_server, other).status_code, mcp(lawbot_server, other).status_code] == [
        200,
        200,
    ]
