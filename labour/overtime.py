"""Overtime pay (勞基法 第 24 條) and the limits on overtime (勞基法 第 32 條)."""

from fractions import Fraction

from labour.calculation import LSA, Calculation, frac, num, round_nt, tr
from labour.parsing import Facts

NORMAL_DAY = 8  # 勞基法 第 30 條: eight normal hours a day
DAY_LIMIT = 12  # 勞基法 第 32 條 第 2 項: normal + overtime hours in a day
MONTH_LIMIT = 46  # 勞基法 第 32 條 第 2 項: overtime hours in a month
FIRST, THEN = Fraction(4, 3), Fraction(5, 3)  # 1 + 1/3 and 1 + 2/3; on rest days 1⅓ and 1⅔ on top


def hourly_wage(monthly: Fraction) -> Fraction:
    return monthly / 30 / 8


def tiered(hours: Fraction, hourly: Fraction) -> tuple[Fraction, Fraction, Fraction]:
    """Hours in the first two-hour tier, hours after it, and the pay: the same rates serve working
    days (第 24 條 第 1 項: +1/3, then +2/3) and rest days since 2018-03-01 (第 24 條 第 2 項:
    +1 1/3, then +1 2/3 on top of the monthly wage, counted by the hours actually worked)."""
    first = min(hours, Fraction(2))
    then = max(hours - 2, Fraction(0))
    return first, then, hourly * (first * FIRST + then * THEN)


def workday_pay(hours_worked: Fraction, hourly: Fraction) -> Fraction:
    return tiered(max(hours_worked - NORMAL_DAY, Fraction(0)), hourly)[2]


def rest_day_pay(hours: Fraction, hourly: Fraction) -> Fraction:
    return tiered(hours, hourly)[2]


def _tier_steps(
    hours: Fraction, hourly: Fraction, english: bool, rest: bool
) -> tuple[list[str], Fraction]:
    first, then, pay = tiered(hours, hourly)
    r1, r2 = ("1 1/3", "1 2/3") if rest else ("1/3", "2/3")
    day = tr(english, "休息日" if rest else "平日", "rest day, " if rest else "working day, ")
    steps = [
        tr(
            english,
            f"{day}前 2 小時（加給 {r1}）：{num(hourly)} × 4/3 × {frac(first)} = {num(hourly * FIRST * first)} 元",
            f"{day}first 2 hours (+{r1}): {num(hourly)} × 4/3 × {frac(first)} = NT${num(hourly * FIRST * first)}",
        )
    ]
    if then:
        steps.append(
            tr(
                english,
                f"{day}第 3 小時起（加給 {r2}）：{num(hourly)} × 5/3 × {frac(then)} = {num(hourly * THEN * then)} 元",
                f"{day}from the 3rd hour (+{r2}): {num(hourly)} × 5/3 × {frac(then)} = NT${num(hourly * THEN * then)}",
            )
        )
    return steps, pay


def overtime(facts: Facts, *, english: bool) -> Calculation:
    title = tr(english, "加班費", "Overtime pay")
    articles = ((LSA, "24"), (LSA, "32"))
    inputs, steps, notes = [], [], []
    if facts.hourly_wage is not None:
        hourly = Fraction(facts.hourly_wage)
        inputs.append(tr(english, f"時薪：{num(hourly)} 元", f"hourly wage: NT${num(hourly)}"))
    elif facts.monthly_wage is not None or facts.average_wage is not None:
        monthly = Fraction(
            facts.monthly_wage if facts.monthly_wage is not None else facts.average_wage
        )
        hourly = hourly_wage(monthly)
        inputs.append(tr(english, f"月薪：{num(monthly)} 元", f"monthly wage: NT${num(monthly)}"))
        steps.append(
            tr(
                english,
                f"平日每小時工資：{num(monthly)} ÷ 30 ÷ 8 = {num(hourly)} 元",
                f"hourly wage: {num(monthly)} ÷ 30 ÷ 8 = NT${num(hourly)}",
            )
        )
    else:
        hourly = None
    extra = facts.workday_extra
    if extra is None and facts.workday_hours is not None:
        extra = max(facts.workday_hours - NORMAL_DAY, Fraction(0))
        inputs.append(
            tr(
                english,
                f"平日工作 {num(facts.workday_hours)} 小時（延長 {num(extra)} 小時）",
                f"worked {num(facts.workday_hours)} hours on a working day ({num(extra)} overtime)",
            )
        )
    elif extra is not None:
        inputs.append(
            tr(
                english,
                f"平日加班 {num(extra)} 小時",
                f"{num(extra)} overtime hours on a working day",
            )
        )
    rest = facts.rest_day_hours
    if rest is not None:
        inputs.append(
            tr(english, f"休息日工作 {num(rest)} 小時", f"{num(rest)} hours worked on a rest day")
        )
    if facts.month_overtime is not None:
        inputs.append(
            tr(
                english,
                f"當月加班 {num(facts.month_overtime)} 小時",
                f"{num(facts.month_overtime)} overtime hours in the month",
            )
        )

    if extra is not None and extra + NORMAL_DAY > DAY_LIMIT:
        notes.append(
            tr(
                english,
                f"一日正常工時加延長工時不得超過 12 小時（第 32 條第 2 項）；本例 {num(extra + NORMAL_DAY)} 小時已超過。超時工作仍應給付工資，本試算超出部分以加給 2/3 計。",
                f"Normal plus overtime hours may not exceed 12 a day (Art. 32(2)); {num(extra + NORMAL_DAY)} hours exceeds it. The excess must still be paid; it is computed here at +2/3.",
            )
        )
    if rest is not None and rest > DAY_LIMIT:
        notes.append(
            tr(
                english,
                "休息日工作連同正常工時一日不得超過 12 小時（第 32 條第 2 項）；本例已超過。",
                "Rest-day work may not exceed 12 hours a day (Art. 32(2)); this exceeds it.",
            )
        )
    if facts.month_overtime is not None and facts.month_overtime > MONTH_LIMIT:
        notes.append(
            tr(
                english,
                f"延長工時一個月不得超過 46 小時（經工會或勞資會議同意者，每月 54 小時、每三個月 138 小時）；本例 {num(facts.month_overtime)} 小時已超過（第 32 條第 2 項）。",
                f"Overtime may not exceed 46 hours a month (54, and 138 in three months, with a union or labour-management meeting's consent); {num(facts.month_overtime)} hours exceeds it (Art. 32(2)).",
            )
        )
    if rest is not None:
        notes.append(
            tr(
                english,
                "休息日加班費自 2018-03-01 起依實際工作時數計算（舊法「4 小時內以 4 小時計」已刪除），休息日工作時數計入每月 46 小時上限。",
                "Since 2018-03-01 rest-day work is paid by the hours actually worked (the old 4-hour blocks are gone) and counts toward the 46-hour monthly limit.",
            )
        )
    if hourly is None or (extra is None and rest is None):
        formula = [
            tr(english, "平日每小時工資 = 月薪 ÷ 30 ÷ 8", "hourly wage = monthly wage ÷ 30 ÷ 8"),
            tr(
                english,
                "平日延長工時：前 2 小時 × 時薪 × 4/3，第 3、4 小時 × 時薪 × 5/3",
                "working day: first 2 overtime hours × hourly × 4/3, the next 2 × hourly × 5/3",
            ),
            tr(
                english,
                "休息日：前 2 小時 × 時薪 × 4/3（另再加給 1 1/3），第 3 小時起 × 時薪 × 5/3（另再加給 1 2/3）",
                "rest day: first 2 hours × hourly × 4/3 (+1 1/3 on top), from the 3rd hour × hourly × 5/3 (+1 2/3 on top)",
            ),
        ]
        missing = []
        if hourly is None:
            missing.append(tr(english, "月薪或時薪", "your monthly or hourly wage"))
        if extra is None and rest is None:
            missing.append(
                tr(
                    english,
                    "加班時數（平日或休息日）",
                    "the overtime hours (working day or rest day)",
                )
            )
        return Calculation(
            "overtime",
            title,
            articles,
            tuple(inputs),
            tuple(steps + formula),
            None,
            english,
            missing=tuple(missing),
            notes=tuple(notes),
        )

    total = Fraction(0)
    figures = {}
    if extra is not None:
        if extra:
            tier_steps, pay = _tier_steps(extra, hourly, english, rest=False)
            steps += tier_steps
        else:
            steps.append(
                tr(
                    english,
                    "平日工作未超過 8 小時，無延長工時工資",
                    "no more than 8 hours: no overtime pay",
                )
            )
            pay = Fraction(0)
        figures["workday"] = round_nt(pay)
        total += pay
    if rest is not None:
        tier_steps, pay = _tier_steps(rest, hourly, english, rest=True)
        steps += tier_steps
        figures["rest_day"] = round_nt(pay)
        total += pay
    value = round_nt(total)
    if len(figures) > 1:
        steps.append(tr(english, f"合計：{num(total)} 元", f"total: NT${num(total)}"))
    result = tr(
        english,
        f"加班費 {value:,} 元（四捨五入至元）",
        f"Overtime pay: NT${value:,} (rounded to the dollar)",
    )
    return Calculation(
        "overtime",
        title,
        articles,
        tuple(inputs),
        tuple(steps),
        result,
        english,
        value=value,
        notes=tuple(notes),
        figures=figures,
    )
