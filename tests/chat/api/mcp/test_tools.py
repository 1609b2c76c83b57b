"""The MCP server's tools in-process, through the official SDK's client (no HTTP: the transport,
the key and the limits are the e2e tests' part, tests/e2e/test_mcp.py)."""

import pytest
from mcp import Client

from chat.api.mcp.server import mcp_server, tool_list
from chat.api.mcp.tools import TOOLS
from laws.models import Law

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_every_tool_has_a_schema_a_description_and_no_external_reference():
    for tool in tool_list():
        assert tool.input_schema["type"] == "object" and tool.description
        assert "$ref" not in str(tool.input_schema)
        assert tool.annotations.read_only_hint is True
    assert [t.name for t in tool_list()] == list(TOOLS)


async def test_tools_answer_with_urls(corpus):
    async with Client(mcp_server()) as client:
        result = await client.call_tool("resolve_citation", {"citation": "勞基法第38條"})
        assert not result.is_error
        assert result.structured_content["url"].endswith("pcode=N0030001&flno=38")
        deleted = await client.call_tool(
            "get_article", {"law": "Labor Standards Act", "article": "39"}
        )
        assert deleted.structured_content["article"]["deleted"] is True
        dashed = await client.call_tool("get_article", {"law": "N0030001", "article": "第10條之1"})
        assert dashed.structured_content["article"]["number"] == "10-1"


async def test_a_law_s_english_name_is_that_law_though_longer_names_contain_it(corpus):
    # As in the Ministry's files: the act's rules carry its English name inside their own.
    rules = "Enforcement Rules of the Labor Standards Act"
    await Law.objects.filter(pcode="N0030002").aupdate(english_name=rules)
    async with Client(mcp_server()) as client:
        for name in ("Labor Standards Act", "labour standards act", "勞基法", "勞動基準法"):
            found = await client.call_tool("get_article", {"law": name, "article": "38"})
            assert not found.is_error, (name, found.content)
            assert found.structured_content["article"]["pcode"] == "N0030001"
        by_rules = await client.call_tool("get_article", {"law": rules, "article": "7"})
        assert by_rules.structured_content["article"]["pcode"] == "N0030002"


async def test_bad_arguments_are_readable_tool_errors(corpus):
    async with Client(mcp_server()) as client:
        unknown = await client.call_tool("no_such_tool", {})
        assert unknown.is_error and "search_laws" in unknown.content[0].text
        extra = await client.call_tool("resolve_citation", {"citation": "x", "page": 2})
        assert extra.is_error and "page" in extra.content[0].text
        vague = await client.call_tool("get_article", {"law": "勞動", "article": "1"})
        assert vague.is_error and "more than one law" in vague.content[0].text
        inverted = await client.call_tool(
            "calculate", {"kind": "notice", "hired": "2024-01-01", "left": "2020-01-01"}
        )
        assert inverted.is_error and "'left'" in inverted.content[0].text
        nothing = await client.call_tool("resolve_citation", {"citation": "勞基法第999條"})
        assert nothing.is_error and "no article 999" in nothing.content[0].text


async def test_ask_lawbot_answers_through_the_pipeline(corpus):
    async with Client(mcp_server()) as client:
        result = await client.call_tool(
            "ask_lawbot", {"question": "月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？"}
        )
        answer = result.structured_content
        assert "78,750" in answer["answer"]  # the calculation leads the answer
        assert "勞工退休金條例 第 12 條" in {c["title"] for c in answer["citations"]}
