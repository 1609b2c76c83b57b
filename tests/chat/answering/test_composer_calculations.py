import json
from datetime import date

import pytest
from django.test import AsyncClient

from chat.answering.citations import with_calculation_articles
from chat.answering.engines.composer import composer_deltas
from chat.answering.pipeline import answer_aprepare
from chat.answering.turns import Turn
from labour import calculate
from laws.models import Article
from laws.search import Hit, SearchResult
from tests.composed import composed

SEVERANCE = "月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？"
TODAY = date(2026, 11, 25)


def refs(result: SearchResult) -> list[tuple[str, str]]:
    return [(hit.article.law.pcode, hit.article.number) for hit in result.hits]


@pytest.mark.django_db
def test_answer_shows_the_calculation_before_the_quoted_articles(corpus):
    answer = composed(SEVERANCE, today=TODAY)
    assert answer.index("## 試算") < answer.index("## 引用條文")
    assert "78,750 元" in answer and "45,000 × 7/4" in answer
    # the article the calculation rests on is quoted, with its link
    assert (
        "[勞工退休金條例 第 12 條](https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode=N0030020&flno=12)"
        in answer
    )


@pytest.mark.django_db
def test_english_question_gets_an_english_calculation(corpus):
    question = "My monthly salary is NT$36,000 and I worked 2 years. How much severance pay?"
    answer = composed(question, today=TODAY)
    assert "## Calculation" in answer and "NT$36,000" in answer
    assert answer.index("## Calculation") < answer.index("## Cited articles")


@pytest.mark.django_db
def test_articles_retrieval_missed_are_fetched_and_cited_first(corpus):
    civil = Article.objects.select_related("law").get(law__pcode="B0000001", number="184")
    result = SearchResult(hits=[Hit(civil, 1.0, "text")])
    calculations = calculate(
        "2003年3月1日到職，2024年6月30日被資遣，月薪45000，資遣費", english=False
    )
    shown = with_calculation_articles(result, calculations)
    assert refs(shown) == [
        ("N0030001", "17"),
        ("N0030020", "12"),
        ("N0030020", "11"),
        ("B0000001", "184"),
    ]
    assert with_calculation_articles(shown, calculations).hits == shown.hits  # idempotent
    assert result.hits == [Hit(civil, 1.0, "text")]  # the caller's result is left alone


@pytest.mark.django_db
def test_an_article_missing_from_the_corpus_is_left_out(corpus):
    calculations = calculate("月薪36000，平日工作10小時，加班費", english=False)
    shown = with_calculation_articles(SearchResult(hits=[]), calculations)
    assert refs(shown) == [("N0030001", "24")]  # the synthetic corpus has no 第 32 條


@pytest.mark.django_db
def test_question_without_numbers_gets_the_formula(corpus):
    question = "請說明勞動基準法中的資遣費計算方式"
    answer = composed(question)
    assert "## 試算" in answer and "公式" in answer and "請提供" in answer
    assert "每滿一年發給一個月平均工資之資遣費" in answer  # the articles are still quoted


@pytest.mark.django_db
def test_question_without_a_calculation_is_unchanged(corpus):
    question = "民法第184條"
    answer = composed(question)
    assert "## 試算" not in answer
    assert answer.startswith("**簡答**：依民法 第 184 條 [1]：「因故意或過失，不法侵害他人之權利者")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_streamed_answer_carries_the_calculation(corpus):
    prepared = await answer_aprepare(turns=[Turn("user", SEVERANCE)], model="lawbot-lite")
    text = "".join([piece async for piece in composer_deltas(prepared)])
    assert "## 試算" in text and "78,750" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_api_cites_the_articles_the_calculation_rests_on(corpus, api_secret):
    client = AsyncClient()
    question = "月薪36000，年資2年，公司沒有預告就資遣我，預告工資多少？"
    payload = {"model": "lawbot-lite", "messages": [{"role": "user", "content": question}]}
    response = await client.post(
        "/v1/chat/completions",
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_secret}"},
    )
    data = response.json()
    assert response.status_code == 200, data
    content = data["choices"][0]["message"]["content"]
    assert "24,000" in content and "36,000" in content
    cited = {(c["pcode"], c["article"]) for c in data["citations"]}
    assert {("N0030001", "16"), ("N0030020", "12")} <= cited


@pytest.mark.django_db
def test_calculators_read_only_the_start_and_end_of_a_huge_question(monkeypatch, corpus):
    """A 1 MiB question held the database thread ~9 s while the calculators parsed all of it."""
    from chat.answering import pipeline

    read = []

    def calculate(question, **kwargs):
        read.append(question)
        return []

    monkeypatch.setattr(pipeline, "calculate", calculate)
    question = "月薪4萬5 " * 86_000 + "資遣費多少"
    pipeline.answer_prepare(turns=[Turn("user", question)], model="lawbot-lite")
    assert len(read[0]) <= pipeline.CALCULATION_CHARS + 1
    assert read[0].endswith("資遣費多少")  # the question after a pasted document is kept


@pytest.mark.django_db
def test_retrieval_and_the_plan_read_only_the_start_and_end_of_a_huge_question(monkeypatch, corpus):
    """Each of these scanned all of a 1 MiB question in one call holding the GIL (tens of ms
    each), so /healthz on its own thread still waited ~0.3 s behind the database thread."""
    from chat.answering import pipeline, selection
    from laws import next_steps, search

    read: list[tuple[str, int]] = []

    def recording(module, name):
        original = getattr(module, name)

        def wrapper(text, *args, **kwargs):
            read.append((name, len(text)))
            return original(text, *args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    recording(search, "is_english")
    recording(selection, "weights")
    recording(next_steps, "asks_what_to_do")
    recording(pipeline, "search")
    question = "月薪4萬5 " * 86_000 + "資遣費多少"
    prepared = pipeline.answer_prepare(turns=[Turn("user", question)], model="lawbot-lite")
    assert {name for name, _ in read} >= {"is_english", "weights", "asks_what_to_do", "search"}
    # The plan weighs the analysis' words beside the question: twice MAX_QUESTION at most.
    assert max(length for _, length in read) <= 3 * search.MAX_QUESTION, read
    assert prepared.question == question  # the engines still get all of it
