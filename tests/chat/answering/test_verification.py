"""An upstream LLM's citations are checked against the corpus and the retrieved articles; what
does not stand is flagged in the answer and counted in the request log."""

import json
import re

import pytest
from asgiref.sync import sync_to_async

import chat.answering.verification as verification
from api_keys.models import RequestLog
from chat.answering.citations import Cited
from chat.answering.verification import citations_acheck, citations_check, flag_text
from laws.index import get_index
from laws.models import Article
from laws.search import Hit, lexicon
from tests.api_client import KeyClient, events, post
from tests.standin_llm import StandInLLM

SEED = "請說明勞動基準法中的資遣費計算方式"


def cited(*refs: tuple[str, str]) -> list[Cited]:
    articles = [Article.objects.get(law__pcode=p, number=n) for p, n in refs]
    return [Cited(Hit(article, 1.0, "text"), None) for article in articles]


@pytest.mark.django_db
def test_markers_past_the_list_missing_and_unretrieved_articles_are_flagged(corpus):
    retrieved = cited(("N0030001", "17"), ("N0030020", "12"))
    text = (
        "依勞動基準法第 17 條 [1] 與勞退條例第12條 [2]，另見 [3]；"
        "依民法第 9999 條亦同，刑法第185條之3 也有規定，再依勞基法第17條。"
    )
    found = citations_check(text, retrieved)
    assert [(u.cited, u.reason) for u in found] == [
        ("[3]", "marker"),
        ("民法第 9999 條", "missing"),
        ("中華民國刑法第 185-3 條", "not_retrieved"),
    ]
    note = flag_text(found, english=False)
    assert "引用查核" in note and "法規資料庫中沒有這一條" in note and "不在 Lawbot 檢索" in note
    assert "no such article" in flag_text(found, english=True)


@pytest.mark.django_db
def test_an_answer_citing_only_what_was_retrieved_is_not_flagged(corpus):
    retrieved = cited(("N0030001", "17"))
    assert citations_check("依勞動基準法第 17 條 [1]，雇主應發給資遣費。", retrieved) == []
    assert flag_text([], english=False) == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_from_async_code_the_check_says_the_same_and_uses_the_thread_only_to_look_up(
    corpus, monkeypatch
):
    retrieved = await sync_to_async(cited)(("N0030001", "17"), ("N0030020", "12"))
    lex = await sync_to_async(lambda: lexicon(get_index()))()
    trips = []
    real = verification.sync_to_async

    def counted(function):
        trips.append(function.__name__)
        return real(function)

    monkeypatch.setattr(verification, "sync_to_async", counted)
    right = "依勞動基準法第 17 條 [1] 與勞退條例第12條 [2]，另見 [3]。"
    assert await citations_acheck(right, retrieved, lex) == await sync_to_async(citations_check)(
        right, retrieved
    )
    assert [(u.cited, u.reason) for u in await citations_acheck(right, retrieved, lex)] == [
        ("[3]", "marker")
    ]
    assert trips == []  # every article it names was retrieved: no trip to the thread
    wrong = right + "依民法第 9999 條亦同，刑法第185條之3 也有規定，民法第 9999 條。"
    expected = await sync_to_async(citations_check)(wrong, retrieved)
    trips.clear()
    assert await citations_acheck(wrong, retrieved, lex) == expected
    assert trips == ["_unlisted_flags"]  # one trip, for both articles
    long = wrong + "。" * verification.INLINE_CHARS
    trips.clear()
    assert await citations_acheck(long, retrieved, lex) == expected
    assert await citations_acheck(wrong, retrieved, None) == expected
    assert trips == ["citations_check", "citations_check"]


@pytest.fixture(scope="module")
def standin():
    with StandInLLM() as server:
        yield server


@pytest.fixture
def upstream(standin, settings):
    standin.reset()
    settings.LAWBOT_LLM_BASE_URL = standin.url
    settings.LAWBOT_LLM_MODEL = "standin-7b"
    yield standin


@pytest.fixture
def client(api_secret, corpus) -> KeyClient:
    return KeyClient(api_secret)


def body(**extra) -> dict:
    return {"model": "lawbot-pro", "messages": [{"role": "user", "content": SEED}], **extra}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_prompt_numbers_the_articles_as_the_citations_list(client, upstream):
    data = (await post(client, body())).json()
    prompt = upstream.last.body["messages"][0]["content"]
    numbered = re.findall(r"^\[(\d+)\] (\S+) 第 (\S+) 條", prompt, re.M)
    assert [(int(n), f"{law} 第 {number} 條") for n, law, number in numbered] == [
        (i, c["title"]) for i, c in enumerate(data["citations"], 1)
    ]
    assert "[n]" in prompt and "方括號" in prompt  # it asks for the markers


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_wrong_citations_are_flagged_in_the_answer_and_counted(client, upstream):
    upstream.reset(cite="wrongly")
    data = (await post(client, body())).json()
    content = data["choices"][0]["message"]["content"]
    assert content.index("[1]") < content.index("⚠️ **引用查核**")
    assert "民法第 9999 條" in content.split("引用查核")[1]
    assert "中華民國刑法第 271 條" in content.split("引用查核")[1]
    log = await sync_to_async(RequestLog.objects.latest)("created_at")
    assert log.unverified_citations == 3 and log.answer == content


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_streamed_answer_gets_the_flag_before_the_citations(client, upstream):
    upstream.reset(cite="wrongly")
    response = await post(client, body(stream=True))
    frames = [json.loads(f[6:]) for f in await events(response) if f != "data: [DONE]"]
    text = "".join(f["choices"][0]["delta"].get("content", "") for f in frames if f["choices"])
    assert "引用查核" in text and frames[-1]["citations"]
    log = await sync_to_async(RequestLog.objects.latest)("created_at")
    assert log.unverified_citations == 3 and log.streamed


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_right_citations_pass_without_a_flag(client, upstream):
    upstream.reset(cite="rightly")
    data = (await post(client, body())).json()
    content = data["choices"][0]["message"]["content"]
    assert "[1]" in content and "引用查核" not in content
    log = await sync_to_async(RequestLog.objects.latest)("created_at")
    assert log.unverified_citations == 0
