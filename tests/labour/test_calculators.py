from datetime import date
from fractions import Fraction

import pytest

from labour import calculate
from labour.annual_leave import annual_leave_days
from labour.calculation import LPA, LSA
from labour.notice import notice_days
from labour.overtime import hourly_wage, rest_day_pay, workday_pay
from labour.service_length import Service
from labour.severance import severance_new, severance_old

TODAY = date(2026, 11, 25)
WAGE = Fraction(36000)


def only(question: str, kind: str, *, english: bool = False):
    found = [c for c in calculate(question, english=english, today=TODAY) if c.kind == kind]
    assert len(found) == 1, found
    return found[0]


# --- severance: old system (勞基法 第 17 條), the check values at an average wage of 36,000


@pytest.mark.parametrize(
    ("service", "amount"),
    [
        (Service(0, 1, 0), 3000),
        (Service(1, 0, 0), 36000),
        (Service(1, 0, 5), 39000),  # the 5 days count as a whole month: 1 + 1/12
        (Service(2, 0, 0), 72000),
        (Service(0, 0, 10), 3000),  # under one month counts as one month
        (Service(0, 11, 20), 36000),
        (Service(30, 0, 0), 1080000),  # no cap
    ],
)
def test_old_system_severance(service, amount):
    assert severance_old(WAGE, service) == amount


def test_old_system_two_years_and_a_day_counts_the_day_as_a_month():
    """The issue lists 2 years 1 day → 72,000, but §17's last sentence (a part-month counts as a
    month), which gives its own 1 year 5 days → 39,000, makes it 2 1/12 months → 75,000. 72,000
    is exactly two years' service (see the dated test below)."""
    assert severance_old(WAGE, Service(2, 0, 1)) == 75000


def test_old_system_from_the_question():
    calc = only("平均工資36000，年資1年5天，舊制資遣費多少？", "severance")
    assert calc.value == 39000
    assert calc.articles == ((LSA, "17"),)
    assert "未滿一個月以一個月計" in calc.markdown()
    assert "39,000 元" in calc.result
    assert only("舊制，平均工資36000，年資1個月，資遣費", "severance").value == 3000


def test_two_full_years_by_dates_is_72000():
    calc = only("2003年1月1日到職，2004年12月31日被資遣，舊制，平均工資36000", "severance")
    assert calc.value == 72000


# --- severance: new system (勞退條例 第 12 條)


@pytest.mark.parametrize(
    ("service", "amount"),
    [
        (Service(1, 0, 0), 18000),
        (Service(3, 6, 0), 63000),  # 3.5 years × 1/2
        (Service(0, 0, 20), 986),  # 20/365 × 1/2 × 36,000 = 986.30…
        (Service(0, 1, 0), 1500),
        (Service(12, 0, 0), 216000),  # exactly the cap
        (Service(24, 0, 0), 216000),  # capped at six months
    ],
)
def test_new_system_severance(service, amount):
    assert severance_new(WAGE, service) == amount


def test_new_system_from_a_chinese_question():
    calc = only("月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？", "severance")
    assert calc.value == 78750
    assert calc.articles == ((LPA, "12"),)
    assert "7/4" in calc.markdown() and "78,750" in calc.result


def test_new_system_over_the_cap_is_flagged():
    calc = only("新制，月薪40000，年資15年，資遣費", "severance")
    assert calc.value == 240000
    assert any("6 個月" in note for note in calc.notes)


def test_new_system_from_an_english_question():
    calc = only(
        "I earn NT$45,000 a month and worked 3.5 years. How much severance?",
        "severance",
        english=True,
    )
    assert calc.value == 78750
    assert "NT$78,750" in calc.result and "Labor Pension Act Article 12" in calc.markdown()


# --- severance: service across 2005-07-01


def test_mixed_systems_split_at_2005_07_01():
    calc = only("2003年3月1日到職，2024年6月30日被資遣，平均工資45000，資遣費多少", "severance")
    # old: 2003-03-01 – 2005-06-30 = 2 years 4 months → 7/3 × 45,000 = 105,000
    # new: 2005-07-01 – 2024-06-30 = 19 years → 9.5 months, capped at 6 → 270,000
    assert calc.value == 375000
    assert set(calc.articles) == {(LSA, "17"), (LPA, "12"), (LPA, "11")}
    assert "2005-06-30" in calc.markdown()


def test_mixed_systems_with_part_months_on_both_sides():
    calc = only("2004年12月20日到職，2006年1月10日被資遣，平均工資36000，資遣費", "severance")
    # old: 2004-12-20 – 2005-06-30 = 6 months 11 days → 7/12 → 21,000
    # new: 2005-07-01 – 2006-01-10 = 6 months 10 days → (6/12 + 10/365) / 2 → 9,493.15…
    assert calc.value == 30493


def test_staying_in_the_old_system_counts_everything_under_it():
    calc = only(
        "2003年3月1日到職，2024年6月30日被資遣，選擇舊制，平均工資45000，資遣費", "severance"
    )
    assert calc.value == 45000 * 21 + 45000 * 4 // 12
    assert calc.articles == ((LSA, "17"),)


@pytest.mark.parametrize("english", [False, True])
def test_the_old_system_asked_for_by_someone_hired_after_it_ended_is_explained(english):
    question = (
        "I was hired on 2019-03-01 and laid off on 2024-06-30, average wage 45000, old system severance"
        if english
        else "2019年3月1日到職，2024年6月30日被資遣，平均工資45000，那如果是舊制呢？資遣費"
    )
    calc = only(question, "severance", english=english)
    new_system = only(
        question.replace("old system", "").replace("那如果是舊制呢？", ""),
        "severance",
        english=english,
    )
    assert calc.value == new_system.value  # calculated under the new system, as the law says
    assert (LPA, "8") in calc.articles and (LSA, "17") not in calc.articles
    said = " ".join(calc.notes)
    assert (
        ("LPA Art. 8" in said) if english else ("勞退條例第 8 條" in said and "2019-03-01" in said)
    )
    # someone hired before 2005-07-01 may stay in the old system: no such note
    earlier = only(
        "2003年3月1日到職，2024年6月30日被資遣，選擇舊制，平均工資45000，資遣費", "severance"
    )
    assert (LPA, "8") not in earlier.articles


def test_severance_without_numbers_gives_the_formula_and_asks():
    calc = only("請說明勞動基準法中的資遣費計算方式", "severance")
    assert calc.value is None and calc.result is None
    assert len(calc.missing) == 2
    assert calc.articles == ((LSA, "17"), (LPA, "12"))
    text = calc.markdown()
    assert "公式" in text and "請提供" in text and "最高 6 個月" in text
    assert "尚缺" in calc.facts()


def test_severance_with_the_wage_but_no_service_asks_for_the_service():
    calc = only("月薪50000，被資遣可以拿多少?", "severance")
    assert calc.value is None and calc.missing == ("年資（或到職日）",)


# --- notice period (勞基法 第 16 條)


@pytest.mark.parametrize(
    ("service", "days"),
    [
        (Service(0, 2, 29), 0),
        (Service(0, 3, 0), 10),
        (Service(0, 11, 30), 10),
        (Service(1, 0, 0), 20),
        (Service(2, 11, 0), 20),
        (Service(3, 0, 0), 30),
        (Service(20, 0, 0), 30),
    ],
)
def test_notice_days(service, days):
    assert notice_days(service) == days


def test_notice_pay_in_lieu():
    calc = only("月薪36000，年資2年，公司沒有預告就資遣我，預告工資多少？", "notice")
    assert calc.value == 20 and calc.figures == {"days": 20, "pay": 24000}
    assert "24,000" in calc.result


def test_notice_under_three_months_is_none():
    calc = only("年資2個月，預告期間多久?", "notice")
    assert calc.value == 0 and "無預告期間" in calc.result


# --- annual leave (勞基法 第 38 條)


@pytest.mark.parametrize(
    ("service", "days"),
    [
        (Service(0, 5, 30), 0),
        (Service(0, 6, 0), 3),
        (Service(1, 0, 0), 7),
        (Service(2, 0, 0), 10),
        (Service(3, 0, 0), 14),
        (Service(4, 11, 0), 14),
        (Service(5, 0, 0), 15),
        (Service(9, 11, 0), 15),
        (Service(10, 0, 0), 16),
        (Service(11, 0, 0), 17),
        (Service(23, 0, 0), 29),
        (Service(24, 0, 0), 30),
        (Service(35, 0, 0), 30),
    ],
)
def test_annual_leave_days(service, days):
    assert annual_leave_days(service) == days


def test_annual_leave_for_ten_and_twenty_four_years():
    assert only("年資10年，特休有幾天？", "annual_leave").value == 16
    calc = only(
        "I have 24 years of service. How many days of annual leave?", "annual_leave", english=True
    )
    assert calc.value == 30 and "30 days" in calc.result


def test_annual_leave_from_the_hiring_date_counts_to_today():
    calc = only("2023年5月1日到職，特休幾天？", "annual_leave")
    assert calc.value == 14  # 2023-05-01 – 2026-11-25: 3 years 6 months
    assert "2026-11-25" in calc.markdown()


def test_annual_leave_without_service_shows_the_table_and_asks():
    calc = only("特休怎麼算?", "annual_leave")
    assert calc.value is None and "加至 30 日" in calc.markdown()


# --- overtime (勞基法 第 24 條, 第 32 條): hourly wage 36,000 ÷ 30 ÷ 8 = 150


def test_hourly_wage_from_the_monthly_wage():
    assert hourly_wage(WAGE) == 150


@pytest.mark.parametrize(("worked", "pay"), [(8, 0), (9, 200), (10, 400), (11, 650), (12, 900)])
def test_workday_overtime(worked, pay):
    assert workday_pay(Fraction(worked), Fraction(150)) == pay


@pytest.mark.parametrize(("hours", "pay"), [(1, 200), (2, 400), (3, 650), (4, 900), (8, 1900)])
def test_rest_day_overtime_by_the_hours_worked(hours, pay):
    """Since 2018-03-01: no 4-hour blocks (the old rule paid 1 hour as 4, 2 hours as 4, …)."""
    assert rest_day_pay(Fraction(hours), Fraction(150)) == pay


def test_overtime_from_the_question():
    calc = only("月薪36000，平日工作11小時，休息日加班8小時，加班費怎麼算？", "overtime")
    assert calc.figures == {"workday": 650, "rest_day": 1900}
    assert calc.value == 2550
    assert calc.articles == ((LSA, "24"), (LSA, "32"))
    assert "150 元" in calc.markdown() and "2018-03-01" in calc.markdown()


def test_overtime_beyond_the_limits_is_flagged():
    calc = only("時薪200，平日工作14小時，這個月加班60小時，加班費多少", "overtime")
    # 2 h × 200 × 4/3 + 4 h × 200 × 5/3 = 1,866.67 (the 2 hours past the 12-hour limit still paid)
    assert calc.value == 1867
    assert any("12 小時" in note for note in calc.notes)
    assert any("46 小時" in note for note in calc.notes)


def test_overtime_in_english():
    calc = only(
        "My salary is 36000 a month and I worked 4 hours on a rest day. Overtime pay?",
        "overtime",
        english=True,
    )
    assert calc.value == 900 and "NT$900" in calc.result


def test_overtime_without_hours_gives_the_formula():
    calc = only("月薪36000，加班費怎麼算？", "overtime")
    assert calc.value is None and calc.missing == ("加班時數（平日或休息日）",)
    assert "÷ 30 ÷ 8" in calc.markdown()


# --- average wage (勞基法 第 2 條 第 4 款)


def test_average_wage_from_six_months_and_the_leaving_date():
    calc = only(
        "前六個月薪資分別為36000、36000、38000、36000、36000、40000，2024年7月1日離職，平均工資多少？",
        "average_wage",
    )
    # 222,000 ÷ 182 days (2024-01-01 – 2024-06-30) × 30 = 36,593.4…
    assert calc.value == 36593
    assert calc.articles == ((LSA, "2"),)
    assert "182" in calc.markdown()


def test_average_wage_feeds_the_severance():
    found = calculate(
        "前六個月薪資36000、36000、38000、36000、36000、40000，2024年7月1日被資遣，年資2年，資遣費多少？",
        english=False,
        today=TODAY,
    )
    kinds = [c.kind for c in found]
    assert kinds == ["severance", "average_wage"]
    assert found[0].value == 36593  # 2 years × 1/2 month × 36,593.4…


def test_average_wage_without_the_days_asks_for_the_date():
    calc = only(
        "最近六個月工資是36000、36000、36000、36000、36000、36000，平均工資怎麼算", "average_wage"
    )
    assert calc.value is None and len(calc.missing) == 1


def test_a_stated_average_wage_is_an_input_not_a_question():
    assert [
        c.kind for c in calculate("平均工資36000，年資3年，資遣費", english=False, today=TODAY)
    ] == ["severance"]


# --- the entry point and the renderings


def test_questions_without_calculations_get_none():
    assert calculate("民法第184條是什麼？", english=False) == []
    assert calculate("What does the Civil Code say about ownership?", english=True) == []


def test_facts_are_plain_text_for_a_system_prompt():
    calc = only("月薪4萬5，年資3年6個月，資遣費？", "severance")
    facts = calc.facts()
    assert facts.startswith("試算：資遣費（勞退新制）")
    assert "勞工退休金條例 第 12 條" in facts and "78,750" in facts
    assert "**" not in facts and "###" not in facts


@pytest.mark.parametrize("english", [False, True])
def test_overtime_every_working_day_is_a_day_s_pay_said_to_be_one_and_over_the_monthly_cap(english):
    question = (
        "My salary is 28000 a month and I work 3 hours overtime every weekday. Overtime pay for one month?"
        if english
        else "月薪28000，這個月每個工作日都加班3小時，加班費多少"
    )
    calc = only(question, "overtime", english=english)
    assert calc.value == 506  # one day: 116.67 × 4/3 × 2 + 116.67 × 5/3 × 1
    text = calc.markdown()
    if english:
        assert "per working day" in text and "at least 60 hours" in text and "NT$11,122" in text
    else:
        assert "每個工作日加班費 506 元" in text and "至少 60 小時" in text and "11,122 元" in text
    # a single day's overtime says nothing of a month
    once = only("月薪28000，昨天加班3小時，加班費多少", "overtime").markdown()
    assert "每個工作日" not in once and "46 小時" not in once
