"""Hostile and random JSON-RPC at /mcp on a live daphne: never a 5xx, always JSON-RPC (or the
API's error JSON before the body is read), whatever the method, params or tool arguments."""

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.api.mcp.tools import TOOLS

pytestmark = pytest.mark.e2e
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
METHODS = st.sampled_from(
    ["tools/call", "tools/list", "initialize", "ping", "server/discover", "resources/list"]
) | st.text(max_size=20)
TOOL_CALLS = st.builds(
    lambda name, arguments: {"name": name, "arguments": arguments},
    st.sampled_from([*TOOLS, "no_such_tool"]),
    st.dictionaries(
        st.sampled_from(
            [
                "query",
                "limit",
                "law",
                "article",
                "citation",
                "question",
                "model",
                "kind",
                "monthly_wage",
                "hired",
                "left",
                "service",
                "wages",
                "x",
            ]
        ),
        JSON_VALUES,
        max_size=5,
    ),
)


@pytest.fixture(scope="module")
def mcp_post(lawbot_server):
    client = httpx.Client(
        base_url=lawbot_server.url,
        timeout=30,
        headers={
            "Authorization": f"Bearer {lawbot_server.secret}",
            "Accept": "application/json, text/event-stream",
        },
    )
    yield client
    client.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    assert ("jsonrpc" in body) or ("error" in body), body


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    method=METHODS,
    params=TOOL_CALLS | JSON_VALUES,
    version=st.sampled_from(["2025-11-25", "2025-06-18", "2026-07-28", None]),
    with_id=st.booleans(),
)
def test_random_json_rpc_never_breaks_the_server(mcp_post, method, params, version, with_id):
    message = {"jsonrpc": "2.0", "method": method, "params": params}
    if with_id:
        message["id"] = 1
    headers = {"MCP-Protocol-Version": version} if version else {}
    response = mcp_post.post("/mcp", json=message, headers=headers)
    if response.status_code == 202:  # a notification: accepted, nothing to answer
        return
    check(response)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(call=TOOL_CALLS)
def test_random_tool_arguments_are_results_or_readable_errors(mcp_post, call):
    response = mcp_post.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call},
        headers={"MCP-Protocol-Version": "2025-11-25"},
    )
    check(response)
    body = response.json()
    if "result" in body:
        result = body["result"]
        assert result.get("isError") or result["structuredContent"] is not None
        if result.get("isError"):
            assert result["content"][0]["text"]


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b"null", b'{"jsonrpc": "2.0"}', b"\xff\xfe", b"[" * 10000],
)
def test_broken_bodies_are_client_errors(mcp_post, body):
    response = mcp_post.post(
        "/mcp",
        content=body,
        headers={"Content-Type": "application/json", "MCP-Protocol-Version": "2025-11-25"},
    )
    assert 400 <= response.status_code < 500, response.text


def test_a_body_over_the_limit_is_a_413(mcp_post):
    response = mcp_post.post(
        "/mcp",
        content=b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json", "MCP-Protocol-Version": "2025-11-25"},
    )
    assert response.status_code == 413
