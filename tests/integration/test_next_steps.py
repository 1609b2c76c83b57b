"""On the Ministry's full snapshot (LAWBOT_TEST_CORPUS): every article the next-steps tables cite
exists and is in force, and the composer answers the issue's questions as they should be."""

import pytest

from chat.answering.pipeline import answer_prepare
from chat.answering.turns import Turn
from laws.models import Article, Law
from laws.next_steps import kinds_load, steps_load
from laws.structure import is_deleted
from tests.composed import answer_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_next_steps_articles_exist_and_answers_answer(full_corpus):
    """One import of the snapshot for all of it (a minute each)."""
    for step in steps_load():
        article = Article.objects.filter(
            law__pcode=step.pcode, number=step.number, law__abolished=False
        ).first()
        assert article is not None and not is_deleted(article.content), step.key
    for kind in kinds_load():
        for pcode in kind.pcodes:
            assert Law.objects.filter(pcode=pcode, abolished=False).exists(), (kind.name, pcode)

    deposit_question_gets_the_rule_and_what_to_do()
    severance_question_cites_no_estate_tax()
    labour_consumer_criminal_and_traffic_questions_get_their_procedures()


def prepared(question: str):
    return answer_prepare(turns=[Turn("user", question)], model="lawbot-lite")


def deposit_question_gets_the_rule_and_what_to_do():
    answer = prepared("房東不還押金怎麼辦")
    text = answer_text(answer)
    assert text.startswith("**簡答**：依租賃住宅市場發展及管理條例 第 7 條")
    steps = text.split("## 下一步")[1].split("## ")[0]
    for where in ("存證信函", "調解委員會", "小額程序", "支付命令"):
        assert where in steps
    titles = [c["title"] for c in answer.citations]
    assert "鄉鎮市調解條例 第 10 條" in titles and "民事訴訟法 第 436-8 條" in titles


def severance_question_cites_no_estate_tax():
    answer = prepared("月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？")
    assert answer_text(answer).split("\n\n")[0].count("78,750") == 1
    assert all(c["law"] in ("勞動基準法", "勞工退休金條例") for c in answer.citations)


def labour_consumer_criminal_and_traffic_questions_get_their_procedures():
    cases = {
        "老闆不給加班費怎麼辦": "勞資爭議處理法 第 9 條",
        "和店家有消費糾紛要去哪裡申訴": "消費者保護法 第 43 條",
        "我明明沒偷東西，卻被人去警局亂告，我可以反告他嗎": "刑事訴訟法 第 237 條",
        "車禍對方不賠怎麼辦": "強制汽車責任保險法 第 7 條",
    }
    for question, title in cases.items():
        assert title in [c["title"] for c in prepared(question).citations], question
