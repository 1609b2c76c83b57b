"""The API and the chat page answer through one pipeline: the same question gets the same
citations in the same order on both, with and without an upstream LLM, and the turns an upstream
is sent alternate however the page's earlier answers ended."""

import json

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from chat.page.answer_worker import answer_generate
from chat.page.conversations import conversation_ask
from tests.api_client import KeyClient, events, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
# The calculation rests on 勞退條例 §11, which retrieval alone does not rank: the page once left
# it out of its list while its answer quoted it.
QUESTION = "2003年3月1日到職，2024年6月30日被資遣，月薪45000，資遣費怎麼算"


def refs(citations: list[dict]) -> list[tuple[str, str]]:
    return [(c["pcode"], c["article"]) for c in citations]


async def page_answer(owner, question: str, model: str, conversation_id=None) -> Message:
    asked = await sync_to_async(conversation_ask)(
        owner=owner, conversation_id=conversation_id, question=question, model=model
    )
    await answer_generate(message_id=asked.answer.pk)
    await asked.answer.arefresh_from_db()
    return asked.answer


async def api_citations(client, model: str) -> tuple[list, list]:
    payload = {"model": model, "messages": [{"role": "user", "content": QUESTION}]}
    plain = (await post(client, payload)).json()["citations"]
    frames = await events(await post(client, {**payload, "stream": True}))
    last = next(
        json.loads(f[6:])
        for f in reversed(frames)
        if f.startswith("data: {") and '"citations"' in f
    )
    return plain, last["citations"]


async def test_lite_cites_the_same_articles_in_the_same_order_everywhere(owner, api_secret, corpus):
    plain, streamed = await api_citations(KeyClient(api_secret), "lawbot-lite")
    page = await page_answer(owner, QUESTION, "lawbot-lite")
    assert ("N0030020", "11") in refs(plain)
    assert refs(page.citations) == refs(plain) == refs(streamed)
    assert page.citations == plain  # the same objects, not only the same articles


async def test_pro_with_an_upstream_cites_and_prompts_the_same_everywhere(
    owner, api_secret, corpus, upstream
):
    plain, streamed = await api_citations(KeyClient(api_secret), "lawbot-pro")
    api_prompt = upstream.last.body["messages"][0]["content"]
    page = await page_answer(owner, QUESTION, "lawbot-pro")
    page_prompt = upstream.last.body["messages"][0]["content"]
    assert refs(page.citations) == refs(plain) == refs(streamed)
    assert ("N0030020", "11") in refs(page.citations)
    # the page sends the calculation's facts and the articles they rest on, as the API does
    assert page_prompt == api_prompt
    assert "【計算結果】" in page_prompt and "勞工退休金條例 第 11 條" in page_prompt


async def test_after_a_failed_answer_the_upstream_gets_alternating_turns(owner, corpus, upstream):
    first = await page_answer(owner, "勞基法第38條", "lawbot-pro")
    await Message.objects.filter(pk=first.pk).aupdate(status="error", content="", error="boom")
    second = await page_answer(owner, "特休怎麼算", "lawbot-pro", first.conversation_id)
    assert second.status == "complete"
    dialogue = upstream.last.body["messages"][1:]
    assert [m["role"] for m in dialogue] == ["user"]  # the unanswered question went with its answer
    assert dialogue[0]["content"] == "特休怎麼算"
    third = await page_answer(owner, "那資遣費呢", "lawbot-pro", first.conversation_id)
    assert third.status == "complete"
    roles = [m["role"] for m in upstream.last.body["messages"][1:]]
    assert roles == ["user", "assistant", "user"]
