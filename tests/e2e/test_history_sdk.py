"""Stored completions and the Responses API through the real openai SDK (pinned 3.x here; the
2.x line in its own venv through tests/e2e/history_check.py) against daphne."""

import json
import subprocess
from pathlib import Path

import openai
import pytest

pytestmark = pytest.mark.e2e
SEED = "請說明勞動基準法中的資遣費計算方式"
ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("history_check.py")


@pytest.fixture
def client(lawbot_server) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=lawbot_server.url + "/v1", api_key=lawbot_server.secret, max_retries=0
    )


def run_check(python: Path, server) -> dict:
    assert python.exists(), f"{python} is missing: `make test` installs it"
    result = subprocess.run(
        [str(python), str(CHECK), server.url, server.secret, SEED],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return json.loads(result.stdout)


def assert_seen(seen: dict) -> None:
    assert seen["stored_listed"] and seen["retrieved_citations"]
    assert seen["paged_by_metadata"] and seen["paged_desc"] and seen["filtered_by_model"]
    # Every input item parses as the SDK's own type (OpenAI's ItemResource).
    assert seen["item_types"] == [
        "ResponseInputMessageItem",
        "ResponseInputMessageItem",
        "ResponseOutputMessage",
        "ResponseFunctionToolCallItem",
        "ResponseFunctionToolCallOutputItem",
        "ResponseInputMessageItem",
    ]
    assert seen["item_ids"] == ["msg", "msg", "msg", "fc", "fco", "msg"]
    assert seen["item_echo"] == {
        "assistant_annotations": True,
        "call": ["call_1", "lookup", "{}"],
        "output": ["call_1", "第 17 條"],
    }
    assert seen["updated_metadata"] == {"topic": "severance"}
    assert seen["messages_roles"] == ["user"]
    assert seen["deleted"] is True and seen["gone"] == "NotFoundError"
    assert "資遣費" in seen["response_text"] and seen["annotations_ok"]
    assert seen["streamed_text"] == seen["streamed_final"] and len(seen["streamed_deltas"]) > 5
    assert seen["followup_previous"] == seen["response_id"]
    assert seen["retrieved_text"] == seen["response_text"]
    assert seen["input_items"] == [SEED]
    assert seen["helper_text"] and seen["helper_event_types"][-1] == "response.completed"
    assert seen["response_gone"] == "NotFoundError"
    assert seen["usage"]["input_tokens"] > 0 and seen["usage"]["output_tokens"] > 0


def test_openai_python_3x(lawbot_server):
    seen = run_check(ROOT / ".venv" / "bin" / "python", lawbot_server)
    assert seen["version"].startswith("3.")
    assert_seen(seen)


def test_openai_python_2x(lawbot_server):
    seen = run_check(ROOT / ".venv-openai2" / "bin" / "python", lawbot_server)
    assert seen["version"].startswith("2.")
    assert_seen(seen)


def test_sdk_errors_for_the_new_endpoints(client):
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_does_not_exist")
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve("chatcmpl-does-not-exist")
    with pytest.raises(openai.BadRequestError) as bad:
        client.responses.create(model="lawbot-lite", input="x", reasoning={"effort": "low"})
    assert bad.value.param == "reasoning"


def test_openai_agents_sdk_runs_a_turn_with_both_models(lawbot_server):
    python = ROOT / ".venv-agents" / "bin" / "python"
    assert python.exists(), "`make test` installs the Agents SDK into .venv-agents"
    result = subprocess.run(
        [
            str(python),
            str(Path(__file__).with_name("agents_check.py")),
            lawbot_server.url,
            lawbot_server.secret,
            SEED,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    seen = json.loads(result.stdout)
    for name in ("responses", "chat_completions", "responses_streamed"):
        assert "勞動基準法 第 17 條" in seen[name], name
