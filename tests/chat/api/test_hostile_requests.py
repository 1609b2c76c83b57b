"""Hostile requests through the whole API stack: every one a clear OpenAI error or a clean answer."""

import json

import pytest
from django.test import AsyncClient

from api_keys.models import RequestLog
from tests.api_client import KeyClient, body, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
FRAMING = [
    "\n\ndata: [DONE]\n\n",
    "x\r\n\r\ndata: {}\r\n\r\n",
    "lone\rcarriage\rreturns\r",
    "event: error\nid: 9\nretry: 1\n: comment\n",
    "line\u2028separator\u2029and\x85next line",
    "nul\x00byte",
    "emoji 😀 and 𠀀𝄞 astral",
]


@pytest.fixture
def client(api_secret, corpus) -> AsyncClient:
    return KeyClient(api_secret)


@pytest.fixture
def echo_engine(monkeypatch):
    """An engine that streams the question back, as an LLM quoting its prompt might."""

    async def echo(question: str):
        for i in range(0, len(question), 3):
            yield question[i : i + 3]

    async def engine_open(prepared, options, finish):
        return echo(prepared.question)

    monkeypatch.setattr("chat.api.completion_wire.engine_open", engine_open)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def frames_of(raw: bytes) -> list[dict]:
    """The stream's raw bytes, checked frame by frame: one `data:` line each, [DONE] once, last."""
    assert raw.endswith(b"\n\n")
    frames = raw[:-2].split(b"\n\n")
    assert frames[-1] == b"data: [DONE]"
    assert frames.count(b"data: [DONE]") == 1
    chunks = []
    for frame in frames[:-1]:
        assert frame.startswith(b"data: {")
        assert b"\n" not in frame and b"\r" not in frame
        text = frame.decode()
        assert len(text.splitlines()) == 1  # even for readers that split on U+2028
        chunks.append(json.loads(text.removeprefix("data: ")))
    return chunks


@pytest.mark.parametrize("evil", FRAMING)
async def test_prompt_text_cannot_break_the_stream_framing(client, echo_engine, evil):
    response = await post(client, body(stream=True, messages=[{"role": "user", "content": evil}]))
    assert response.status_code == 200
    raw = b"".join([chunk async for chunk in response.streaming_content])
    chunks = frames_of(raw)
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == evil


async def test_nul_bytes_answer_and_are_logged_without_them(client, echo_engine):
    response = await post(client, body(messages=[{"role": "user", "content": "a\x00b"}]))
    assert response.json()["choices"][0]["message"]["content"] == "a\x00b"
    log = await RequestLog.objects.aget()
    assert log.question == "a\ufffdb" and log.answer == "a\ufffdb"


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 50_000 + b"]" * 50_000,
        b'{"model": "lawbot-lite", "metadata": ' + b'{"a": ' * 10_000 + b"1" + b"}" * 10_001,
    ],
)
async def test_deeply_nested_json_is_400(client, raw):
    response = await client.post("/v1/chat/completions", raw, content_type="application/json")
    assert error_of(response, 400)["code"] == "invalid_json"


async def test_a_huge_message_list_is_400_naming_messages(client):
    messages = [{"role": "user", "content": ""}] * 30_000  # ~1 MiB
    error = error_of(await post(client, body(messages=messages)), 400)
    assert error["param"] == "messages" and "1000" in error["message"]


async def test_invalid_utf8_is_400(client):
    raw = b'{"model": "lawbot-lite", "messages": [{"role": "user", "content": "\xc3\x28"}]}'
    response = await client.post("/v1/chat/completions", raw, content_type="application/json")
    error = error_of(response, 400)
    assert error["code"] == "invalid_json" and "UTF-8" in error["message"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
async def test_wrong_or_missing_content_type_is_400(client, content_type):
    response = await client.post(
        "/v1/chat/completions", json.dumps(body()), content_type=content_type
    )
    assert error_of(response, 400)["code"] == "invalid_content_type"


async def test_json_content_type_with_charset_and_odd_case_is_fine(client):
    response = await client.post(
        "/v1/chat/completions", json.dumps(body()), content_type="Application/JSON; charset=utf-8"
    )
    assert response.status_code == 200


async def test_a_long_single_message_within_the_limit_is_answered(client):
    question = "勞動基準法第17條資遣費" * 30_000  # 960,000 bytes of UTF-8
    raw = json.dumps(body(messages=[{"role": "user", "content": question}]), ensure_ascii=False)
    response = await client.post("/v1/chat/completions", raw, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["usage"]["prompt_tokens"] > 300_000


async def test_a_body_just_over_the_limit_is_413(client):
    question = "x" * (1024 * 1024)
    error = error_of(
        await post(client, body(messages=[{"role": "user", "content": question}])), 413
    )
    assert error["code"] == "request_too_large"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer      ",
        "Basic dXNlcjpwYXNz",
        "Token {secret}",
        "Bearer {secret} extra",
        "Bearer {secret}\x00",
        "Bearer lb-\x00\x01\x02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "Bearer lb-ü" + "a" * 40,
        "Bearer " + "lb-" + "a" * 100_000,
        "{secret}",
    ],
)
async def test_odd_authorization_headers_are_401_without_echoing(corpus, api_secret, header):
    header = header.replace("{secret}", api_secret)
    response = await AsyncClient().post(
        "/v1/chat/completions",
        json.dumps(body()),
        content_type="application/json",
        headers={"Authorization": header},
    )
    error = error_of(response, 401)
    assert error["code"] == "invalid_api_key"
    assert api_secret not in response.content.decode() and "aaaa" not in error["message"]


async def test_lower_case_scheme_and_extra_spaces_still_authenticate(corpus, api_secret):
    for header in (f"bearer {api_secret}", f"Bearer   {api_secret}  "):
        response = await AsyncClient().get("/v1/models", headers={"Authorization": header})
        assert response.status_code == 200, header
