"""A follow-up's calculation reuses the earlier turns' facts, on the API and the page alike."""

import pytest

from tests.api_client import KeyClient, post
from tests.chat.answering.test_one_pipeline import page_answer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
FIRST = "2003年3月1日到職，2024年6月30日被資遣，月薪45000，資遣費怎麼算"
FOLLOW_UP = "如果我是2004年到職，2007年底被資遣呢？"


async def test_the_api_follow_up_computes_with_the_earlier_wage(api_secret, corpus):
    first = await post(
        KeyClient(api_secret),
        {"model": "lawbot-lite", "messages": [{"role": "user", "content": FIRST}]},
    )
    messages = [
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": first.json()["choices"][0]["message"]["content"]},
        {"role": "user", "content": FOLLOW_UP},
    ]
    data = (
        await post(KeyClient(api_secret), {"model": "lawbot-lite", "messages": messages})
    ).json()
    answer = data["choices"][0]["message"]["content"]
    assert "123,750" in answer
    assert "沿用您先前提供的：月薪 45,000 元。" in answer
    assert "請提供" not in answer.split("## 引用條文")[0]  # it does not ask for the wage again


async def test_the_page_follow_up_computes_with_the_earlier_wage(owner, corpus):
    first = await page_answer(owner, FIRST, "lawbot-lite")
    second = await page_answer(owner, FOLLOW_UP, "lawbot-lite", first.conversation_id)
    assert "123,750" in second.content and "沿用您先前提供的" in second.content


async def test_an_upstream_is_given_the_carried_facts(owner, corpus, upstream):
    first = await page_answer(owner, FIRST, "lawbot-pro")
    await page_answer(owner, "那月薪5萬呢？", "lawbot-pro", first.conversation_id)
    system = upstream.last.body["messages"][0]["content"]
    assert "沿用您先前提供的：到職日 2003年3月1日、離職日 2024年6月30日。" in system
    assert "416,667" in system
