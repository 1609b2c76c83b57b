"""Stored chat completions (`store: true`): OpenAI's endpoints, scoped to the key's owner."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from api_keys.services import api_key_create
from chat.models import Conversation, Message
from tests.api_client import KeyClient, assert_published, body, events, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def client(api_secret, corpus) -> KeyClient:
    return KeyClient(api_secret)


@pytest.fixture
def intruder(corpus) -> KeyClient:
    """Another user's key: must see nothing of the owner's."""
    user = get_user_model().objects.create_user("intruder", password="intruder-password-1")
    return KeyClient(api_key_create(user=user, name="theirs").secret)


async def stored(client, **extra) -> dict:
    response = await post(client, body(store=True, **extra))
    assert response.status_code == 200, response.content
    return response.json()


async def test_a_stored_completion_is_listed_retrieved_and_keeps_its_citations(client):
    made = await stored(client, metadata={"topic": "severance"})
    assert made["metadata"] == {"topic": "severance"}
    listed = (await client.get("/v1/chat/completions")).json()
    assert listed["object"] == "list" and [c["id"] for c in listed["data"]] == [made["id"]]
    assert listed["first_id"] == listed["last_id"] == made["id"] and not listed["has_more"]
    got = (await client.get(f"/v1/chat/completions/{made['id']}")).json()
    assert got["choices"][0]["message"]["content"] == made["choices"][0]["message"]["content"]
    assert got["citations"] == made["citations"] and got["citations"]
    assert got["usage"] == made["usage"] and got["created"] == made["created"]


async def test_without_store_nothing_is_kept(client):
    await post(client, body())
    assert (await client.get("/chat/completions")).json()["data"] == []


async def test_a_streamed_completion_is_stored_whole(client):
    response = await post(client, body(store=True, stream=True))
    frames = await events(response)
    chunks = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    got = (await client.get(f"/v1/chat/completions/{chunks[0]['id']}")).json()
    assert got["choices"][0]["message"]["content"] == text
    assert got["choices"][0]["finish_reason"] == "stop"


async def test_pagination_filters_and_order(client):
    ids = [(await stored(client, metadata={"n": str(i % 2)}))["id"] for i in range(5)]
    page = (await client.get("/v1/chat/completions", {"limit": 2})).json()
    assert [c["id"] for c in page["data"]] == ids[:2] and page["has_more"]
    page = (await client.get("/v1/chat/completions", {"limit": 2, "after": ids[1]})).json()
    assert [c["id"] for c in page["data"]] == ids[2:4]
    page = (await client.get("/v1/chat/completions", {"order": "desc", "limit": 100})).json()
    assert [c["id"] for c in page["data"]] == ids[::-1] and not page["has_more"]
    page = (await client.get("/v1/chat/completions", {"metadata[n]": "1"})).json()
    assert [c["id"] for c in page["data"]] == [ids[1], ids[3]]
    page = (await client.get("/v1/chat/completions", {"model": "lawbot-pro"})).json()
    assert page["data"] == []
    for query, param in [({"limit": 101}, "limit"), ({"order": "up"}, "order")]:
        response = await client.get("/v1/chat/completions", query)
        assert response.status_code == 400 and response.json()["error"]["param"] == param
    response = await client.get("/v1/chat/completions", {"after": "chatcmpl-nope"})
    assert response.status_code == 404


async def test_update_metadata_messages_and_delete_everywhere(client):
    made = await stored(client)
    path = f"/v1/chat/completions/{made['id']}"
    response = await client.post(path, json.dumps({"metadata": {"a": "b"}}), "application/json")
    assert response.json()["metadata"] == {"a": "b"}
    response = await client.post(path, json.dumps({"model": "x"}), "application/json")
    assert response.status_code == 400 and response.json()["error"]["param"] == "model"
    messages = (await client.get(path + "/messages")).json()
    assert [m["role"] for m in messages["data"]] == ["user"]
    assert messages["data"][0]["id"] == f"{made['id']}-0"
    assert await Conversation.objects.filter(source="api").acount() == 1
    deleted = (await client.delete(path)).json()
    assert deleted == {"object": "chat.completion.deleted", "id": made["id"], "deleted": True}
    assert (await client.get(path)).status_code == 404
    assert await Conversation.objects.acount() == 0  # gone from the chat page too


async def test_a_stored_completion_is_a_conversation_of_its_owner(client, owner):
    made = await stored(client)
    conversation = await Conversation.objects.select_related("api_key").aget()
    assert conversation.owner_id == owner.pk and conversation.source == "api"
    assert conversation.api_key.name == "test"
    roles = [m.role async for m in Message.objects.filter(conversation=conversation)]
    assert roles == ["user", "assistant"]
    answer = await Message.objects.aget(role="assistant")
    assert answer.public_id == made["id"]


async def test_another_users_completion_is_a_404_on_every_endpoint(client, intruder):
    made = await stored(client)
    path = f"/v1/chat/completions/{made['id']}"
    calls = [
        intruder.get(path),
        intruder.post(path, json.dumps({"metadata": {"x": "y"}}), "application/json"),
        intruder.delete(path),
        intruder.get(path + "/messages"),
        intruder.get("/v1/chat/completions", {"after": made["id"]}),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    assert (await intruder.get("/v1/chat/completions")).json()["data"] == []
    got = (await client.get(path)).json()
    assert got["metadata"] == {}  # the intruder's update did nothing
    assert await sync_to_async(Message.objects.filter(public_id=made["id"]).exists)()


async def test_messages_keep_the_content_parts_they_were_sent_with(client):
    made = await stored(
        client,
        messages=[
            {"role": "system", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "勞基法"},
                    {"type": "text", "text": "第 17 條"},
                ],
            },
        ],
    )
    page = (await client.get(f"/v1/chat/completions/{made['id']}/messages")).json()
    assert_published(page, "/chat/completions/{completion_id}/messages")
    # As OpenAI: content is the text, content_parts the parts when parts were sent (else null).
    assert [(m["role"], m["content"], m["content_parts"]) for m in page["data"]] == [
        ("system", "Be brief.", None),
        (
            "user",
            "勞基法\n第 17 條",
            [{"type": "text", "text": "勞基法"}, {"type": "text", "text": "第 17 條"}],
        ),
    ]


async def test_messages_keep_the_tool_calls_an_upstream_was_relayed(client, upstream):
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    made = await stored(
        client,
        model="lawbot-pro",
        messages=[
            {"role": "user", "content": "勞基法第 17 條"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "結果"},
        ],
    )
    page = (await client.get(f"/v1/chat/completions/{made['id']}/messages")).json()
    assert_published(page, "/chat/completions/{completion_id}/messages")
    asked, called, result = page["data"]
    assert (called["role"], called["content"], called["tool_calls"]) == ("assistant", None, [call])
    assert (result["role"], result["content"]) == ("tool", "結果")
    assert "tool_calls" not in asked


async def test_a_nul_in_an_id_or_a_filter_finds_what_is_stored_not_a_database_error(client):
    # PostgreSQL refuses NUL in a query as it does in a row (the fuzz run's 503 on
    # `?after=…%00…`): lookups read NUL as U+FFFD, as a stored value keeps it.
    made = await stored(client, metadata={"k": "a\x00b"})
    for query in ({"after": "chatcmpl-\x00"}, {"after": "\x00"}):
        response = await client.get("/v1/chat/completions", query)
        assert response.status_code == 404, response.content
        assert response.json()["error"]["param"] == "after"
    page = (await client.get("/v1/chat/completions", {"metadata[k]": "a\x00b"})).json()
    assert [c["id"] for c in page["data"]] == [made["id"]]
    page = (await client.get("/v1/chat/completions", {"metadata[k\x00]": "x"})).json()
    assert page["data"] == []
    assert (await client.get("/v1/chat/completions", {"model": "lawbot-\x00"})).json()["data"] == []
    for path in ("/v1/chat/completions/chatcmpl-\x00", "/v1/responses/resp_\x00"):
        response = await client.get(path)
        assert response.status_code == 404, (path, response.content)
