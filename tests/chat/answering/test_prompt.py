"""The prompt an upstream LLM is sent: articles, rules, facts, and the trimmed conversation."""

from chat.answering.engines.prompt import ARTICLE_LIMIT, prompt_messages
from chat.answering.turns import Turn
from laws.models import Article, Law
from laws.search import Hit, SearchResult
from laws.text import count_tokens

LABOUR = Law(pcode="N0030001", name="勞動基準法")


def hit(number: str, text: str, chapter: str = "") -> Hit:
    return Hit(Article(law=LABOUR, number=number, content=text, chapter=chapter), 1.0, "text")


HITS = [
    hit("17", "雇主依前條終止勞動契約者，應依下列規定發給勞工資遣費。" * 3, "第二章 勞動契約"),
    hit("16", "雇主依第十一條或第十三條但書之規定終止勞動契約者，其預告期間依下列各款之規定。"),
    hit("38", "勞工在同一雇主或事業單位，繼續工作滿一定期間者，應依下列規定給予特別休假。"),
]


def user(text: str) -> Turn:
    return Turn(role="user", content=text)


def test_articles_are_numbered_with_law_article_and_chapter():
    system = prompt_messages([user("資遣費怎麼算")], SearchResult(HITS), budget=6000)[0]
    assert system["role"] == "system"
    text = system["content"]
    assert "[1] 勞動基準法 第 17 條（第二章 勞動契約）\n雇主依前條終止勞動契約者" in text
    assert "[2] 勞動基準法 第 16 條" in text and "[3] 勞動基準法 第 38 條" in text
    assert text.index("[1]") < text.index("[2]") < text.index("[3]")


def test_no_articles_tells_the_model_to_say_so():
    text = prompt_messages([user("外星人")], SearchResult([]), budget=6000)[0]["content"]
    assert "找不到" in text and "[1]" not in text


def test_missing_articles_are_stated():
    result = SearchResult(HITS[:1], missing=["勞動基準法沒有第 999 條"])
    text = prompt_messages([user("勞基法第999條")], result, budget=6000)[0]["content"]
    assert "勞動基準法沒有第 999 條。" in text


def test_a_long_article_is_cut_with_a_link_to_the_official_text():
    long = hit("84-2", "工作年資" * ARTICLE_LIMIT)
    text = prompt_messages([user("年資")], SearchResult([long]), budget=100000)[0]["content"]
    assert (
        "…（全文：https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode=N0030001&flno=84-2）" in text
    )
    assert len(text) < 2 * ARTICLE_LIMIT + 1000


def test_old_turns_are_dropped_first_to_fit_the_budget():
    old = [user("第一個問題" * 50), Turn("assistant", "第一個回答" * 50)]
    recent = [user("第二個問題"), Turn("assistant", "第二個回答")]
    messages = [*old, *recent, user("那資遣費呢")]
    full = prompt_messages(messages, SearchResult(HITS), budget=100000)
    assert len(full) == 6
    system_tokens = count_tokens(full[0]["content"])
    trimmed = prompt_messages(messages, SearchResult(HITS), budget=system_tokens + 40)
    assert [m["content"] for m in trimmed[1:]] == ["第二個問題", "第二個回答", "那資遣費呢"]
    assert trimmed[0] == full[0]  # every article still there


def test_articles_are_dropped_from_the_end_when_even_the_question_does_not_fit():
    messages = [user("請問" * 200)]
    prompt = prompt_messages(messages, SearchResult(HITS), budget=600)
    text = prompt[0]["content"]
    assert "[1] 勞動基準法 第 17 條" in text and "[3]" not in text
    assert prompt[-1] == {"role": "user", "content": "請問" * 200}  # the question always goes
    tiny = prompt_messages(messages, SearchResult(HITS), budget=10)
    assert "[1]" in tiny[0]["content"] and "[2]" not in tiny[0]["content"]


def test_conversation_starts_with_the_user_after_trimming():
    messages = [Turn("assistant", "您好，請問有什麼問題？"), user("資遣費")]
    prompt = prompt_messages(messages, SearchResult(HITS), budget=100000)
    assert [m["role"] for m in prompt] == ["system", "user"]


class Severance:
    def facts(self) -> str:
        return "資遣費：36,000 × 1 = 36,000 元（勞動基準法 第 17 條）"


def test_calculation_facts_go_into_the_prompt():
    text = prompt_messages(
        [user("月薪36000年資1年資遣費多少")],
        SearchResult(HITS),
        budget=6000,
        calculations=[Severance()],
    )[0]
    assert "【計算結果】" in text["content"]
    assert "- 資遣費：36,000 × 1 = 36,000 元（勞動基準法 第 17 條）" in text["content"]


def test_without_calculations_there_are_no_facts():
    text = prompt_messages([user("月薪36000")], SearchResult(HITS), budget=6000)[0]
    assert "【計算結果】" not in text["content"]


def test_turns_alternate_after_a_failed_answer_and_start_with_the_user():
    turns = [
        Turn("assistant", "prefill from nowhere"),
        Turn("user", "第一題"),
        Turn("user", "第二題"),
        Turn("assistant", ""),
        Turn("user", "第三題"),
    ]
    prompt = prompt_messages(turns, SearchResult(HITS), budget=100000)
    assert [m["role"] for m in prompt] == ["system", "user"]
    assert prompt[1]["content"] == "第一題\n\n第二題\n\n第三題"
