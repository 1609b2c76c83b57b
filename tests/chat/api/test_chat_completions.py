import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from api_keys.models import ApiKey, RequestLog
from api_keys.services import api_key_revoke
from tests.api_client import KeyClient, body, events, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def client(api_secret, corpus) -> AsyncClient:
    return KeyClient(api_secret)


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/chat/completions"])
async def test_non_streaming_answer_quotes_and_cites(client, path):
    response = await post(client, body(), path)
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion"
    assert data["id"].startswith("chatcmpl-")
    choice = data["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert "每滿一年發給一個月平均工資之資遣費" in choice["message"]["content"]
    titles = [c["title"] for c in data["citations"]]
    assert "勞動基準法 第 17 條" in titles and "勞工退休金條例 第 12 條" in titles
    citation = data["citations"][0]
    assert set(citation) == {
        "law",
        "pcode",
        "article",
        "title",
        "url",
        "text",
        "paragraph",
        "law_en",
    }
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens"] == 17


async def test_streaming_follows_the_contract(client):
    response = await post(client, body(stream=True, stream_options={"include_usage": True}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    assert not response.has_header("Content-Encoding")
    frames = await events(response)
    assert frames[-1] == "data: [DONE]"
    chunks = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert len({c["id"] for c in chunks}) == 1 and len({c["created"] for c in chunks}) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    content = [c for c in chunks[1:] if c["choices"] and c["choices"][0]["delta"].get("content")]
    assert len(content) > 10  # streamed in pieces, not at once
    finish = chunks[-2]
    assert finish["choices"][0]["delta"] == {} and finish["choices"][0]["finish_reason"] == "stop"
    assert any(c["title"] == "勞動基準法 第 17 條" for c in finish["citations"])
    usage = chunks[-1]
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    assert all(c["choices"][0]["logprobs"] is None for c in chunks[:-1])


async def test_without_include_usage_there_is_no_usage_chunk(client):
    frames = await events(await post(client, body(stream=True)))
    chunks = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all("usage" not in c for c in chunks)


async def test_max_tokens_ends_with_length(client):
    data = (await post(client, body(max_tokens=5))).json()
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] == 5


async def test_stop_ends_before_the_sequence(client):
    data = (await post(client, body(stop=["第 17 條"]))).json()
    content = data["choices"][0]["message"]["content"]
    assert "第 17 條" not in content and content


async def test_missing_and_wrong_keys_get_401(client, api_secret):
    anonymous = AsyncClient()
    for headers in (
        {},
        {"Authorization": "Bearer lb-nope"},
        {"Authorization": f"Bearer {api_secret}x"},
        {"Authorization": "Basic abc"},
    ):
        response = await anonymous.post(
            "/v1/chat/completions",
            json.dumps(body()),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "invalid_api_key" and error["type"] == "invalid_request_error"
        assert api_secret not in response.content.decode()


async def test_revoked_key_gets_401(client, api_secret):
    api_key = await ApiKey.objects.aget()
    await sync_to_async(api_key_revoke)(api_key=api_key)
    assert (await post(client, body())).status_code == 401


async def test_unknown_model_is_404(client):
    response = await post(client, body(model="gpt-4"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"


async def test_bad_body_is_400_with_param(client):
    response = await post(client, {"model": "lawbot-lite", "messages": []})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages"


async def test_oversized_body_is_413(client):
    response = await post(client, body(padding="x" * (1024 * 1024 + 10)))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


async def test_models_list_and_detail(client):
    data = (await client.get("/v1/models")).json()
    assert [m["id"] for m in data["data"]] == ["lawbot-pro", "lawbot-lite"]
    assert (await client.get("/models/lawbot-lite")).json()["owned_by"] == "lawbot"
    assert (await client.get("/v1/models/nope")).status_code == 404


async def test_unknown_paths_and_methods_answer_in_openai_format(client):
    for response, status in (
        (await client.get("/v1/nothing"), 404),
        (await client.put("/v1/chat/completions"), 405),
        (await client.delete("/v1/models"), 405),
    ):
        assert response.status_code == status
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}


async def test_healthz_needs_no_key(corpus):
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    assert response.json()["index"]["articles"] == 14


async def test_every_request_is_logged(client):
    await post(client, body())
    await post(client, body(model="nope"))
    frames = await events(await post(client, body(stream=True)))
    assert frames[-1] == "data: [DONE]"
    logs = [log async for log in RequestLog.objects.order_by("created_at")]
    assert [(log.status_code, log.streamed) for log in logs] == [
        (200, False),
        (404, False),
        (200, True),
    ]
    assert logs[0].completion_tokens > 0 and logs[0].api_key_id is not None
    assert logs[1].error_code == "model_not_found"
    assert (
        logs[2].finish_reason == "stop"
        and "資遣費" in logs[2].answer
        and logs[2].first_token_ms is not None
    )
