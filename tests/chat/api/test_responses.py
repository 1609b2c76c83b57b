"""The Responses API: POST /responses (plain and streamed), retrieve, delete, input items,
previous_response_id and conversation, citations as url_citation annotations."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from api_keys.services import api_key_create
from chat.api.responses_wire import url_annotations
from chat.models import Conversation, Message
from tests.api_client import SEED, KeyClient, assert_published, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
CITED = [{"url": "https://law/1", "title": "A 第 1 條"}, {"url": "https://law/2", "title": "B"}]


@pytest.fixture
def client(api_secret, corpus) -> KeyClient:
    return KeyClient(api_secret)


@pytest.fixture
def intruder(corpus) -> KeyClient:
    user = get_user_model().objects.create_user("intruder", password="intruder-password-1")
    return KeyClient(api_key_create(user=user, name="theirs").secret)


async def create(client, **fields) -> dict:
    response = await post(
        client, {"model": "lawbot-lite", "input": SEED, **fields}, "/v1/responses"
    )
    assert response.status_code == 200, response.content
    return response.json()


def output_text(response: dict) -> str:
    return response["output"][0]["content"][0]["text"]


async def stream_events(response) -> list[tuple[str, dict]]:
    raw = b"".join([chunk async for chunk in response.streaming_content]).decode()
    found = []
    for frame in filter(None, raw.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        found.append((lines["event"], json.loads(lines["data"])))
    return found


async def test_annotations_point_at_each_marker_of_a_citation():
    text = "依 A[1]，又依 B [2]；[3] 不是引用。"
    annotations = url_annotations(text, CITED)
    assert [(a["url"], text[a["start_index"] : a["end_index"]]) for a in annotations] == [
        ("https://law/1", "[1]"),
        ("https://law/2", "[2]"),
    ]
    assert all(a["type"] == "url_citation" and a["title"] for a in annotations)
    assert url_annotations("no markers", CITED) == []


async def test_a_response_answers_cites_and_counts(client):
    made = await create(client, instructions="Answer briefly.", metadata={"k": "v"})
    assert made["object"] == "response" and made["id"].startswith("resp_")
    assert made["status"] == "completed" and made["store"] is True
    message = made["output"][0]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"][0]["type"] == "output_text"
    assert "資遣費" in output_text(made)
    assert {"勞動基準法 第 17 條"} <= {c["title"] for c in made["citations"]}
    usage = made["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert made["instructions"] == "Answer briefly." and made["metadata"] == {"k": "v"}
    got = (await client.get(f"/v1/responses/{made['id']}")).json()
    assert output_text(got) == output_text(made) and got["citations"] == made["citations"]


async def test_max_output_tokens_makes_it_incomplete(client):
    made = await create(client, max_output_tokens=5)
    assert made["status"] == "incomplete"
    assert made["incomplete_details"] == {"reason": "max_output_tokens"}
    assert made["usage"]["output_tokens"] == 5


async def test_the_stream_sends_the_typed_events_in_order(client):
    response = await post(
        client, {"model": "lawbot-lite", "input": SEED, "stream": True}, "/v1/responses"
    )
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    found = await stream_events(response)
    kinds = [kind for kind, _ in found]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert all(data["type"] == kind for kind, data in found)
    assert [data["sequence_number"] for _, data in found] == list(range(len(found)))
    deltas = [data["delta"] for kind, data in found if kind == "response.output_text.delta"]
    assert len(deltas) > 10
    final = found[-1][1]["response"]
    assert output_text(final) == "".join(deltas) == found[-4][1]["text"]
    assert found[0][1]["response"]["status"] == "in_progress"
    stored = (await client.get(f"/v1/responses/{final['id']}")).json()
    assert output_text(stored) == "".join(deltas)


async def test_previous_response_id_continues_the_conversation(client):
    first = await create(client)
    second = await create(client, input="第 17 條呢？", previous_response_id=first["id"])
    assert second["previous_response_id"] == first["id"]
    conversation = await Conversation.objects.aget()  # one conversation, both answers
    assert conversation.source == "api"
    assert await Message.objects.filter(conversation=conversation).acount() == 4
    items = (await client.get(f"/v1/responses/{second['id']}/input_items")).json()
    assert [i["content"][0]["text"] for i in items["data"]] == ["第 17 條呢？"]
    # From the first answer again: a branch, in a conversation of its own.
    await create(client, input="另一個問題", previous_response_id=first["id"])
    assert await Conversation.objects.acount() == 2
    response = await post(
        client,
        {"model": "lawbot-lite", "input": "x", "previous_response_id": "resp_nope"},
        "/v1/responses",
    )
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "previous_response_id"


async def test_a_page_conversation_is_continued_by_its_id(client, owner):
    conversation = await Conversation.objects.acreate(owner=owner, title="from the page")
    await Message.objects.acreate(conversation=conversation, role="user", content=SEED)
    await Message.objects.acreate(conversation=conversation, role="assistant", content="答")
    made = await create(client, input="那第 17 條呢？", conversation=conversation.public_id)
    assert made["conversation"] == {"id": conversation.public_id}
    assert await Message.objects.filter(conversation=conversation).acount() == 4
    await conversation.arefresh_from_db()
    assert conversation.source == "page"
    response = await post(
        client,
        {
            "model": "lawbot-lite",
            "input": "x",
            "conversation": "conv_x",
            "previous_response_id": "r",
        },
        "/v1/responses",
    )
    assert response.status_code == 400


async def test_store_false_keeps_nothing(client):
    made = await create(client, store=False)
    assert made["store"] is False
    assert (await client.get(f"/v1/responses/{made['id']}")).status_code == 404
    assert await Conversation.objects.acount() == 0


async def test_input_items_and_delete(client):
    made = await create(
        client,
        input=[
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [{"type": "input_text", "text": SEED}]},
        ],
    )
    items = (await client.get(f"/v1/responses/{made['id']}/input_items")).json()
    assert [i["role"] for i in items["data"]] == ["user", "developer"]  # newest first
    items = (await client.get(f"/v1/responses/{made['id']}/input_items?order=asc&limit=1")).json()
    assert [i["role"] for i in items["data"]] == ["developer"] and items["has_more"]
    deleted = (await client.delete(f"/v1/responses/{made['id']}")).json()
    assert deleted == {"id": made["id"], "object": "response.deleted", "deleted": True}
    assert (await client.get(f"/v1/responses/{made['id']}")).status_code == 404
    assert await Conversation.objects.acount() == 0


@pytest.mark.parametrize(
    "fields, param, code",
    [
        ({"reasoning": {"effort": "low"}}, "reasoning", "unsupported_parameter"),
        ({"background": True}, "background", "unsupported_parameter"),
        ({"tools": [{"type": "web_search"}]}, "tools[0]", "unsupported_parameter"),
        (
            {"tools": [{"type": "function", "name": "f", "parameters": {}}]},
            "tools",
            "unsupported_parameter",
        ),
        ({"text": {"format": {"type": "json_object"}}}, "text.format", "unsupported_parameter"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "x"}]}]},
            "input[0].content[0]",
            "unsupported_parameter",
        ),
        ({"frequency": 1}, "frequency", "unknown_parameter"),
        ({"temperature": 3}, "temperature", "invalid_value"),
        ({"input": []}, "input", "invalid_value"),
        ({"input": [{"role": "developer", "content": "x"}]}, "input", "invalid_value"),
    ],
)
async def test_what_is_not_served_gets_a_400_naming_the_field(client, fields, param, code):
    response = await post(
        client, {"model": "lawbot-lite", "input": SEED, **fields}, "/v1/responses"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code)


async def test_another_users_response_is_a_404_on_every_endpoint(client, intruder, owner):
    made = await create(client)
    conversation = await Conversation.objects.aget()
    path = f"/v1/responses/{made['id']}"
    for call in [
        intruder.get(path),
        intruder.delete(path),
        intruder.get(path + "/input_items"),
        post(
            intruder,
            {"model": "lawbot-lite", "input": "x", "previous_response_id": made["id"]},
            "/v1/responses",
        ),
        post(
            intruder,
            {"model": "lawbot-lite", "input": "x", "conversation": conversation.public_id},
            "/v1/responses",
        ),
    ]:
        response = await call
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    assert (await client.get(path)).status_code == 200
    assert await Message.objects.filter(conversation=conversation).acount() == 2


async def test_input_items_list_every_item_as_openai_does(client):
    made = await create(
        client,
        input=[
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": "勞基法第 11 條"},
            {
                "type": "message",
                "role": "assistant",
                "id": "msg_from_the_client",
                "content": [{"type": "output_text", "text": "依第 11 條[1]", "annotations": []}],
            },
            {
                "type": "function_call",
                "id": "fc_from_the_client",
                "call_id": "call_1",
                "name": "lookup",
                "arguments": '{"q": "17"}',
            },
            {"type": "function_call_output", "call_id": "call_1", "output": "第 17 條全文"},
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": SEED},
                    {"type": "input_text", "text": "請附條號"},
                ],
            },
        ],
    )
    page = (await client.get(f"/v1/responses/{made['id']}/input_items?order=asc")).json()
    assert_published(page, "/responses/{response_id}/input_items")
    items = page["data"]
    assert [i["type"] for i in items] == [
        "message",
        "message",
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]
    ids = [i["id"] for i in items]
    assert [i.split("_")[0] for i in ids] == ["msg", "msg", "msg", "fc", "fco", "msg"]
    assert len(set(ids)) == 6 and (page["first_id"], page["last_id"]) == (ids[0], ids[-1])
    assert items[0] == {
        "type": "message",
        "id": ids[0],
        "status": "completed",
        "role": "developer",
        "content": [{"type": "input_text", "text": "Be brief."}],
    }
    assert items[1]["content"] == [{"type": "input_text", "text": "勞基法第 11 條"}]
    assert items[2]["role"] == "assistant" and items[2]["status"] == "completed"
    assert items[2]["content"] == [
        {"type": "output_text", "text": "依第 11 條[1]", "annotations": [], "logprobs": []}
    ]
    assert items[3] == {
        "type": "function_call",
        "id": ids[3],
        "call_id": "call_1",
        "name": "lookup",
        "arguments": '{"q": "17"}',
        "status": "completed",
    }
    assert items[4] == {
        "type": "function_call_output",
        "id": ids[4],
        "call_id": "call_1",
        "output": "第 17 條全文",
        "status": "completed",
    }
    assert items[5]["content"] == [
        {"type": "input_text", "text": SEED},
        {"type": "input_text", "text": "請附條號"},
    ]
    newest = (await client.get(f"/v1/responses/{made['id']}/input_items?limit=2")).json()
    assert [i["id"] for i in newest["data"]] == ids[:-3:-1] and newest["has_more"]
    after = newest["last_id"]
    rest = (await client.get(f"/v1/responses/{made['id']}/input_items?after={after}")).json()
    assert [i["id"] for i in rest["data"]] == ids[-3::-1] and not rest["has_more"]


async def test_input_items_of_a_follow_up_are_its_own_and_resending_is_fine(client):
    items = [{"role": "user", "content": SEED}]
    first = await create(client, input=items)
    again = await create(client, input=items + first["output"] + [{"role": "user", "content": "x"}])
    listed = (await client.get(f"/v1/responses/{again['id']}/input_items?order=asc")).json()
    assert [i["role"] for i in listed["data"]] == ["user", "assistant", "user"]
    assert (
        listed["data"][1]["content"][0]["annotations"]
        == first["output"][0]["content"][0]["annotations"]
    )
    follow = await create(client, input="第 17 條呢？", previous_response_id=again["id"])
    listed = (await client.get(f"/v1/responses/{follow['id']}/input_items")).json()
    assert [i["content"] for i in listed["data"]] == [
        [{"type": "input_text", "text": "第 17 條呢？"}]
    ]


@pytest.mark.parametrize(
    "query, status, param",
    [
        ("include[]=message.output_text.logprobs", 200, None),
        ("include=file_search_call.results", 200, None),
        ("include[]=everything", 400, "include"),
        ("include=reasoning.encrypted_content&" * 9, 400, "include"),
        ("limit=0", 400, "limit"),
        ("order=up", 400, "order"),
        ("after=msg_nope", 404, "after"),
    ],
)
async def test_input_items_query(client, query, status, param):
    made = await create(client)
    response = await client.get(f"/v1/responses/{made['id']}/input_items?{query}")
    assert response.status_code == status, response.content
    if param:
        assert response.json()["error"]["param"] == param


async def test_function_results_stay_in_the_history_of_a_follow_up(client):
    # A follow-up by previous_response_id sees the function call and its result it was given,
    # in order, as an upstream LLM requires (a call with no result is a 400 there).
    from chat.history import history_turns

    first = await create(
        client,
        input=[
            {"role": "user", "content": SEED},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call", "call_id": "c2", "name": "g", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "one"},
            {"type": "function_call_output", "call_id": "c2", "output": "two"},
        ],
    )
    answer = await Message.objects.select_related("conversation").aget(public_id=first["id"])
    turns = await sync_to_async(history_turns)(answer.conversation)
    assert [(t.role, [c["id"] for c in t.tool_calls], t.tool_call_id) for t in turns[:4]] == [
        ("user", [], ""),
        ("assistant", ["c1", "c2"], ""),
        ("tool", [], "c1"),
        ("tool", [], "c2"),
    ]
    assert turns[2].content == "one"


async def test_items_with_nul_are_stored_and_listed(client):
    made = await create(
        client,
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": SEED + "\x00"}]},
            {"type": "function_call", "call_id": "c\x00", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c\x00", "output": "\x00"},
        ],
    )
    listed = (await client.get(f"/v1/responses/{made['id']}/input_items?order=asc")).json()
    assert listed["data"][0]["content"][0]["text"] == SEED + "\ufffd"
    assert listed["data"][2]["output"] == "\ufffd"
