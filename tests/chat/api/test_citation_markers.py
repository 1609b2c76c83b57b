"""The answer's markers [n] are 1-based indices of `citations`, streamed and not, and the chat
page's list is numbered the same way."""

import json
import re

import pytest
from django.test import Client

from chat.models import Conversation, Message
from tests.api_client import KeyClient, body, events, post

MARKER_RE = re.compile(r"\[(\d+)\]")
QUESTION = "被資遣了怎麼辦，月薪36000，年資2年"


def check(text: str, citations: list[dict]) -> None:
    markers = [int(m) for m in MARKER_RE.findall(text)]
    assert markers and list(dict.fromkeys(markers)) == list(range(1, len(citations) + 1))
    assert all(c["paragraph"] for c in citations)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_markers_index_the_citations_streamed_and_not(api_secret, corpus):
    client = KeyClient(api_secret)
    messages = [{"role": "user", "content": QUESTION}]
    data = (await post(client, body(messages=messages))).json()
    check(data["choices"][0]["message"]["content"], data["citations"])

    response = await post(client, body(messages=messages, stream=True))
    chunks = [json.loads(f[6:]) for f in await events(response) if f != "data: [DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == data["choices"][0]["message"]["content"]
    assert chunks[-1]["citations"] == data["citations"]
    check(text, chunks[-1]["citations"])


@pytest.mark.django_db
def test_the_page_numbers_its_list_as_the_markers_and_shows_the_paragraph(owner):
    conversation = Conversation.objects.create(owner=owner, title="資遣")
    Message.objects.create(conversation=conversation, role="user", content="資遣費？")
    citation = {
        "law": "勞動基準法",
        "pcode": "N0030001",
        "article": "2",
        "title": "勞動基準法 第 2 條",
        "url": "https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode=N0030001&flno=2",
        "text": "本法用詞定義：\n一、勞工：受僱者。\n四、平均工資：六個月內工資總額除以總日數。",
        "paragraph": "本法用詞定義：\n四、平均工資：六個月內工資總額除以總日數。",
    }
    answer = Message.objects.create(
        conversation=conversation,
        role="assistant",
        model="lawbot-lite",
        content="**簡答**：平均工資 [2]，資遣 [1]。",
        citations=[{**citation, "article": "17", "title": "勞動基準法 第 17 條"}, citation],
    )
    client = Client()
    client.force_login(owner)
    html = client.get(f"/c/{conversation.pk}/").content.decode()
    item = html.split(f'id="cite-{answer.pk}-2"')[1].split("</li>")[0]
    assert (
        '<span class="cite-number">[2]</span> <span class="cite-title">勞動基準法 第 2 條' in item
    )
    assert "四、平均工資" in item and "一、勞工" not in item  # the paragraph, not the article
