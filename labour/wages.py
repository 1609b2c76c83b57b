"""Average wage (勞基法 第 2 條 第 4 款) and the wage every other calculator starts from: first
the arithmetic, then how it is written up."""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from labour.calculation import LSA, Calculation, Draft, num, round_nt
from labour.parsing import Facts
from labour.service_length import add_months


@dataclass(frozen=True)
class Period:
    """The calendar days the wages were earned in, and their first and last days when counted
    back from the date of the event."""

    days: int
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class AverageWage:
    total: Fraction  # the wages of the period
    days: int
    daily: Fraction  # total ÷ days
    monthly: Fraction  # daily × 30, exact
    value: int  # monthly, rounded once to the dollar


@dataclass(frozen=True)
class Wage:
    """The monthly wage a calculation uses, exact, and where it came from: "stated" (an average
    wage given), "computed" (from the wages given) or "monthly" (the monthly wage standing in)."""

    value: Fraction
    source: str


def six_months_before(event: date) -> Period:
    # 勞基法 第 2 條 第 4 款: 事由發生之當日前六個月 — the six months before that day
    start = add_months(event, -6)
    return Period((event - start).days, start, event - timedelta(days=1))


def average_wage_amounts(total: Fraction, days: int) -> AverageWage:
    # 勞基法 第 2 條 第 4 款: 工資總額除以該期間之總日數所得之金額 — a day's average, × 30 a month
    daily = total / days
    monthly = daily * 30
    return AverageWage(total, days, daily, monthly, round_nt(monthly))


def wage_period(facts: Facts) -> Period | None:
    if facts.period_days:
        return Period(facts.period_days)
    if facts.left and facts.left_day_given and len(facts.wages) in (0, 6):
        return six_months_before(facts.left)
    return None


def wages_total(facts: Facts) -> Fraction | None:
    if facts.wages:
        return sum((Fraction(w) for w in facts.wages), Fraction(0))
    if facts.wages_total is not None:
        return Fraction(facts.wages_total)
    return None


def wage_basis(facts: Facts) -> Wage | None:
    """The average wage the severance and notice calculations use: stated, computed, or, failing
    both, the monthly wage (the usual stand-in when pay did not change in the last six months)."""
    if facts.average_wage is not None:
        return Wage(Fraction(facts.average_wage), "stated")
    total, period = wages_total(facts), wage_period(facts)
    if total is not None and period is not None:
        return Wage(average_wage_amounts(total, period.days).monthly, "computed")
    if facts.monthly_wage is not None:
        return Wage(Fraction(facts.monthly_wage), "monthly")
    return None


def wage_given(draft: Draft, wage: Wage) -> None:
    shown = num(wage.value)
    if wage.source == "stated":
        draft.given(f"平均工資：{shown} 元", f"average wage: NT${shown}")
    elif wage.source == "computed":
        draft.given(
            f"平均工資：{shown} 元（依所給工資計算）",
            f"average wage: NT${shown} (from the wages given)",
        )
    else:
        draft.given(
            f"月薪：{shown} 元（作為平均工資）",
            f"monthly wage: NT${shown} (taken as the average wage)",
        )


def wage_note(draft: Draft, wage: Wage) -> None:
    if wage.source == "monthly":
        draft.note(
            "以月薪代替平均工資；平均工資是離職前六個月工資總額 ÷ 總日數 × 30（勞基法第 2 條第 4 款），薪資有變動時請以實際工資計算。",
            "The monthly wage stands in for the average wage (the last six months' wages ÷ their days × 30, LSA Art. 2(4)); use the actual wages if pay varied.",
        )


def average_wage(facts: Facts, *, english: bool) -> Calculation:
    draft = Draft(
        "average_wage", english=english, title=("平均工資", "Average wage"), articles=((LSA, "2"),)
    )
    total, period = wages_total(facts), wage_period(facts)
    if facts.wages:
        zh, en = "、".join(num(w) for w in facts.wages), ", ".join(num(w) for w in facts.wages)
        draft.given(f"各月工資：{zh} 元", f"monthly wages: NT${en}")
    elif total is not None:
        draft.given(f"六個月工資總額：{num(total)} 元", f"six months' wages: NT${num(total)}")
    if total is None or period is None:
        draft.step(
            "平均工資（月）= 事由發生當日前六個月內工資總額 ÷ 該期間總日數 × 30",
            "average monthly wage = wages of the six months before the event ÷ calendar days in them × 30",
        )
        if total is None:
            draft.ask("最近六個月每月的工資", "the wages of each of the last six months")
        if period is None:
            draft.ask(
                "離職（事由發生）日期或該六個月的總日數",
                "the date of leaving (the event) or the calendar days of those months",
            )
        return draft.formula()
    amounts = average_wage_amounts(total, period.days)
    days = period.days
    if period.start and period.end:
        span = f"{period.start.isoformat()} – {period.end.isoformat()}"
        draft.given(f"計算期間：{span}（{days} 天）", f"period: {span} ({days} days)")
    else:
        draft.given(f"期間總日數：{days} 天", f"calendar days: {days}")
    whole, daily, monthly = num(amounts.total), num(amounts.daily), num(amounts.monthly)
    draft.step(f"工資總額：{whole} 元", f"total wages: NT${whole}")
    draft.step(
        f"每日平均：{whole} ÷ {days} = {daily} 元", f"daily average: {whole} ÷ {days} = {daily}"
    )
    draft.step(f"月平均工資：{daily} × 30 = {monthly} 元", f"monthly: {daily} × 30 = {monthly}")
    draft.note(
        "平均工資含本薪及經常性給與（如全勤獎金、經常性津貼），不含年終獎金等非經常性給與。",
        "The average wage includes base pay and regular allowances, not year-end or other occasional bonuses.",
    )
    if facts.wages and len(facts.wages) != 6:
        draft.note(
            "法定期間為六個月；工作未滿六個月者以工作期間計算。",
            "The law uses six months; for shorter service, the period worked.",
        )
    value = amounts.value
    return draft.done(
        f"平均工資約 {value:,} 元（月，四捨五入至元）",
        f"Average wage: NT${value:,} a month (rounded to the dollar)",
        value=value,
    )
