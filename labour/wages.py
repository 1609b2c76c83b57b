"""Average wage (勞基法 第 2 條 第 4 款) and the wage every other calculator starts from."""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from labour.calculation import LSA, Calculation, num, round_nt, tr
from labour.parsing import Facts
from labour.service_length import add_months


@dataclass(frozen=True)
class Wage:
    """The monthly wage a calculation uses, exact, with how it was arrived at."""

    value: Fraction
    label: str  # 「平均工資：36,000 元」
    note: str | None = None


def _period(facts: Facts) -> tuple[int, str] | None:
    """Calendar days of the six months before the event (離職/資遣) date, and how they were counted."""
    if facts.period_days:
        return facts.period_days, ""
    if facts.left and facts.left_day_given and len(facts.wages) in (0, 6):
        # 勞基法 第 2 條 第 4 款: 事由發生之當日前六個月 — the six months before that day
        end = facts.left - timedelta(days=1)
        start = add_months(facts.left, -6)
        return (facts.left - start).days, f"{start.isoformat()} – {end.isoformat()}"
    return None


def _total(facts: Facts) -> Fraction | None:
    if facts.wages:
        return sum((Fraction(w) for w in facts.wages), Fraction(0))
    if facts.wages_total is not None:
        return Fraction(facts.wages_total)
    return None


def average_wage_exact(facts: Facts) -> Fraction | None:
    total, period = _total(facts), _period(facts)
    if total is None or period is None:
        return None
    return total / period[0] * 30


def average_wage(facts: Facts, *, english: bool) -> Calculation:
    title = tr(english, "平均工資", "Average wage")
    articles = ((LSA, "2"),)
    total, period = _total(facts), _period(facts)
    formula = tr(
        english,
        "平均工資（月）= 事由發生當日前六個月內工資總額 ÷ 該期間總日數 × 30",
        "average monthly wage = wages of the six months before the event ÷ calendar days in them × 30",
    )
    inputs = []
    if facts.wages:
        shown = (
            "、".join(num(w) for w in facts.wages)
            if not english
            else ", ".join(num(w) for w in facts.wages)
        )
        inputs.append(tr(english, f"各月工資：{shown} 元", f"monthly wages: NT${shown}"))
    elif total is not None:
        inputs.append(
            tr(english, f"六個月工資總額：{num(total)} 元", f"six months' wages: NT${num(total)}")
        )
    if total is None or period is None:
        missing = []
        if total is None:
            missing.append(
                tr(english, "最近六個月每月的工資", "the wages of each of the last six months")
            )
        if period is None:
            missing.append(
                tr(
                    english,
                    "離職（事由發生）日期或該六個月的總日數",
                    "the date of leaving (the event) or the calendar days of those months",
                )
            )
        return Calculation(
            "average_wage",
            title,
            articles,
            tuple(inputs),
            (formula,),
            None,
            english,
            missing=tuple(missing),
        )
    days, span = period
    if span:
        inputs.append(
            tr(english, f"計算期間：{span}（{days} 天）", f"period: {span} ({days} days)")
        )
    else:
        inputs.append(tr(english, f"期間總日數：{days} 天", f"calendar days: {days}"))
    exact = total / days * 30
    value = round_nt(exact)
    steps = [
        tr(english, f"工資總額：{num(total)} 元", f"total wages: NT${num(total)}"),
        tr(
            english,
            f"每日平均：{num(total)} ÷ {days} = {num(total / days)} 元",
            f"daily average: {num(total)} ÷ {days} = {num(total / days)}",
        ),
        tr(
            english,
            f"月平均工資：{num(total / days)} × 30 = {num(exact)} 元",
            f"monthly: {num(total / days)} × 30 = {num(exact)}",
        ),
    ]
    notes = [
        tr(
            english,
            "平均工資含本薪及經常性給與（如全勤獎金、經常性津貼），不含年終獎金等非經常性給與。",
            "The average wage includes base pay and regular allowances, not year-end or other occasional bonuses.",
        )
    ]
    if facts.wages and len(facts.wages) != 6:
        notes.append(
            tr(
                english,
                "法定期間為六個月；工作未滿六個月者以工作期間計算。",
                "The law uses six months; for shorter service, the period worked.",
            )
        )
    result = tr(
        english,
        f"平均工資約 {value:,} 元（月，四捨五入至元）",
        f"Average wage: NT${value:,} a month (rounded to the dollar)",
    )
    return Calculation(
        "average_wage",
        title,
        articles,
        tuple(inputs),
        tuple(steps),
        result,
        english,
        value=value,
        notes=tuple(notes),
    )


def monthly_wage(facts: Facts, *, english: bool) -> Wage | None:
    """The average wage the severance and notice calculations use: stated, computed, or, failing
    both, the monthly wage (the usual stand-in when pay did not change in the last six months)."""
    if facts.average_wage is not None:
        value = Fraction(facts.average_wage)
        return Wage(
            value, tr(english, f"平均工資：{num(value)} 元", f"average wage: NT${num(value)}")
        )
    computed = average_wage_exact(facts)
    if computed is not None:
        return Wage(
            computed,
            tr(
                english,
                f"平均工資：{num(computed)} 元（依所給工資計算）",
                f"average wage: NT${num(computed)} (from the wages given)",
            ),
        )
    if facts.monthly_wage is not None:
        value = Fraction(facts.monthly_wage)
        return Wage(
            value,
            tr(
                english,
                f"月薪：{num(value)} 元（作為平均工資）",
                f"monthly wage: NT${num(value)} (taken as the average wage)",
            ),
            tr(
                english,
                "以月薪代替平均工資；平均工資是離職前六個月工資總額 ÷ 總日數 × 30（勞基法第 2 條第 4 款），薪資有變動時請以實際工資計算。",
                "The monthly wage stands in for the average wage (the last six months' wages ÷ their days × 30, LSA Art. 2(4)); use the actual wages if pay varied.",
            ),
        )
    return None


def today_or(day: date | None) -> date:
    return day or date.today()
