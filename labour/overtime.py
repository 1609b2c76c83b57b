"""Overtime pay (勞基法 第 24 條) and the limits on overtime (勞基法 第 32 條): first the
arithmetic, then how it is written up."""

from dataclasses import dataclass
from fractions import Fraction

from labour.calculation import LSA, Calculation, Draft, frac, num, round_nt
from labour.parsing import Facts

NORMAL_DAY = 8  # 勞基法 第 30 條: eight normal hours a day
DAY_LIMIT = 12  # 勞基法 第 32 條 第 2 項: normal + overtime hours in a day
MONTH_LIMIT = 46  # 勞基法 第 32 條 第 2 項: overtime hours in a month
WEEKDAYS_AT_LEAST = 20  # a month of five-day weeks has at least 20 working days (February)
FIRST, THEN = Fraction(4, 3), Fraction(5, 3)  # 1 + 1/3 and 1 + 2/3; on rest days 1⅓ and 1⅔ on top


@dataclass(frozen=True)
class Tiers:
    """One day's overtime split at two hours, with each part's pay (exact)."""

    first: Fraction  # hours in the first two
    then: Fraction  # hours after them
    first_pay: Fraction
    then_pay: Fraction

    @property
    def pay(self) -> Fraction:
        return self.first_pay + self.then_pay


@dataclass(frozen=True)
class Overtime:
    hourly: Fraction
    workday: Tiers | None  # None when no working-day hours were given
    rest_day: Tiers | None  # None when no rest-day hours were given
    total: Fraction
    value: int  # total, rounded once to the dollar


@dataclass(frozen=True)
class Limits:
    """Which of 第 32 條 第 2 項's limits the hours break."""

    day: bool  # normal + overtime hours on a working day over 12
    rest_day: bool  # rest-day hours over 12
    month: bool  # overtime hours in the month over 46


def hourly_wage(monthly: Fraction) -> Fraction:
    return monthly / 30 / 8


def overtime_hours(hours_worked: Fraction) -> Fraction:
    return max(hours_worked - NORMAL_DAY, Fraction(0))


def tiers(hours: Fraction, hourly: Fraction) -> Tiers:
    """The same rates serve working days (第 24 條 第 1 項: +1/3, then +2/3) and rest days since
    2018-03-01 (第 24 條 第 2 項: +1 1/3, then +1 2/3 on top of the monthly wage, counted by the
    hours actually worked)."""
    first = min(hours, Fraction(2))
    then = max(hours - 2, Fraction(0))
    return Tiers(first, then, hourly * FIRST * first, hourly * THEN * then)


def workday_pay(hours_worked: Fraction, hourly: Fraction) -> Fraction:
    return tiers(overtime_hours(hours_worked), hourly).pay


def rest_day_pay(hours: Fraction, hourly: Fraction) -> Fraction:
    return tiers(hours, hourly).pay


def overtime_amounts(
    hourly: Fraction, *, workday_extra: Fraction | None, rest_day_hours: Fraction | None
) -> Overtime:
    workday = None if workday_extra is None else tiers(workday_extra, hourly)
    rest_day = None if rest_day_hours is None else tiers(rest_day_hours, hourly)
    total = sum((t.pay for t in (workday, rest_day) if t is not None), Fraction(0))
    return Overtime(hourly, workday, rest_day, total, round_nt(total))


def overtime_limits(
    *,
    workday_extra: Fraction | None,
    rest_day_hours: Fraction | None,
    month_overtime: Fraction | None,
) -> Limits:
    # 勞基法 第 32 條 第 2 項
    return Limits(
        day=workday_extra is not None and workday_extra + NORMAL_DAY > DAY_LIMIT,
        rest_day=rest_day_hours is not None and rest_day_hours > DAY_LIMIT,
        month=month_overtime is not None and month_overtime > MONTH_LIMIT,
    )


def _tier_steps(draft: Draft, split: Tiers, hourly: Fraction, rest: bool) -> None:
    r1, r2 = ("1 1/3", "1 2/3") if rest else ("1/3", "2/3")
    zh, en = ("休息日", "rest day, ") if rest else ("平日", "working day, ")
    first, first_pay = frac(split.first), num(split.first_pay)
    draft.step(
        f"{zh}前 2 小時（加給 {r1}）：{num(hourly)} × 4/3 × {first} = {first_pay} 元",
        f"{en}first 2 hours (+{r1}): {num(hourly)} × 4/3 × {first} = NT${first_pay}",
    )
    if split.then:
        then, then_pay = frac(split.then), num(split.then_pay)
        draft.step(
            f"{zh}第 3 小時起（加給 {r2}）：{num(hourly)} × 5/3 × {then} = {then_pay} 元",
            f"{en}from the 3rd hour (+{r2}): {num(hourly)} × 5/3 × {then} = NT${then_pay}",
        )


def _hourly_given(draft: Draft, facts: Facts) -> Fraction | None:
    if facts.hourly_wage is not None:
        hourly = Fraction(facts.hourly_wage)
        draft.given(f"時薪：{num(hourly)} 元", f"hourly wage: NT${num(hourly)}")
        return hourly
    stated = facts.monthly_wage if facts.monthly_wage is not None else facts.average_wage
    if stated is None:
        return None
    monthly = Fraction(stated)
    hourly = hourly_wage(monthly)
    draft.given(f"月薪：{num(monthly)} 元", f"monthly wage: NT${num(monthly)}")
    draft.step(
        f"平日每小時工資：{num(monthly)} ÷ 30 ÷ 8 = {num(hourly)} 元",
        f"hourly wage: {num(monthly)} ÷ 30 ÷ 8 = NT${num(hourly)}",
    )
    return hourly


def _hours_given(draft: Draft, facts: Facts) -> Fraction | None:
    """The working day's overtime hours, with every number of hours shown."""
    extra = facts.workday_extra
    if extra is None and facts.workday_hours is not None:
        extra = overtime_hours(facts.workday_hours)
        hours = num(facts.workday_hours)
        draft.given(
            f"平日工作 {hours} 小時（延長 {num(extra)} 小時）",
            f"worked {hours} hours on a working day ({num(extra)} overtime)",
        )
    elif extra is not None and facts.overtime_every_day:
        draft.given(
            f"每個工作日加班 {num(extra)} 小時", f"{num(extra)} overtime hours every working day"
        )
    elif extra is not None:
        draft.given(f"平日加班 {num(extra)} 小時", f"{num(extra)} overtime hours on a working day")
    if facts.rest_day_hours is not None:
        rest = num(facts.rest_day_hours)
        draft.given(f"休息日工作 {rest} 小時", f"{rest} hours worked on a rest day")
    if facts.month_overtime is not None:
        month = num(facts.month_overtime)
        draft.given(f"當月加班 {month} 小時", f"{month} overtime hours in the month")
    return extra


def _limit_notes(draft: Draft, facts: Facts, extra: Fraction | None) -> None:
    rest, month = facts.rest_day_hours, facts.month_overtime
    broken = overtime_limits(workday_extra=extra, rest_day_hours=rest, month_overtime=month)
    if broken.day:
        day = num(extra + NORMAL_DAY)
        draft.note(
            f"一日正常工時加延長工時不得超過 12 小時（第 32 條第 2 項）；本例 {day} 小時已超過。超時工作仍應給付工資，本試算超出部分以加給 2/3 計。",
            f"Normal plus overtime hours may not exceed 12 a day (Art. 32(2)); {day} hours exceeds it. The excess must still be paid; it is computed here at +2/3.",
        )
    if broken.rest_day:
        draft.note(
            "休息日工作連同正常工時一日不得超過 12 小時（第 32 條第 2 項）；本例已超過。",
            "Rest-day work may not exceed 12 hours a day (Art. 32(2)); this exceeds it.",
        )
    if (
        facts.overtime_every_day
        and extra
        and month is None
        and extra * WEEKDAYS_AT_LEAST > MONTH_LIMIT
    ):
        least = num(extra * WEEKDAYS_AT_LEAST)
        draft.note(
            f"每個工作日加班 {num(extra)} 小時，一個月（至少 {WEEKDAYS_AT_LEAST} 個工作日）至少 {least} 小時，超過延長工時每月 46 小時的上限（經工會或勞資會議同意者 54 小時；第 32 條第 2 項）。",
            f"{num(extra)} overtime hours every working day make at least {least} hours in a month (at least {WEEKDAYS_AT_LEAST} working days), over the limit of 46 a month (54 with a union or labour-management meeting's consent; Art. 32(2)).",
        )
    if broken.month:
        draft.note(
            f"延長工時一個月不得超過 46 小時（經工會或勞資會議同意者，每月 54 小時、每三個月 138 小時）；本例 {num(month)} 小時已超過（第 32 條第 2 項）。",
            f"Overtime may not exceed 46 hours a month (54, and 138 in three months, with a union or labour-management meeting's consent); {num(month)} hours exceeds it (Art. 32(2)).",
        )
    if rest is not None:
        # 勞基法 第 24 條 第 2 項 (2018-03-01) and 第 36 條 第 3 項
        draft.note(
            "休息日加班費自 2018-03-01 起依實際工作時數計算（舊法「4 小時內以 4 小時計」已刪除），休息日工作時數計入每月 46 小時上限。",
            "Since 2018-03-01 rest-day work is paid by the hours actually worked (the old 4-hour blocks are gone) and counts toward the 46-hour monthly limit.",
        )


def overtime(facts: Facts, *, english: bool) -> Calculation:
    draft = Draft(
        "overtime",
        english=english,
        title=("加班費", "Overtime pay"),
        articles=((LSA, "24"), (LSA, "32")),
    )
    hourly = _hourly_given(draft, facts)
    extra = _hours_given(draft, facts)
    rest = facts.rest_day_hours
    _limit_notes(draft, facts, extra)
    if hourly is None or (extra is None and rest is None):
        draft.step("平日每小時工資 = 月薪 ÷ 30 ÷ 8", "hourly wage = monthly wage ÷ 30 ÷ 8")
        draft.step(
            "平日延長工時：前 2 小時 × 時薪 × 4/3，第 3、4 小時 × 時薪 × 5/3",
            "working day: first 2 overtime hours × hourly × 4/3, the next 2 × hourly × 5/3",
        )
        draft.step(
            "休息日：前 2 小時 × 時薪 × 4/3（另再加給 1 1/3），第 3 小時起 × 時薪 × 5/3（另再加給 1 2/3）",
            "rest day: first 2 hours × hourly × 4/3 (+1 1/3 on top), from the 3rd hour × hourly × 5/3 (+1 2/3 on top)",
        )
        if hourly is None:
            draft.ask("月薪或時薪", "your monthly or hourly wage")
        if extra is None and rest is None:
            draft.ask("加班時數（平日或休息日）", "the overtime hours (working day or rest day)")
        return draft.formula()
    amounts = overtime_amounts(hourly, workday_extra=extra, rest_day_hours=rest)
    figures = {}
    if amounts.workday is not None:
        if extra:
            _tier_steps(draft, amounts.workday, hourly, rest=False)
        else:
            draft.step(
                "平日工作未超過 8 小時，無延長工時工資", "no more than 8 hours: no overtime pay"
            )
        figures["workday"] = round_nt(amounts.workday.pay)
    if amounts.rest_day is not None:
        _tier_steps(draft, amounts.rest_day, hourly, rest=True)
        figures["rest_day"] = round_nt(amounts.rest_day.pay)
    if len(figures) > 1:
        draft.step(f"合計：{num(amounts.total)} 元", f"total: NT${num(amounts.total)}")
    value = amounts.value
    if facts.overtime_every_day and rest is None:
        # A day's figure, said to be one: 「一個月加班費多少」 has as many of them as days worked.
        month = round_nt(amounts.total * 22)  # from the exact day's pay, rounded once
        draft.note(
            f"以上是一個工作日的加班費；一個月的加班費為每日 {num(amounts.total)} 元 × 當月加班日數（例如 22 日：{month:,} 元）。",
            f"This is one working day's overtime pay; a month's is NT${num(amounts.total)} a day × the days of overtime that month (22 days: NT${month:,}).",
        )
        return draft.done(
            f"每個工作日加班費 {value:,} 元（四捨五入至元）",
            f"Overtime pay: NT${value:,} per working day (rounded to the dollar)",
            value=value,
            figures=figures,
        )
    return draft.done(
        f"加班費 {value:,} 元（四捨五入至元）",
        f"Overtime pay: NT${value:,} (rounded to the dollar)",
        value=value,
        figures=figures,
    )
