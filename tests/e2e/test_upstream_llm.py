"""lawbot-pro on a live daphne whose upstream LLM is the stand-in, through the real SDKs."""

import json
import subprocess
import time
from pathlib import Path

import httpx
import openai
import pytest

from tests.standin_llm import ANSWER, USAGE, StandInLLM

pytestmark = pytest.mark.e2e
SEED = "請說明勞動基準法中的資遣費計算方式"
SDK2_PYTHON = Path(__file__).resolve().parents[2] / ".venv-openai2" / "bin" / "python"


@pytest.fixture(scope="module")
def standin():
    with StandInLLM() as server:
        yield server


@pytest.fixture(scope="module")
def server(lawbot_server_factory, standin):
    return lawbot_server_factory(
        LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b", LAWBOT_LLM_TIMEOUT="2"
    )


@pytest.fixture
def upstream(standin):
    standin.reset()
    yield standin
    standin.release()


@pytest.fixture
def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key=server.secret, max_retries=0)


def ask(**extra) -> dict:
    return {"model": "lawbot-pro", "messages": [{"role": "user", "content": SEED}], **extra}


def test_sdk_stream_relays_the_upstream_as_it_arrives(client, upstream):
    upstream.reset(hold_after=2)
    stream = client.chat.completions.create(
        **ask(stream=True, stream_options={"include_usage": True}, temperature=0.3, seed=42)
    )
    pieces, citations, usage = [], [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
            if len(pieces) == 2:
                # Two deltas through daphne while the upstream still holds the rest: no buffering.
                assert upstream.last.finished_at is None
                upstream.release()
        citations = (chunk.model_extra or {}).get("citations") or citations
        usage = chunk.usage or usage
    assert pieces == ANSWER
    assert "勞動基準法 第 17 條" in [c["title"] for c in citations]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (321, 54, 375)
    sent = upstream.last.body
    assert sent["temperature"] == 0.3 and sent["seed"] == 42
    assert "勞動基準法 第 17 條" in sent["messages"][0]["content"]


def test_sdk_non_streaming_answer_has_the_upstream_usage(client, upstream):
    completion = client.chat.completions.create(**ask(max_tokens=100))
    assert completion.choices[0].message.content == "".join(ANSWER)
    assert completion.usage.total_tokens == USAGE["total_tokens"]
    assert upstream.last.body["max_tokens"] == 100


def test_sdk_raises_on_an_upstream_http_error(client, upstream):
    upstream.reset(fail="status", status=500)
    with pytest.raises(openai.InternalServerError) as raised:
        client.chat.completions.create(**ask(stream=True))
    assert raised.value.status_code == 502
    assert raised.value.code == "upstream_error"
    assert "CUDA out of memory" in raised.value.message


def test_sdk_raises_on_an_error_mid_stream(client, upstream):
    upstream.reset(fail="die", fail_after=2)
    pieces = []
    with pytest.raises(openai.APIError) as raised:
        for chunk in client.chat.completions.create(**ask(stream=True)):
            if chunk.choices:
                pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == "".join(ANSWER[:2])
    assert "closed the connection" in raised.value.message


def test_timeout_before_the_first_byte_is_504(server, upstream):
    upstream.reset(fail="stall_headers")
    response = httpx.post(
        f"{server.url}/v1/chat/completions",
        json=ask(stream=True),
        headers={"Authorization": f"Bearer {server.secret}"},
        timeout=30,
    )
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "upstream_timeout"


def test_client_disconnect_closes_the_upstream_request(server, upstream):
    upstream.reset(hold_after=1)  # never released: only the disconnect can end it
    with httpx.stream(
        "POST",
        f"{server.url}/v1/chat/completions",
        json=ask(stream=True),
        headers={"Authorization": f"Bearer {server.secret}"},
        timeout=30,
    ) as response:
        received = ""
        for text in response.iter_text():
            received += text
            if ANSWER[0] in received:
                break
        left = time.monotonic()
    assert upstream.client_gone.wait(5), "the upstream never saw its client go away"
    assert upstream.last.gone_at - left < 2
    deadline, row = time.monotonic() + 10, None
    while row is None and time.monotonic() < deadline:
        rows = server.query(
            "select client_closed, answer from api_keys_requestlog where client_closed"
        )
        row = rows[0] if rows else None
        time.sleep(0.05)
    assert row is not None and bool(row[0]) and row[1] == ANSWER[0]


def test_models_show_the_upstream(client):
    assert client.models.retrieve("lawbot-pro").owned_by == "upstream:standin-7b"
    assert client.models.retrieve("lawbot-lite").owned_by == "lawbot"


def test_openai_sdk_2x_line_streams_from_the_upstream(server, upstream):
    script = Path(__file__).with_name("sdk_check.py")
    result = subprocess.run(
        [str(SDK2_PYTHON), str(script), server.url, server.secret, SEED],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["version"].startswith("2.")
    assert seen["streamed"] == "".join(ANSWER)
