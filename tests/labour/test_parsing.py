from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from labour import parsing
from labour.parsing import parse
from labour.service_length import Service, between, worked


@pytest.mark.parametrize(
    ("question", "wage"),
    [
        ("月薪4萬5，被資遣", 45000),
        ("月薪四萬五千", 45000),
        ("我的薪水是45,000元", 45000),
        ("每個月領３６０００元", 36000),
        ("月薪3.6萬", 36000),
        ("45,000元，年資2年", 45000),
        ("I earn NT$45,000 a month", 45000),
        ("monthly salary of 45k", 45000),
    ],
)
def test_monthly_wage_is_read(question, wage):
    assert parse(question).monthly_wage == Decimal(wage)


def test_average_and_hourly_wages_are_told_apart_from_the_monthly_wage():
    assert parse("平均工資36000").average_wage == 36000
    assert parse("平均工資36000").monthly_wage is None
    assert parse("average wage NT$36,000").average_wage == 36000
    assert parse("時薪200，加班3小時").hourly_wage == 200
    assert parse("hourly wage of 190").hourly_wage == 190


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("年資3年6個月", Service(3, 6, 0)),
        ("做了三年半", Service(3, 6, 0)),
        ("工作了3.5年", Service(3, 6, 0)),
        ("I worked 3.5 years", Service(3, 6, 0)),
        ("3 years and 6 months of service", Service(3, 6, 0)),
        ("年資1年5天", Service(1, 0, 5)),
        ("年資兩年又一天", Service(2, 0, 1)),
        ("worked for two years and 1 day", Service(2, 0, 1)),
        ("年資8個月", Service(0, 8, 0)),
        ("年資二十四年", Service(24, 0, 0)),
        ("工作半年", Service(0, 6, 0)),
        ("a year and a half", Service(1, 6, 0)),
    ],
)
def test_length_of_service_is_read(question, service):
    assert parse(question).service == service


def test_periods_and_bare_months_are_not_service():
    assert parse("前六個月薪資36000").service is None
    assert parse("最近6個月的工資").service is None
    assert parse("我有10天特休").service is None


@pytest.mark.parametrize(
    ("question", "hired", "day_given"),
    [
        ("2005年3月到職", date(2005, 3, 1), False),
        ("民國94年7月1日到職", date(2005, 7, 1), True),
        ("94/7/1入職", date(2005, 7, 1), True),
        ("2003/3/15到職", date(2003, 3, 15), True),
        ("I was hired on March 1, 2005", date(2005, 3, 1), True),
        ("joined in 1 March 2004", date(2004, 3, 1), True),
    ],
)
def test_hiring_dates_are_read(question, hired, day_given):
    facts = parse(question)
    assert (facts.hired, facts.hired_day_given) == (hired, day_given)


def test_two_dates_without_markers_are_hiring_then_leaving():
    facts = parse("從2004年3月1日到2024年6月30日")
    assert facts.hired == date(2004, 3, 1) and facts.left == date(2024, 6, 30)


def test_leaving_date_and_wage_list():
    facts = parse("前六個月薪資分別為36000、36000、38000、36000、36000、40000，2024年7月1日離職")
    assert facts.left == date(2024, 7, 1)
    assert facts.wages == [36000, 36000, 38000, 36000, 36000, 40000]
    assert facts.monthly_wage is None


def test_hours_are_sorted_by_kind_of_day():
    facts = parse("月薪36000，平日工作11小時，休息日加班8小時，本月加班50小時")
    assert facts.workday_hours == 11
    assert facts.rest_day_hours == 8
    assert facts.month_overtime == 50
    assert parse("平日加班2小時").workday_extra == 2
    assert parse("worked 4 hours on a rest day").rest_day_hours == Fraction(4)


def test_system_is_read_only_when_one_is_named():
    assert parse("舊制資遣費").system == "old"
    assert parse("new pension system").system == "new"
    assert parse("新舊制").system is None


def test_service_between_dates_counts_months_then_days():
    assert between(date(2020, 1, 31), date(2020, 3, 1)) == Service(0, 1, 1)
    assert worked(date(2020, 1, 1), date(2020, 12, 31)) == Service(1, 0, 0)
    assert worked(date(2020, 1, 1), date(2022, 1, 1)) == Service(2, 0, 1)


def test_a_year_is_not_a_wage_and_a_keyed_amount_wins():
    facts = parse("I was laid off in 2024 after 3 years, salary 40000")
    assert facts.monthly_wage == 40000 and facts.service == Service(3, 0, 0)


def test_a_month_of_overtime_is_not_a_length_of_service():
    facts = parse("月薪3萬，每天加班3小時，一個月加班66小時")
    assert facts.service is None
    assert facts.workday_extra == 3 and facts.month_overtime == 66


@pytest.mark.parametrize(
    "question", ["I make 200 an hour", "時薪200", "200元/小時", "NT$200 per hour"]
)
def test_hourly_wage_forms(question):
    assert parse(question).hourly_wage == 200


def test_english_clauses_split_on_commas():
    facts = parse("salary 36000, worked 10 hours on a weekday, rest day 4 hours")
    assert facts.workday_hours == 10 and facts.rest_day_hours == 4


@pytest.mark.parametrize(
    "pattern",
    [parsing.DURATION_ZH_RE, parsing.DURATION_EN_RE, parsing.HOURS_RE],
    ids=["duration-zh", "duration-en", "hours"],
)
def test_a_number_is_read_only_from_the_start_of_its_run(pattern):
    # Trying a run of digits from each of its digits made a 2,000-digit question quadratic
    # (1.4 s of CPU in the calculators, holding the GIL, so /healthz waited behind it).
    text = "12345年 12345 years 12345小時"
    inside = [i for i in range(1, len(text)) if text[i - 1 : i + 1].isdigit()]
    for start in inside:
        match = pattern.match(text, start)
        assert match is None or not any(match.groupdict().values()), (start, match)


def test_a_long_run_of_digits_reads_as_no_figure():
    facts = parsing.parse("1" * 2000)
    assert facts.service is None and facts.workday_hours is None


TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("question", "hired", "left", "left_day_given"),
    [
        ("2019年3月1日到職，上個月底資遣我，月薪45000", date(2019, 3, 1), date(2026, 11, 30), True),
        ("去年3月到職，今天被資遣", date(2025, 3, 1), date(2026, 12, 2), True),
        ("前年底到職，昨天離職", date(2024, 12, 31), date(2026, 12, 1), True),
        ("2020年1月1日到職，上個月被資遣", date(2020, 1, 1), date(2026, 11, 1), False),
        (
            "I was hired on March 1, 2019 and laid off at the end of last month",
            date(2019, 3, 1),
            date(2026, 11, 30),
            True,
        ),
        ("Hired on 2019-03-01, laid off yesterday", date(2019, 3, 1), date(2026, 12, 1), True),
    ],
)
def test_dates_relative_to_today_are_read_where_they_say_hired_or_left(
    question, hired, left, left_day_given
):
    facts = parse(question, TODAY)
    assert (facts.hired, facts.left, facts.left_day_given) == (hired, left, left_day_given)


def test_a_month_that_is_a_period_is_not_a_date_and_nothing_is_relative_without_today():
    facts = parse("2019年3月1日到職，上個月加班30小時，月薪45000", TODAY)
    assert facts.left is None
    assert parse("2019年3月1日到職，上個月底資遣我").left is None
    # across a year: December's "last month" is November, January's is December of last year
    assert parse("上個月底被資遣", date(2027, 1, 15)).left == date(2026, 12, 31)
