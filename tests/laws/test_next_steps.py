"""Next steps: the tables load and validate like the cards, and questions find their kind."""

import pytest

from laws.next_steps import (
    NextStepError,
    asks_what_to_do,
    dispute_kind,
    kinds_load,
    next_steps,
    steps_load,
)


def test_the_tables_load_and_every_kind_has_steps():
    kinds, steps = kinds_load(), steps_load()
    assert {k.name for k in kinds} == {s.kind for s in steps}
    assert all(step.chinese and step.where and step.english and step.where_en for step in steps)
    # the procedures the issue names are there
    keys = {step.key for step in steps}
    assert {"N0020007:9", "J0170001:43", "J0170001:44", "I0020003:10", "B0010001:436-8"} <= keys
    assert {"B0010001:508", "C0010001:237", "K0040045:3", "G0390060:7"} <= keys


def test_a_malformed_table_is_an_error_not_a_silent_skip(tmp_path):
    (tmp_path / "kinds.tsv").write_text("labour\tN0030001\t老闆\temployer\n", encoding="utf-8")
    (tmp_path / "steps.tsv").write_text("labour\tN0030001\t只有三格\n", encoding="utf-8")
    with pytest.raises(NextStepError, match="steps.tsv:1"):
        steps_load(tmp_path)
    (tmp_path / "steps.tsv").write_text("tax\tG0340001:35\ta\tb\tc\td\n", encoding="utf-8")
    with pytest.raises(NextStepError, match="unknown kind 'tax'"):
        steps_load(tmp_path)
    (tmp_path / "steps.tsv").write_text("labour\t勞基法第74條\ta\tb\tc\td\n", encoding="utf-8")
    with pytest.raises(NextStepError, match="PCODE:NUMBER"):
        steps_load(tmp_path)
    (tmp_path / "kinds.tsv").write_text("labour\t勞基法\t老闆\temployer\n", encoding="utf-8")
    with pytest.raises(NextStepError, match="pcodes"):
        kinds_load(tmp_path)


@pytest.mark.parametrize(
    "question",
    [
        "房東不還押金怎麼辦",
        "老闆不給加班費可以告嗎",
        "和店家有消費糾紛要去哪裡申訴",
        "What can I do?",
    ],
)
def test_questions_that_ask_what_to_do(question):
    assert asks_what_to_do(question)


@pytest.mark.parametrize("question", ["資遣費怎麼算", "勞基法第38條", "What is the notice period?"])
def test_questions_that_ask_what_the_law_says(question):
    assert not asks_what_to_do(question)
    assert next_steps(question, ["N0030001"]) == []


@pytest.mark.parametrize(
    ("question", "laws", "kind"),
    [
        ("房東不還押金怎麼辦", ["B0000001"], "tenancy"),  # the words decide before the law
        ("被調職了怎麼辦", ["N0030001"], "labour"),  # no kind words: the best article law
        ("車禍對方不賠怎麼辦", [], "traffic_accident"),
        ("My landlord will not return my deposit. What can I do?", ["J0170001"], "tenancy"),
        ("網購買到壞掉的商品怎麼辦", [], "consumer"),
        ("這樣怎麼辦", [], None),
    ],
)
def test_the_kind_of_dispute(question, laws, kind):
    assert dispute_kind(question, laws) == kind


@pytest.mark.parametrize(
    ("question", "named", "kind"),
    [
        # 店家 says consumer, but the question names the personal-data act
        ("店家把我的電話給別人，依個人資料保護法可以怎麼辦", ["I0050021"], "privacy"),
        # 告他 says criminal, but the asker names a civil claim
        ("朋友欠錢不還，可以用民事告他嗎", [], "civil"),
        # 房東 says tenancy, but the asker asks about a criminal case
        ("房東擅自進我房間翻東西，這是刑事案件嗎？可以提告嗎", [], "criminal"),
        # both proceedings named: neither decides, the words do
        ("房東不還押金，要告民事還是刑事？怎麼辦", [], "tenancy"),
        # naming 民法, which is about everything, does not make a tenancy question civil
        ("房東不還押金，民法怎麼規定？怎麼辦", ["B0000001"], "tenancy"),
    ],
)
def test_what_the_asker_names_decides_before_the_words(question, named, kind):
    assert dispute_kind(question, ["N0030001"], named=named) == kind
    # without the named law, the words decide as before
    if named == ["I0050021"]:
        assert dispute_kind(question, ["N0030001"]) == "consumer"


def test_a_question_gets_the_steps_of_its_kind():
    steps = next_steps("房東不還押金怎麼辦", ["D0060125"])
    assert [s.key for s in steps] == [
        "B0000001:229",
        "I0020003:10",
        "B0010001:436-8",
        "B0010001:508",
    ]


def test_the_fallback_kind_counts_only_when_no_law_decides():
    # 求償 is the civil fallback's word; the best article's law (個資法) decides first
    assert dispute_kind("資料外洩可以求償嗎", ["I0050021"]) == "privacy"
    assert dispute_kind("可以求償嗎", []) == "civil"
