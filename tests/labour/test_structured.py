"""The calculators from typed inputs: the same Calculation as the question stating the same
numbers, and a CalculationInputError naming the input when one cannot be used."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from labour import (
    INPUTS,
    KINDS,
    CalculationInputError,
    annual_leave_calculate,
    average_wage_calculate,
    calculate,
    calculate_structured,
    notice_calculate,
    overtime_calculate,
    severance_calculate,
)
from labour.service_length import Service

TODAY = date(2026, 11, 25)


def asked(question: str, kind: str, *, english: bool = False):
    (found,) = [c for c in calculate(question, english=english, today=TODAY) if c.kind == kind]
    return found


@pytest.mark.parametrize(
    ("question", "kind", "inputs"),
    [
        (
            "月薪4萬5，年資3年6個月，資遣費？",
            "severance",
            {"monthly_wage": 45000, "service": {"years": 3, "months": 6}},
        ),
        (
            "2003年3月1日到職，2024年6月30日被資遣，平均工資45000，資遣費",
            "severance",
            {"average_wage": "45000", "hired": "2003-03-01", "left": date(2024, 6, 30)},
        ),
        (
            "2003年3月1日到職，2024年6月30日被資遣，選擇舊制，平均工資45000，資遣費",
            "severance",
            {"average_wage": 45000, "hired": "2003-03-01", "left": "2024-06-30", "system": "old"},
        ),
        ("請說明資遣費計算方式", "severance", {}),
        (
            "前六個月薪資36000、36000、38000、36000、36000、40000，2024年7月1日被資遣，年資2年，資遣費",
            "severance",
            {
                "wages": [36000, 36000, 38000, 36000, 36000, 40000],
                "left": "2024-07-01",
                "service": Service(2, 0, 0),
            },
        ),
        (
            "月薪36000，年資2年，公司沒有預告就資遣我，預告工資多少？",
            "notice",
            {"monthly_wage": Decimal(36000), "service": {"years": 2}},
        ),
        ("2020年2月29日到職，預告期間？", "notice", {"hired": "2020-02-29"}),
        ("年資10年，特休有幾天？", "annual_leave", {"service": {"years": 10}}),
        ("2023年5月1日到職，特休幾天？", "annual_leave", {"hired": "2023-05-01"}),
        ("特休怎麼算?", "annual_leave", {}),
        (
            "月薪36000，平日工作11小時，休息日加班8小時，加班費怎麼算？",
            "overtime",
            {"monthly_wage": 36000, "workday_hours": 11, "rest_day_hours": 8},
        ),
        (
            "時薪200，平日工作14小時，這個月加班60小時，加班費多少",
            "overtime",
            {"hourly_wage": 200, "workday_hours": "14", "month_overtime": 60},
        ),
        ("月薪36000，加班費怎麼算？", "overtime", {"monthly_wage": 36000}),
        (
            "前六個月薪資分別為36000、36000、38000、36000、36000、40000，2024年7月1日離職，平均工資多少？",
            "average_wage",
            {"wages": [36000, 36000, 38000, 36000, 36000, 40000], "left": "2024-07-01"},
        ),
        (
            "六個月工資總額220000，共181天，平均工資",
            "average_wage",
            {"wages_total": 220000, "period_days": 181},
        ),
    ],
)
def test_typed_inputs_give_the_calculation_the_question_gives(question, kind, inputs):
    typed = calculate_structured(kind, english=False, today=TODAY, **inputs)
    assert typed == asked(question, kind)
    assert typed.markdown() == asked(question, kind).markdown()


def test_english_inputs_give_english_wording():
    calc = severance_calculate(english=True, today=TODAY, monthly_wage=45000, service=Service(3, 6))
    assert calc == asked(
        "I earn NT$45,000 a month and worked 3.5 years. Severance?", "severance", english=True
    )
    assert calc.result == "Severance pay: NT$78,750 (rounded to the dollar)"


def test_each_kind_has_its_own_function():
    assert (
        severance_calculate(
            english=False, today=TODAY, monthly_wage=36000, service={"years": 1}
        ).value
        == 18000
    )
    notice = notice_calculate(english=False, today=TODAY, monthly_wage=36000, service={"years": 3})
    assert notice.figures == {"days": 30, "pay": 36000}
    leave = annual_leave_calculate(
        english=False, today=TODAY, hired="2016-11-25", left="2026-11-24"
    )
    assert leave.value == 16  # exactly ten years
    assert (
        overtime_calculate(english=False, hourly_wage="183.5", workday_extra=Fraction(1, 2)).value
        == 122
    )
    average = average_wage_calculate(english=False, wages=[30000, 31000, 32000], period_days=92)
    assert average.value == 30326  # 93,000 ÷ 92 × 30 = 30,326.08…
    assert any("未滿六個月" in note for note in average.notes)


def test_missing_inputs_give_the_formula_and_what_to_ask():
    calc = notice_calculate(english=True, today=TODAY)
    assert calc.value is None and calc.result is None
    assert calc.missing == (
        "your length of service (or hiring date)",
        "your monthly wage (for the pay in lieu)",
    )


def test_today_defaults_to_the_real_today():
    calc = annual_leave_calculate(english=False, hired="2000-01-01")
    assert calc.value == 30  # 24 years and more, whenever the test runs
    assert date.today().isoformat() in calc.markdown()


def test_inputs_are_listed_per_kind():
    assert KINDS == ("severance", "notice", "annual_leave", "overtime", "average_wage")
    assert INPUTS["annual_leave"] == ("service", "hired", "left")
    assert "system" in INPUTS["severance"] and "system" not in INPUTS["notice"]
    assert set(INPUTS["overtime"]) == {
        "hourly_wage",
        "monthly_wage",
        "workday_hours",
        "workday_extra",
        "rest_day_hours",
        "month_overtime",
    }


@pytest.mark.parametrize(
    ("kind", "inputs", "param", "words"),
    [
        ("pension", {}, "kind", "Unknown calculation kind 'pension'"),
        (
            "annual_leave",
            {"monthly_wage": 36000},
            "monthly_wage",
            "Unrecognized input for annual_leave",
        ),
        ("severance", {"monthly_wage": -1}, "monthly_wage", "above 0"),
        ("severance", {"monthly_wage": 0}, "monthly_wage", "above 0"),
        ("severance", {"monthly_wage": "4萬5"}, "monthly_wage", "must be a number"),
        ("severance", {"monthly_wage": True}, "monthly_wage", "must be a number"),
        ("severance", {"monthly_wage": "1e999999"}, "monthly_wage", "at most 1,000,000,000"),
        ("severance", {"monthly_wage": "NaN"}, "monthly_wage", "finite"),
        ("severance", {"monthly_wage": "36000.001"}, "monthly_wage", "two decimal places"),
        ("severance", {"average_wage": 36000, "monthly_wage": 40000}, "average_wage", "give one"),
        ("severance", {"wages": [36000, None, 36000]}, "wages[1]", "must be a number"),
        ("severance", {"wages": "36000"}, "wages", "a list"),
        ("severance", {"wages": [36000] * 7}, "wages", "at most 6"),
        ("severance", {"wages": [1, 2, 3], "wages_total": 6}, "wages_total", "not both"),
        ("severance", {"period_days": 200}, "period_days", "1 to 184"),
        ("severance", {"system": "both"}, "system", '"old" or "new"'),
        ("severance", {"hired": "2024-13-01"}, "hired", "YYYY-MM-DD"),
        ("severance", {"hired": 20240101}, "hired", "YYYY-MM-DD"),
        ("severance", {"hired": "2027-01-01"}, "hired", "after today (2026-11-25)"),
        ("annual_leave", {"hired": "1900-01-01"}, "hired", "within 80 years"),
        ("severance", {"hired": "2024-06-01", "left": "2024-05-31"}, "left", "on or after hired"),
        ("notice", {"service": {"years": 2}, "hired": "2020-01-01"}, "service", "not both"),
        ("notice", {"service": {"years": -1}}, "service", "≥ 0"),
        ("notice", {"service": {"years": 2.5}}, "service", "whole numbers"),
        ("notice", {"service": {"weeks": 3}}, "service", "not weeks"),
        ("notice", {"service": 3}, "service", "{years, months, days}"),
        ("annual_leave", {"service": {"years": 81}}, "service", "at most 80 years"),
        ("overtime", {"hourly_wage": 200, "monthly_wage": 36000}, "hourly_wage", "not both"),
        ("overtime", {"workday_hours": 10, "workday_extra": 2}, "workday_extra", "not both"),
        ("overtime", {"workday_hours": 25}, "workday_hours", "between 0 and 24"),
        ("overtime", {"rest_day_hours": -1}, "rest_day_hours", "between 0 and 24"),
        ("overtime", {"workday_extra": Fraction(1, 7)}, "workday_extra", "whole minutes"),
        ("average_wage", {"left": "yesterday"}, "left", "YYYY-MM-DD"),
    ],
)
def test_an_unusable_input_is_named(kind, inputs, param, words):
    with pytest.raises(CalculationInputError) as raised:
        calculate_structured(kind, english=False, today=TODAY, **inputs)
    assert raised.value.param == param
    assert words in raised.value.message and str(raised.value) == raised.value.message


def test_amounts_accept_the_usual_spellings():
    for wage in (36000, 36000.0, "36000", "36,000", " 36000 ", Decimal("36000.00")):
        calc = severance_calculate(
            english=False, today=TODAY, monthly_wage=wage, service={"years": 1}
        )
        assert calc.value == 18000, wage
