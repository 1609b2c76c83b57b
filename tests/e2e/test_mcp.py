"""The official MCP Python SDK's streamable-http client against /mcp on a live daphne: it lists
the tools and calls each, over the current revision (2026-07-28) and the 2025 handshake."""

import json

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]
TOOLS = {"search_laws", "get_article", "resolve_citation", "calculate", "ask_lawbot"}


def mcp_client(server, *, mode: str = "auto", secret: str | None = None, path: str = "/mcp"):
    # As the README shows it: the SDK's own HTTP client (httpx2) with the key's header.
    headers = {"Authorization": f"Bearer {secret or server.secret}"}
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    return Client(streamable_http_client(f"{server.url}{path}", http_client=http), mode=mode)


def structured(result) -> dict:
    assert not result.is_error, result.content
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


@pytest.mark.parametrize(("mode", "path"), [("auto", "/mcp"), ("legacy", "/v1/mcp")])
async def test_the_official_client_lists_the_tools_and_calls_each(lawbot_server, mode, path):
    async with mcp_client(lawbot_server, mode=mode, path=path) as client:
        listed = await client.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        for tool in listed.tools:
            assert tool.input_schema["type"] == "object" and tool.description

        found = structured(await client.call_tool("search_laws", {"query": "資遣費怎麼算"}))
        titles = [hit["article"]["title"] for hit in found["results"]]
        assert "勞動基準法 第 17 條" in titles
        assert all(
            hit["article"]["url"].startswith("https://law.moj.gov.tw/") for hit in found["results"]
        )

        article = structured(
            await client.call_tool("get_article", {"law": "勞基法", "article": "2"})
        )
        assert article["article"]["url"].endswith("pcode=N0030001&flno=2")
        assert [s["number"] for s in article["article"]["paragraphs"][0]["subparagraphs"]] == [1, 4]

        cited = structured(
            await client.call_tool("resolve_citation", {"citation": "勞基法第2條第1項第4款"})
        )
        assert cited["text"].startswith("四、平均工資") and cited["url"].endswith("flno=2")

        calc = structured(
            await client.call_tool(
                "calculate",
                {
                    "kind": "severance",
                    "monthly_wage": 45000,
                    "hired": "2015-03-01",
                    "left": "2024-02-29",
                },
            )
        )["calculations"][0]
        assert calc["value"] == 202500 and calc["articles"][0]["url"].endswith("flno=12")

        answer = structured(
            await client.call_tool(
                "ask_lawbot",
                {"question": "請說明勞動基準法中的資遣費計算方式", "model": "lawbot-lite"},
            )
        )
        assert "勞動基準法 第 17 條" in answer["answer"] and answer["model"] == "lawbot-lite"
        assert "勞動基準法 第 17 條" in {c["title"] for c in answer["citations"]}
        assert all(c["url"].startswith("https://law.moj.gov.tw/") for c in answer["citations"])


async def test_tool_errors_are_results_the_assistant_can_read(lawbot_server):
    async with mcp_client(lawbot_server) as client:
        missing = await client.call_tool("get_article", {"law": "勞基法", "article": "999"})
        assert missing.is_error and "no article 999" in missing.content[0].text
        bad = await client.call_tool("calculate", {"kind": "severance", "monthly_wage": -5})
        assert bad.is_error and "monthly_wage" in bad.content[0].text
        wrong = await client.call_tool("search_laws", {"query": "x", "limit": 99})
        assert wrong.is_error and "limit" in wrong.content[0].text


async def test_a_wrong_key_is_a_401_and_every_call_is_logged(lawbot_server):
    with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the HTTP error its own way
        async with mcp_client(lawbot_server, secret="lb-" + "x" * 43) as client:
            await client.list_tools()
    response = httpx.post(
        f"{lawbot_server.url}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.headers["www-authenticate"].startswith("Bearer")
    rows = lawbot_server.query(
        "SELECT status_code FROM api_keys_requestlog WHERE path = '/mcp' ORDER BY id"
    )
    assert {200, 401} <= {status for (status,) in rows}


async def test_raw_json_rpc_over_http(lawbot_server):
    """What a client without the SDK sends: one POST per message, JSON back."""
    headers = {
        "Authorization": f"Bearer {lawbot_server.secret}",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-11-25",
    }
    response = httpx2.post(
        f"{lawbot_server.url}/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "resolve_citation", "arguments": {"citation": "民法第184條"}},
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["structuredContent"]["article"]["title"] == "民法 第 184 條"
    assert response.headers["x-request-id"].startswith("req_")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
async def test_only_post_is_served(lawbot_server, method):
    response = httpx.request(
        method,
        f"{lawbot_server.url}/mcp",
        headers={"Authorization": f"Bearer {lawbot_server.secret}", "Accept": "text/event-stream"},
        timeout=10,
    )
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
