"""lawbot-pro through an upstream OpenAI-compatible server (the stand-in), called in-process."""

import json

import pytest
from asgiref.sync import sync_to_async

from api_keys.models import RequestLog
from chat.answering.errors import AnswerError
from chat.answering.pipeline import AnswerOptions, PreparedAnswer, engine_open
from chat.answering.stopping import Finish
from chat.answering.turns import Turn
from laws.search import SearchResult
from tests.api_client import KeyClient, events, post
from tests.standin_llm import ANSWER, USAGE, refused_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
SEED = "請說明勞動基準法中的資遣費計算方式"


def body(**extra) -> dict:
    return {"model": "lawbot-pro", "messages": [{"role": "user", "content": SEED}], **extra}


@pytest.fixture
def client(api_secret, corpus) -> KeyClient:
    return KeyClient(api_secret)


def chunks_of(frames: list[str]) -> list[dict]:
    return [json.loads(f.removeprefix("data: ")) for f in frames if f != "data: [DONE]"]


async def last_log() -> RequestLog:
    return await sync_to_async(RequestLog.objects.latest)("created_at")


async def test_answer_comes_from_the_upstream_with_retrieval_citations(client, upstream):
    response = await post(client, body())
    assert response.status_code == 200
    data = response.json()
    assert data["choices"][0]["message"]["content"] == "".join(ANSWER)
    assert data["choices"][0]["finish_reason"] == "stop"
    assert data["usage"] == USAGE
    assert "勞動基準法 第 17 條" in [c["title"] for c in data["citations"]]
    log = await last_log()
    assert (log.prompt_tokens, log.completion_tokens) == (321, 54)
    assert log.answer == "".join(ANSWER)


async def test_system_prompt_numbers_the_articles_and_states_the_rules(client, upstream):
    await post(client, body())
    sent = upstream.last.body
    assert sent["model"] == "standin-7b"
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    system, question = sent["messages"]
    assert system["role"] == "system" and question == {"role": "user", "content": SEED}
    prompt = system["content"]
    assert "[1] " in prompt and "勞動基準法 第 17 條" in prompt
    assert "每滿一年發給一個月平均工資之資遣費" in prompt  # the article's text itself
    assert "繁體中文" in prompt and "不構成法律意見" in prompt
    assert "不足以回答" in prompt
    assert upstream.last.headers["authorization"] == "Bearer none"


async def test_english_question_asks_for_an_english_answer(client, upstream):
    question = "How is severance pay calculated under the Labor Standards Act?"
    await post(client, body(messages=[{"role": "user", "content": question}]))
    prompt = upstream.last.body["messages"][0]["content"]
    assert "answer in English" in prompt and "not legal advice" in prompt


async def test_sampling_parameters_stop_and_max_tokens_are_passed_through(client, upstream):
    await post(
        client,
        body(
            temperature=0.2,
            top_p=0.9,
            seed=7,
            frequency_penalty=0.5,
            presence_penalty=-0.5,
            user="u-1",
            stop=["END", "###"],
            max_completion_tokens=64,
            parallel_tool_calls=False,
        ),
    )
    sent = upstream.last.body
    assert sent["temperature"] == 0.2 and sent["top_p"] == 0.9 and sent["seed"] == 7
    assert sent["frequency_penalty"] == 0.5 and sent["presence_penalty"] == -0.5
    assert sent["user"] == "u-1"
    assert sent["stop"] == ["END", "###"]
    assert sent["max_tokens"] == 64 and "max_completion_tokens" not in sent
    assert "parallel_tool_calls" not in sent


async def test_max_tokens_name_follows_the_setting(client, upstream, settings):
    settings.LAWBOT_LLM_MAX_TOKENS_PARAM = "max_completion_tokens"
    await post(client, body(max_tokens=10))
    sent = upstream.last.body
    assert sent["max_completion_tokens"] == 10 and "max_tokens" not in sent


async def test_callers_system_message_joins_the_one_system_prompt(client, upstream):
    messages = [
        {"role": "system", "content": "請用條列式回答。"},
        {"role": "user", "content": "勞基法第38條"},
        {"role": "assistant", "content": "特別休假…"},
        {"role": "user", "content": SEED},
    ]
    await post(client, body(messages=messages))
    sent = upstream.last.body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert "請用條列式回答。" in sent[0]["content"]


async def test_stream_relays_each_delta_before_the_upstream_finishes(client, upstream):
    upstream.reset(hold_after=2)
    response = await post(client, body(stream=True, stream_options={"include_usage": True}))
    assert response.status_code == 200
    content = aiter(response.streaming_content)
    received = b""
    while ANSWER[1].encode() not in received:
        received += await anext(content)
    assert upstream.last.finished_at is None  # the upstream is still holding the rest
    upstream.release()
    async for part in content:
        received += part
    frames = [f for f in received.decode().split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    chunks = chunks_of(frames)
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    assert [p for p in pieces if p] == ANSWER  # delta by delta, not merged
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop" and chunks[-2]["citations"]
    assert chunks[-1]["usage"] == USAGE


async def test_finish_reason_comes_from_the_upstream(client, upstream):
    upstream.reset(finish_reason="length")
    response = await post(client, body(max_tokens=4))
    assert response.json()["choices"][0]["finish_reason"] == "length"


async def test_usage_falls_back_to_lawbots_count_without_upstream_usage(client, upstream):
    upstream.reset(usage=None)
    data = (await post(client, body())).json()
    assert data["usage"]["prompt_tokens"] == 17  # laws.text.count_tokens of the question
    assert data["usage"]["completion_tokens"] > 0 and data["usage"] != USAGE


async def test_lawbot_lite_never_calls_the_upstream(client, upstream):
    response = await post(client, body(model="lawbot-lite"))
    assert response.status_code == 200
    assert upstream.requests == []


async def test_models_name_the_upstream_for_lawbot_pro(client, upstream):
    data = (await client.get("/v1/models")).json()["data"]
    owners = {m["id"]: m["owned_by"] for m in data}
    assert owners == {"lawbot-pro": "upstream:standin-7b", "lawbot-lite": "lawbot"}


async def test_models_without_an_upstream_are_lawbots(client):
    data = (await client.get("/v1/models/lawbot-pro")).json()
    assert data["owned_by"] == "lawbot"


BEFORE_STREAM = [
    ({"fail": "status", "status": 500}, 502, "upstream_error", "CUDA out of memory"),
    (
        {"fail": "status", "status": 400, "message": "context too long"},
        502,
        "upstream_error",
        "context too long",
    ),
    ({"fail": "stall_headers"}, 504, "upstream_timeout", "did not respond"),
    (
        {"fail": "status", "status": 401, "message": "bad key sk-12***89"},
        502,
        "upstream_error",
        "LAWBOT_LLM_API_KEY",
    ),
]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("script", "status", "code", "message"), BEFORE_STREAM)
async def test_failure_before_the_first_byte_is_an_http_error(
    client, upstream, settings, stream, script, status, code, message
):
    settings.LAWBOT_LLM_TIMEOUT = 0.5
    upstream.reset(**script)
    response = await post(client, body(stream=stream))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["type"] == "server_error"
    assert message in error["message"] and "sk-12" not in error["message"]
    upstream_status = script.get("status", 500)
    assert response.has_header("x-should-retry") == (upstream_status < 500)
    log = await last_log()
    assert (log.status_code, log.error_code) == (status, code)
    assert len(upstream.requests) == 1  # not retried


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_refused_upstream_is_503_unavailable(client, upstream, settings, stream):
    settings.LAWBOT_LLM_BASE_URL = refused_url()
    response = await post(client, body(stream=stream))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert (await last_log()).error_code == "upstream_unavailable"


MID_STREAM = [
    ({"fail": "error_event"}, "upstream_error", "CUDA out of memory"),
    ({"fail": "garbage"}, "upstream_error", "malformed"),
    ({"fail": "die"}, "upstream_error", "closed the connection"),
    ({"fail": "truncate"}, "upstream_error", "ended before"),
    ({"fail": "stall_body"}, "upstream_timeout", "did not respond"),
]


@pytest.mark.parametrize(("script", "code", "message"), MID_STREAM)
async def test_failure_mid_stream_is_an_error_event_then_done(
    client, upstream, settings, script, code, message
):
    settings.LAWBOT_LLM_TIMEOUT = 0.5
    upstream.reset(**script)
    response = await post(client, body(stream=True))
    assert response.status_code == 200
    frames = await events(response)
    assert frames[-1] == "data: [DONE]"
    error = json.loads(frames[-2].removeprefix("data: "))["error"]
    assert error["code"] == code and message in error["message"]
    assert ANSWER[0] in "".join(frames[:-2])  # what came before the failure was relayed
    log = await last_log()
    assert log.error_code == code and log.answer == ANSWER[0]
    assert len(upstream.requests) == 1


@pytest.mark.parametrize(("script", "code", "message"), MID_STREAM)
async def test_failure_mid_answer_without_streaming_is_an_http_error(
    client, upstream, settings, script, code, message
):
    settings.LAWBOT_LLM_TIMEOUT = 0.5
    upstream.reset(**script)
    response = await post(client, body())
    assert response.status_code == (504 if code == "upstream_timeout" else 502)
    assert response.json()["error"]["code"] == code


def prepared_without_articles() -> PreparedAnswer:
    return PreparedAnswer(
        model="lawbot-pro",
        turns=[Turn("user", SEED)],
        question=SEED,
        english=False,
        calculations=[],
        result=SearchResult([]),
    )


async def test_the_engine_relays_a_prepared_answer(upstream):
    finish = Finish()
    deltas = await engine_open(prepared_without_articles(), AnswerOptions(), finish)
    pieces = [piece async for piece in deltas]
    assert pieces == ANSWER
    assert finish.usage == USAGE and finish.reason == "stop"
    assert "找不到" in upstream.last.body["messages"][0]["content"]


async def test_the_engine_raises_upstream_errors_before_the_first_delta(upstream):
    upstream.reset(fail="status", status=503, message="loading model")
    with pytest.raises(AnswerError) as raised:
        await engine_open(prepared_without_articles(), AnswerOptions(), Finish())
    assert raised.value.status == 502 and "loading model" in raised.value.message
