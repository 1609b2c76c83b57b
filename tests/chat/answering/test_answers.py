"""The built-in composer's answers: the point first, next steps where asked, only the paragraph
that matters, a relevance floor, and markers that index the citations list."""

import re

import pytest

from chat.answering import citations as citations_module
from chat.answering.engines.composer import LEAD_LIMIT, LEAD_LIMIT_EN, _short, answer_text
from chat.answering.pipeline import answer_prepare
from chat.answering.selection import answer_plan
from chat.answering.turns import Turn
from laws.models import Article, Law
from laws.search import Hit, SearchResult

pytestmark = pytest.mark.django_db
MARKER_RE = re.compile(r"\[(\d+)\]")
QUESTIONS = [
    "月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？",
    "請說明勞動基準法中的資遣費計算方式",
    "公司要資遣我怎麼辦",
    "民法第184條",
    "勞動基準法第999條",
    "外星人入侵",
    "How many days of annual leave do I get?",
]


def prepare(question: str):
    return answer_prepare(turns=[Turn("user", question)], model="lawbot-lite")


def add_law(pcode: str, name: str, articles: dict[str, str], **fields) -> Law:
    law = Law.objects.create(
        pcode=pcode,
        name=name,
        level="法律",
        url=f"https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode={pcode}",
        content_hash=pcode,
        **fields,
    )
    for position, (number, content) in enumerate(articles.items()):
        Article.objects.create(law=law, position=position, number=number, content=content)
    return law


@pytest.fixture
def procedures(corpus):
    # Paraphrased test texts, not statute text.
    add_law(
        "N0020007",
        "勞資爭議處理法",
        {"9": "勞資爭議當事人申請調解時，應向勞務提供地之主管機關提出調解申請書。"},
        english_name="Act for Settlement of Labor-Management Disputes",
    )


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_answer_opens_with_a_short_direct_answer(corpus, question):
    text = answer_text(prepare(question))
    lead = text.split("\n\n")[0]
    assert lead.startswith(("**簡答**：", "**In short:** "))
    assert 1 <= len(lead.split("\n")) <= 4


def test_a_calculation_answers_first_with_its_result_and_article(corpus):
    prepared = prepare(QUESTIONS[0])
    lead = answer_text(prepared).split("\n\n")[0]
    assert "資遣費 78,750 元" in lead and "[1]" in lead
    assert prepared.citations[0]["title"] == "勞工退休金條例 第 12 條"


def test_without_a_calculation_the_deciding_paragraph_answers_first(corpus):
    lead = answer_text(prepare("請說明勞動基準法中的資遣費計算方式")).split("\n\n")[0]
    assert "依勞動基準法 第 17 條 [1]：「雇主依前條終止勞動契約者，應發給勞工資遣費" in lead
    assert "還需要" in lead  # and says what the calculation lacks


@pytest.mark.parametrize("question", QUESTIONS)
def test_markers_index_the_citations_in_order_and_every_citation_is_used(procedures, question):
    prepared = prepare(question)
    text = answer_text(prepared)
    markers = [int(m) for m in MARKER_RE.findall(text)]
    first_seen = list(dict.fromkeys(markers))
    assert first_seen == list(range(1, len(prepared.citations) + 1))


def test_no_article_is_quoted_twice(procedures):
    for question in QUESTIONS:
        text = answer_text(prepare(question))
        for article in Article.objects.all():
            assert text.count(article.content[:30]) <= 1, (question, article)


def test_a_question_asking_what_to_do_gets_next_steps_with_their_article(procedures):
    prepared = prepare("公司要資遣我怎麼辦")
    text = answer_text(prepared)
    assert text.index("**簡答**") < text.index("## 下一步") < text.index("## 引用條文")
    steps = text.split("## 下一步")[1].split("##")[0]
    # 勞基法 §74 and 勞動事件法 §16 are not in this corpus: only the step whose article is
    assert steps.count("去哪裡：") == 1 and "勞務提供地" in steps
    number = prepared.citations.index(
        next(c for c in prepared.citations if c["pcode"] == "N0020007")
    )
    assert f"（勞資爭議處理法 第 9 條 [{number + 1}]）" in steps
    assert prepared.citations[number]["paragraph"].startswith("勞資爭議當事人申請調解時")


def test_a_question_about_the_law_gets_no_next_steps(procedures):
    assert "## 下一步" not in answer_text(prepare("請說明勞動基準法中的資遣費計算方式"))


def test_an_article_from_an_unrelated_law_is_not_cited(corpus):
    estate = add_law("G0340072", "遺產及贈與稅法", {"18": "被繼承人遺產總額中減除免稅額。"})
    severance = Article.objects.get(law__pcode="N0030001", number="17")
    result = SearchResult(
        hits=[
            Hit(severance, 3.0, "text"),
            Hit(estate.articles.get(), 2.5, "text"),
            Hit(Article.objects.get(law__pcode="N0030001", number="16"), 2.0, "text"),
        ]
    )
    plan = answer_plan(question="被資遣可以拿多少資遣費", result=result, calculations=[])
    assert [c.article.number for c in plan.cited] == ["17", "16"]


def test_only_the_matching_subparagraph_is_quoted(corpus):
    prepared = prepare("平均工資是什麼")
    cited = next(c for c in prepared.citations if c["article"] == "2")
    assert cited["paragraph"] == (
        "本法用詞定義：\n四、平均工資：事由發生當日前六個月內工資總額除以該期間總日數之金額。"
    )
    assert cited["text"].count("\n") == 2  # the whole article stays in `text`
    assert "勞工：受雇主僱用" not in answer_text(prepared)


def test_citations_carry_the_paragraph_and_the_english_name(corpus):
    citation = prepare("民法第184條").citations[0]
    assert citation["paragraph"] == citation["text"]
    assert citation["law_en"] == "Civil Code"
    assert "text_en" not in citation and "url_en" not in citation


TRANSLATION = "An employer terminating a contract under the preceding article shall pay severance."


@pytest.fixture
def translated(corpus):
    """The Ministry's translation of 勞基法 §17, as the import of EngLaw.json stores it."""
    Article.objects.filter(law__pcode="N0030001", number="17").update(content_en=TRANSLATION)
    Law.objects.filter(pcode="N0030001").update(
        url_en="https://law.moj.gov.tw/Eng/LawClass/LawAll.aspx?pcode=N0030001",
        translated_date="20190619",
    )
    assert citations_module.english_of(Article.objects.get(law__pcode="N0030001", number="17"))


def test_an_english_answer_quotes_the_translation_beside_the_chinese(translated):
    prepared = prepare("How is severance pay calculated under the Labor Standards Act?")
    text = answer_text(prepared)
    assert text.startswith("**In short:** Under the Labor Standards Act (勞動基準法), Article 17")
    assert f"“{TRANSLATION}”" in text.split("\n\n")[0]
    assert "「雇主依前條終止勞動契約者" in text  # the Chinese, which is the law, beside it
    # what the calculation still needs comes after the quote, not inside it (a line right under
    # a "> " quote is part of the quote)
    lead = text.split("\n\n> 「", 1)[1]
    assert "」\n\nTo compute the amount I also need" in lead
    assert "The Chinese text is the law" in text
    # translated 2019-06-19, the Chinese last amended 2024-01-01 (the test corpus)
    assert "older than the Chinese text's last amendment of 2024-01-01" in text
    citation = next(c for c in prepared.citations if c["article"] == "17")
    assert citation["text_en"] == citation["paragraph_en"] == TRANSLATION
    assert citation["url_en"] == (
        "https://law.moj.gov.tw/Eng/LawClass/LawSingle.aspx?pcode=N0030001&flno=17"
    )


def test_a_translation_newer_than_the_amendment_is_not_flagged(translated):
    Law.objects.filter(pcode="N0030001").update(translated_date="20240301")
    text = answer_text(prepare("How is severance pay calculated under the Labor Standards Act?"))
    assert "older than" not in text


def test_the_direct_answer_joins_english_lines_with_a_space_and_cuts_between_words():
    english = "employer shall not engage in any of the following:\n8. Illegally withholding " + (
        "the passports of foreign workers " * 8
    )
    short = _short(english)
    assert "following: 8. Illegally" in short
    assert short.endswith("…") and len(short) <= LEAD_LIMIT + 1
    assert short[:-1].split(" ")[-1] in english.split(), short  # a whole word before the …
    # an English translation gets the room its longer words need
    assert len(_short(english, LEAD_LIMIT_EN)) > LEAD_LIMIT
    chinese = "雇主聘僱外國人不得有下列情事：\n八、非法扣留" + "護照" * 100
    assert _short(chinese).startswith("雇主聘僱外國人不得有下列情事：八、非法扣留")
    assert len(_short(chinese)) == LEAD_LIMIT + 1
