"""The official openai Python SDK (pinned 3.x in-process, pinned 2.x in its own venv) against daphne."""

import json
import subprocess
from pathlib import Path

import openai
import pytest

pytestmark = pytest.mark.e2e
SEED = "請說明勞動基準法中的資遣費計算方式"
SDK2_PYTHON = Path(__file__).resolve().parents[2] / ".venv-openai2" / "bin" / "python"


@pytest.fixture(params=["", "/v1"], ids=["root", "v1"])
def client(request, lawbot_server) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=lawbot_server.url + request.param, api_key=lawbot_server.secret, max_retries=0
    )


def test_streaming_loop_yields_the_answer_piece_by_piece(client):
    stream = client.chat.completions.create(
        model="lawbot-pro",
        messages=[{"role": "user", "content": SEED}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, citations, usage = [], [], None
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
        citations = (chunk.model_extra or {}).get("citations") or citations
        usage = chunk.usage or usage
    text = "".join(pieces)
    assert len([p for p in pieces if p]) > 10
    assert "勞動基準法 第 17 條" in text and "勞工退休金條例 第 12 條" in text
    assert {"勞動基準法 第 17 條", "勞工退休金條例 第 12 條"} <= {c["title"] for c in citations}
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0


def test_non_streaming_answer(client):
    completion = client.chat.completions.create(
        model="lawbot-lite", messages=[{"role": "user", "content": "勞基法第38條"}]
    )
    assert completion.choices[0].finish_reason == "stop"
    assert "勞動基準法 第 38 條" in completion.choices[0].message.content
    assert completion.model_extra["citations"][0]["article"] == "38"


def test_stream_helper_collects_a_final_completion(client):
    with client.chat.completions.stream(
        model="lawbot-lite", messages=[{"role": "user", "content": SEED}]
    ) as stream:
        final = stream.get_final_completion()
    assert "資遣費" in final.choices[0].message.content


def test_errors_raise_the_sdk_exceptions(lawbot_server, client):
    bad = openai.OpenAI(
        base_url=lawbot_server.url, api_key="lb-not-a-real-key-000000000000", max_retries=0
    )
    with pytest.raises(openai.AuthenticationError) as auth:
        bad.chat.completions.create(model="lawbot-pro", messages=[{"role": "user", "content": "x"}])
    assert auth.value.code == "invalid_api_key"
    with pytest.raises(openai.BadRequestError) as bad_request:
        client.chat.completions.create(
            model="lawbot-pro", messages=[{"role": "user", "content": "x"}], n=2
        )
    assert bad_request.value.param == "n"
    with pytest.raises(openai.NotFoundError) as not_found:
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])
    assert not_found.value.code == "model_not_found"


def test_models_list(client):
    assert [m.id for m in client.models.list()] == ["lawbot-pro", "lawbot-lite"]
    assert client.models.retrieve("lawbot-pro").owned_by == "lawbot"


def test_openai_sdk_2x_line(lawbot_server):
    assert SDK2_PYTHON.exists(), "`make test` installs the openai 2.x line into .venv-openai2"
    script = Path(__file__).with_name("sdk_check.py")
    result = subprocess.run(
        [str(SDK2_PYTHON), str(script), lawbot_server.url, lawbot_server.secret, SEED],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["version"].startswith("2.")
    assert "勞工退休金條例 第 12 條" in seen["streamed"]
    assert seen["non_streamed_finish"] == "stop"
    assert seen["errors"] == ["AuthenticationError", "BadRequestError", "NotFoundError"]
