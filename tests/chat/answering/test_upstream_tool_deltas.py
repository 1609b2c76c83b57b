"""An upstream LLM's tool calls relayed piece by piece as it streams them: each argument fragment
is a Chat Completions `delta.tool_calls` entry (id, type and name on the first) and a Responses
`response.function_call_arguments.delta` event, with the whole call once the stream ends."""

import json

import pytest

from tests.api_client import KeyClient, events, post
from tests.standin_llm import argument_pieces

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
SEED = "勞基法第38條，特休幾天？"
ARGUMENTS = json.dumps({"years": 3, "note": "特別休假 of a worker"}, ensure_ascii=False)
CALLS = [
    {"id": "call_1", "name": "lookup_leave", "arguments": ARGUMENTS},
    {"id": "call_2", "name": "lookup_pay", "arguments": '{"month": 7}'},
]
TOOLS = [
    {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}
    for name in ("lookup_leave", "lookup_pay")
]


@pytest.fixture
def client(api_secret, corpus) -> KeyClient:
    return KeyClient(api_secret)


def data_of(frames: list[str]) -> list[dict]:
    return [
        json.loads(line.removeprefix("data: "))
        for frame in frames
        for line in frame.split("\n")
        if line.startswith("data: ") and line != "data: [DONE]"
    ]


async def test_chat_stream_relays_each_argument_fragment_as_openai_shapes_it(client, upstream):
    upstream.reset(deltas=[], tool_calls=CALLS, argument_pieces=4)
    body = {
        "model": "lawbot-pro",
        "stream": True,
        "tools": TOOLS,
        "messages": [{"role": "user", "content": SEED}],
    }
    response = await post(client, body)
    assert response.status_code == 200
    chunks = data_of(await events(response))
    sent = [
        entry
        for c in chunks
        if c.get("choices")
        for entry in c["choices"][0]["delta"].get("tool_calls") or ()
    ]
    first = [s for s in sent if s["index"] == 0]
    assert first[0] == {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {
            "name": "lookup_leave",
            "arguments": argument_pieces(ARGUMENTS, upstream.script)[0],
        },
    }
    # Each later fragment on its own, exactly as the upstream cut it, with nothing but index.
    assert [s["function"]["arguments"] for s in first] == argument_pieces(
        ARGUMENTS, upstream.script
    )
    assert all(
        set(s) == {"index", "function"} and set(s["function"]) == {"arguments"} for s in first[1:]
    )
    second = [s for s in sent if s["index"] == 1]
    assert second[0]["id"] == "call_2" and second[0]["function"]["name"] == "lookup_pay"
    assert "".join(s["function"]["arguments"] for s in second) == '{"month": 7}'
    finishing = [c for c in chunks if c.get("choices") and c["choices"][0]["finish_reason"]]
    assert finishing[-1]["choices"][0]["finish_reason"] == "tool_calls"


async def test_responses_stream_opens_a_function_call_item_and_streams_its_arguments(
    client, upstream
):
    upstream.reset(deltas=[], tool_calls=CALLS[:1], argument_pieces=3)
    body = {
        "model": "lawbot-pro",
        "stream": True,
        "input": SEED,
        "tools": [{"type": "function", "name": "lookup_leave", "parameters": {"type": "object"}}],
    }
    response = await post(client, body, "/v1/responses")
    assert response.status_code == 200
    sent = data_of(await events(response))
    calls = [
        e
        for e in sent
        if e["type"].startswith("response.function_call")
        or (e["type"].startswith("response.output_item") and e["item"]["type"] == "function_call")
    ]
    kinds = [e["type"] for e in calls]
    assert kinds == [
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * 3,
        "response.function_call_arguments.done",
        "response.output_item.done",
    ]
    added, *deltas, done, item_done = calls
    assert added["item"] | {} == {
        "type": "function_call",
        "id": added["item"]["id"],
        "call_id": "call_1",
        "name": "lookup_leave",
        "arguments": "",
        "status": "in_progress",
    }
    assert {e["item_id"] for e in deltas + [done]} == {added["item"]["id"]}
    assert {e["output_index"] for e in calls} == {1}  # after the message, at 0
    assert [e["delta"] for e in deltas] == argument_pieces(ARGUMENTS, upstream.script)
    assert done["arguments"] == ARGUMENTS and done["name"] == "lookup_leave"
    assert item_done["item"]["arguments"] == ARGUMENTS
    assert item_done["item"]["status"] == "completed"
    completed = sent[-1]["response"]
    assert [o["arguments"] for o in completed["output"] if o["type"] == "function_call"] == [
        ARGUMENTS
    ]
    numbers = [e["sequence_number"] for e in sent]
    assert numbers == list(range(len(sent)))


async def test_a_call_without_its_id_gets_one_for_the_callers_answer(client, upstream):
    upstream.reset(deltas=[], tool_calls=[{**CALLS[1], "id": ""}])
    body = {"model": "lawbot-pro", "tools": TOOLS, "messages": [{"role": "user", "content": SEED}]}
    data = (await post(client, body)).json()
    call = data["choices"][0]["message"]["tool_calls"][0]
    assert call["id"].startswith("call_") and call["function"]["arguments"] == '{"month": 7}'
