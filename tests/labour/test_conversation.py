"""Facts carried across a conversation: a follow-up keeps the numbers it does not restate, asks
for the same computation when it names none, and says which earlier facts it used."""

from datetime import date

from labour import calculate
from labour.conversation import facts_merge
from labour.parsing import parse

TODAY = date(2026, 12, 1)
SEVERANCE = "2003年3月1日到職，2024年6月30日被資遣，月薪45000，資遣費怎麼算"


def test_new_dates_keep_the_earlier_wage_and_say_so():
    [calc] = calculate(
        "如果我是2004年到職，2007年底被資遣呢？", english=False, today=TODAY, earlier=[SEVERANCE]
    )
    assert calc.kind == "severance" and calc.value == 123_750
    assert calc.carried == ("月薪 45,000 元",)
    assert "沿用您先前提供的：月薪 45,000 元。" in calc.markdown()
    assert "沿用您先前提供的" in calc.facts()


def test_a_new_wage_keeps_the_dates_and_the_computation():
    [calc] = calculate("那月薪5萬呢？", english=False, today=TODAY, earlier=[SEVERANCE])
    assert calc.kind == "severance"
    assert calc.carried == ("到職日 2003年3月1日", "離職日 2024年6月30日")
    assert calc.value == 416_667  # 50,000 × (2 + 4/12 + 8 + 11/24)… over both systems


def test_another_computation_on_the_same_facts():
    [calc] = calculate("那特休有幾天？", english=False, today=TODAY, earlier=[SEVERANCE])
    assert calc.kind == "annual_leave" and calc.value == 27
    assert "到職日 2003年3月1日" in calc.carried


def test_english_follow_up():
    first = "I earn NT$36,000 a month, hired March 1, 2015 and laid off June 30, 2024. Severance?"
    [calc] = calculate("What if my salary was 40,000?", english=True, today=TODAY, earlier=[first])
    assert calc.kind == "severance"
    assert calc.carried == ("hired 2015-03-01", "left 2024-06-30")
    assert "From your earlier questions: hired 2015-03-01, left 2024-06-30." in calc.markdown()


def test_a_question_on_another_subject_carries_nothing():
    assert calculate("勞基法第38條", english=False, today=TODAY, earlier=[SEVERANCE]) == []
    [calc] = calculate(
        "月薪3萬，年資2年，資遣費多少", english=False, today=TODAY, earlier=[SEVERANCE]
    )
    assert calc.carried == () and calc.value == 30_000


def test_a_wage_of_another_kind_replaces_every_earlier_wage():
    merged, carried = facts_merge(parse("時薪200"), parse("月薪45000，年資3年"))
    assert merged.hourly_wage == 200 and merged.monthly_wage is None
    assert carried == ["service"]


def test_a_length_of_service_replaces_both_earlier_dates():
    merged, carried = facts_merge(parse("年資5年"), parse(SEVERANCE))
    assert merged.hired is None and merged.left is None
    assert carried == ["wage"]


def test_the_newest_earlier_question_wins():
    [calc] = calculate(
        "那資遣費呢？", english=False, today=TODAY, earlier=["月薪3萬", "月薪4萬，年資2年"]
    )
    assert (
        "月薪 40,000 元" in calc.carried and calc.value == 40_000
    )  # 勞退條例 §12: half a month a year


def test_asking_for_the_old_system_after_a_later_hire_says_why_it_cannot_apply():
    first = "2019年3月1日到職，2024年6月30日被資遣，月薪45000，資遣費怎麼算"
    [calc] = calculate("那如果是舊制呢？", english=False, today=TODAY, earlier=[first])
    [before] = calculate(first, english=False, today=TODAY)
    assert calc.kind == "severance" and calc.value == before.value
    assert "勞退條例第 8 條" in calc.markdown() and ("N0030020", "8") in calc.articles


def test_a_leaving_date_said_relative_to_today_is_used():
    [calc] = calculate(
        "2019年3月1日到職，上個月底資遣我，月薪45000，資遣費多少", english=False, today=TODAY
    )
    text = calc.markdown()
    assert "2026-11-30" in text and "未提供離職日" not in text
