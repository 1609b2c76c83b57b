"""The calculators' pure arithmetic: figures in, exact figures out, no wording."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from labour.annual_leave import AnnualLeave, annual_leave_amounts
from labour.calculation import LSA, Draft
from labour.notice import Notice, notice_amounts
from labour.overtime import Limits, overtime_amounts, overtime_hours, overtime_limits, tiers
from labour.parsing import Facts
from labour.service_length import Service, service_counted
from labour.severance import Part, severance_amounts, severance_parts, severance_share
from labour.wages import Period, Wage, average_wage_amounts, six_months_before, wage_basis

TODAY = date(2026, 11, 25)


# --- severance


def test_service_across_2005_07_01_is_split_between_the_systems():
    parts = severance_parts(
        hired=date(2003, 3, 1), left=date(2024, 6, 30), service=None, system=None, today=TODAY
    )
    assert parts == [Part("old", Service(2, 4, 0)), Part("new", Service(19, 0, 0))]


def test_choosing_the_old_system_keeps_the_whole_service_there():
    parts = severance_parts(
        hired=date(2003, 3, 1), left=date(2024, 6, 30), service=None, system="old", today=TODAY
    )
    assert parts == [Part("old", Service(21, 4, 0))]


def test_service_without_a_leaving_date_runs_to_today():
    parts = severance_parts(
        hired=date(2020, 1, 1), left=None, service=None, system=None, today=TODAY
    )
    assert parts == [Part("new", Service(6, 10, 25))]


def test_a_length_of_service_is_new_system_unless_told_otherwise():
    service = Service(3, 6, 0)
    assert severance_parts(hired=None, left=None, service=service, system=None, today=TODAY) == [
        Part("new", service)
    ]
    assert severance_parts(hired=None, left=None, service=service, system="old", today=TODAY) == [
        Part("old", service)
    ]
    assert severance_parts(hired=None, left=None, service=None, system=None, today=TODAY) is None


def test_split_severance_adds_both_shares_and_caps_only_the_new_one():
    amounts = severance_amounts(
        Fraction(45000), [Part("old", Service(2, 4, 0)), Part("new", Service(19, 0, 0))]
    )
    old, new = amounts.shares
    assert (old.months, old.amount, old.capped) == (Fraction(7, 3), 105000, False)
    assert (new.years, new.before_cap, new.months) == (19, Fraction(19, 2), 6)
    assert new.capped and new.amount == 270000
    assert (amounts.total, amounts.value) == (375000, 375000)


def test_severance_is_exact_until_rounded_once():
    # 6 months 10 days, new system: (6/12 + 10/365) / 2 × 36,000 = 9,493.15…
    share = severance_share(Fraction(36000), Part("new", Service(0, 6, 10)))
    assert share.years == Fraction(1, 2) + Fraction(10, 365)
    assert share.amount == Fraction(36000) * share.years / 2
    amounts = severance_amounts(
        Fraction(36000), [Part("old", Service(0, 6, 11)), Part("new", Service(0, 6, 10))]
    )
    assert amounts.shares[0].amount == 21000  # 6 months 11 days → 7 months → 7/12
    assert amounts.value == 30493


def test_old_system_counts_a_part_month_as_a_month():
    share = severance_share(Fraction(36000), Part("old", Service(1, 0, 5)))
    assert share.years == share.months == Fraction(13, 12) and share.amount == 39000


# --- notice


@pytest.mark.parametrize(
    ("service", "wage", "expected"),
    [
        (Service(2, 0, 0), Fraction(36000), Notice(20, Fraction(24000))),
        (Service(0, 5, 0), Fraction(33333), Notice(10, Fraction(33333, 3))),
        (Service(5, 0, 0), None, Notice(30, None)),
        (Service(0, 2, 0), Fraction(36000), Notice(0, None)),  # no notice, so nothing in lieu
    ],
)
def test_notice_amounts(service, wage, expected):
    assert notice_amounts(service, wage) == expected


def test_notice_pay_is_rounded_half_up_once():
    assert notice_amounts(Service(0, 5, 0), Fraction(33333)).pay_rounded == 11111
    assert notice_amounts(Service(1, 0, 0), Fraction(45)).pay_rounded == 30
    assert notice_amounts(Service(1, 0, 0), Fraction(3)).pay_rounded == 2  # 2 exactly
    assert notice_amounts(Service(0, 3, 0), Fraction(45)).pay_rounded == 15
    assert notice_amounts(Service(0, 3, 0), Fraction(9)).pay_rounded == 3  # 3 exactly
    assert notice_amounts(Service(0, 3, 0), Fraction(15, 2)).pay_rounded == 3  # 2.5 → 3
    assert notice_amounts(Service(3, 0, 0), None).pay_rounded is None


# --- annual leave


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (Service(0, 5, 30), AnnualLeave(0, None)),
        (Service(0, 6, 0), AnnualLeave(3, None)),
        (Service(9, 11, 0), AnnualLeave(15, None)),
        (Service(10, 0, 0), AnnualLeave(16, 16)),
        (Service(24, 0, 0), AnnualLeave(30, 30)),
        (Service(35, 0, 0), AnnualLeave(30, 41)),  # capped at 30
    ],
)
def test_annual_leave_amounts(service, expected):
    assert annual_leave_amounts(service) == expected


# --- overtime: hourly 150


def test_tiers_split_at_two_hours():
    split = tiers(Fraction(5), Fraction(150))
    assert (split.first, split.then) == (2, 3)
    assert (split.first_pay, split.then_pay, split.pay) == (400, 750, 1150)
    assert tiers(Fraction(1, 2), Fraction(150)).pay == 100


def test_overtime_amounts_add_the_working_day_and_the_rest_day():
    amounts = overtime_amounts(Fraction(150), workday_extra=Fraction(3), rest_day_hours=Fraction(8))
    assert amounts.workday.pay == 650 and amounts.rest_day.pay == 1900
    assert (amounts.total, amounts.value) == (2550, 2550)


def test_overtime_amounts_round_once():
    amounts = overtime_amounts(Fraction(200), workday_extra=Fraction(6), rest_day_hours=None)
    assert amounts.rest_day is None
    assert amounts.total == Fraction(5600, 3) and amounts.value == 1867


def test_no_hours_past_eight_is_no_overtime():
    assert overtime_hours(Fraction(7)) == 0 and overtime_hours(Fraction(21, 2)) == Fraction(5, 2)
    amounts = overtime_amounts(Fraction(150), workday_extra=Fraction(0), rest_day_hours=None)
    assert amounts.value == 0 and amounts.workday.pay == 0


@pytest.mark.parametrize(
    ("extra", "rest", "month", "expected"),
    [
        (Fraction(4), Fraction(12), Fraction(46), Limits(False, False, False)),
        (Fraction(5), None, None, Limits(True, False, False)),
        (None, Fraction(13), None, Limits(False, True, False)),
        (None, None, Fraction(47), Limits(False, False, True)),
        (None, None, None, Limits(False, False, False)),
    ],
)
def test_overtime_limits(extra, rest, month, expected):
    assert (
        overtime_limits(workday_extra=extra, rest_day_hours=rest, month_overtime=month) == expected
    )


# --- average wage and the wage the others use


def test_six_months_before_the_event_day():
    assert six_months_before(date(2024, 7, 1)) == Period(182, date(2024, 1, 1), date(2024, 6, 30))
    assert six_months_before(date(2024, 8, 31)).start == date(2024, 2, 29)


def test_average_wage_amounts():
    amounts = average_wage_amounts(Fraction(222000), 182)
    assert amounts.daily == Fraction(222000, 182)
    assert amounts.monthly == Fraction(222000 * 30, 182)
    assert amounts.value == 36593


def test_wage_basis_prefers_a_stated_average_then_a_computed_one_then_the_monthly_wage():
    wages = [Decimal(36000)] * 5 + [Decimal(42000)]
    stated = Facts(average_wage=Decimal(40000), monthly_wage=Decimal(45000))
    computed = Facts(wages=wages, period_days=180, monthly_wage=Decimal(45000))
    assert wage_basis(stated) == Wage(Fraction(40000), "stated")
    assert wage_basis(computed) == Wage(Fraction(37000), "computed")
    assert wage_basis(Facts(wages=wages, monthly_wage=Decimal(45000))) == Wage(
        Fraction(45000), "monthly"
    )  # no period: the monthly wage stands in
    assert wage_basis(Facts()) is None


# --- length of service


def test_service_counted_as_stated_or_by_dates():
    stated = Service(2, 0, 0)
    assert service_counted(stated=stated, hired=date(2000, 1, 1), left=None, today=TODAY) is stated
    assert service_counted(
        stated=None, hired=date(2024, 1, 1), left=date(2024, 12, 31), today=TODAY
    ) == Service(1, 0, 0)
    assert service_counted(stated=None, hired=date(2026, 5, 25), left=None, today=TODAY) == (
        Service(0, 6, 1)
    )
    assert service_counted(stated=None, hired=None, left=None, today=TODAY) is None


# --- the builder


def test_draft_keeps_the_question_language_and_builds_both_endings():
    for english, title in ((False, "加班費"), (True, "Overtime pay")):
        draft = Draft(
            "overtime", english=english, title=("加班費", "Overtime pay"), articles=((LSA, "24"),)
        )
        draft.given("時薪：200 元", "hourly wage: NT$200")
        draft.step("公式", "formula")
        draft.ask("加班時數", "the hours")
        draft.note("說明", "note")
        calc = draft.formula()
        assert (calc.title, calc.english, calc.value, calc.result) == (title, english, None, None)
        assert calc.inputs == (("hourly wage: NT$200",) if english else ("時薪：200 元",))
        assert len(calc.steps) == len(calc.missing) == len(calc.notes) == 1
    done = Draft("notice", english=False, title=("預告", "Notice"), articles=((LSA, "16"),))
    figures = {"days": 20}
    calc = done.done("20 日", "20 days", value=20, figures=figures)
    figures["pay"] = 1  # the calculation keeps its own copy
    assert (calc.result, calc.value, calc.figures, calc.missing) == ("20 日", 20, {"days": 20}, ())
