"""What length of service alone decides: the notice period before dismissal (勞基法 第 16 條) and
annual paid leave (勞基法 第 38 條)."""

from datetime import date

from labour.calculation import LSA, Calculation, num, round_nt, tr
from labour.parsing import Facts
from labour.service_length import Service, worked
from labour.wages import monthly_wage


def notice_days(service: Service) -> int:
    # 勞基法 第 16 條 第 1 項
    if service.at_least(3):
        return 30
    if service.at_least(1):
        return 20
    if service.at_least(0, 3):
        return 10
    return 0


def annual_leave_days(service: Service) -> int:
    # 勞基法 第 38 條 第 1 項: ten years and more, one more day a year, up to thirty
    if service.years >= 10:
        return min(30, 16 + service.years - 10)
    for years, months, days in ((5, 0, 15), (3, 0, 14), (2, 0, 10), (1, 0, 7), (0, 6, 3)):
        if service.at_least(years, months):
            return days
    return 0


def _service(
    facts: Facts, today: date, english: bool
) -> tuple[Service | None, list[str], list[str]]:
    if facts.service:
        return (
            facts.service,
            [
                tr(
                    english,
                    f"年資：{facts.service.label(False)}",
                    f"service: {facts.service.label(True)}",
                )
            ],
            [],
        )
    if facts.hired:
        last = facts.left or today
        service = worked(facts.hired, last)
        notes = []
        if facts.left is None:
            notes.append(
                tr(
                    english,
                    f"年資算至今天（{today.isoformat()}）。",
                    f"Service counted up to today ({today.isoformat()}).",
                )
            )
        return (
            service,
            [
                tr(
                    english,
                    f"到職日 {facts.hired.isoformat()} → 年資 {service.label(False)}",
                    f"hired {facts.hired.isoformat()} → service {service.label(True)}",
                )
            ],
            notes,
        )
    return None, [], []


NOTICE_TABLE_ZH = "繼續工作 3 個月以上未滿 1 年：10 日；1 年以上未滿 3 年：20 日；3 年以上：30 日；未滿 3 個月：無"
NOTICE_TABLE_EN = "3 months to under 1 year: 10 days; 1 to under 3 years: 20 days; 3 years or more: 30 days; under 3 months: none"
LEAVE_TABLE_ZH = "6 個月以上未滿 1 年：3 日；1 年以上未滿 2 年：7 日；2 年以上未滿 3 年：10 日；3 年以上未滿 5 年：14 日；5 年以上未滿 10 年：15 日；10 年以上每 1 年加 1 日，加至 30 日為止"
LEAVE_TABLE_EN = "6 months to under 1 year: 3 days; 1–2 years: 7; 2–3 years: 10; 3–5 years: 14; 5–10 years: 15; from 10 years one more day a year, up to 30"


def notice(facts: Facts, *, english: bool, today: date) -> Calculation:
    title = tr(english, "預告期間與預告工資", "Notice period and pay in lieu")
    articles = ((LSA, "16"),)
    service, inputs, notes = _service(facts, today, english)
    wage = monthly_wage(facts, english=english)
    if wage:
        inputs.append(wage.label)
    table = tr(english, NOTICE_TABLE_ZH, NOTICE_TABLE_EN)
    pay_formula = tr(
        english, "預告工資 = 月薪 ÷ 30 × 預告日數", "pay in lieu = monthly wage ÷ 30 × notice days"
    )
    if service is None:
        missing = [tr(english, "年資（或到職日）", "your length of service (or hiring date)")]
        if wage is None:
            missing.append(
                tr(english, "月薪（如需計算預告工資）", "your monthly wage (for the pay in lieu)")
            )
        return Calculation(
            "notice",
            title,
            articles,
            tuple(inputs),
            (table, pay_formula),
            None,
            english,
            missing=tuple(missing),
        )
    days = notice_days(service)
    steps = [
        tr(
            english,
            f"年資 {service.label(False)} → 預告期間 {days} 日（{table}）",
            f"service {service.label(True)} → {days} days' notice ({table})",
        )
    ]
    figures = {"days": days}
    notes.append(
        tr(
            english,
            "雇主未依規定預告而終止契約者，應給付預告期間之工資；預告期間內勞工每星期可請 2 日有薪謀職假。",
            "An employer who dismisses without the notice must pay the wages of the notice period; during notice the worker may take 2 paid days a week to look for work.",
        )
    )
    if days == 0:
        result = tr(
            english,
            "年資未滿 3 個月，依法無預告期間",
            "Under 3 months of service: no notice period",
        )
        return Calculation(
            "notice",
            title,
            articles,
            tuple(inputs),
            tuple(steps),
            result,
            english,
            value=0,
            notes=tuple(notes),
            figures=figures,
        )
    result = tr(english, f"預告期間 {days} 日", f"Notice period: {days} days")
    if wage:
        pay = wage.value / 30 * days
        figures["pay"] = round_nt(pay)
        steps.append(
            tr(
                english,
                f"預告工資：{num(wage.value)} ÷ 30 × {days} = {num(pay)} 元",
                f"pay in lieu: {num(wage.value)} ÷ 30 × {days} = NT${num(pay)}",
            )
        )
        result += tr(
            english,
            f"；未預告者，預告工資 {figures['pay']:,} 元（四捨五入至元）",
            f"; without notice, pay in lieu NT${figures['pay']:,} (rounded to the dollar)",
        )
    else:
        steps.append(pay_formula)
        notes.append(
            tr(
                english,
                "提供月薪即可算出預告工資。",
                "Give your monthly wage to get the pay in lieu.",
            )
        )
    return Calculation(
        "notice",
        title,
        articles,
        tuple(inputs),
        tuple(steps),
        result,
        english,
        value=days,
        notes=tuple(notes),
        figures=figures,
    )


def annual_leave(facts: Facts, *, english: bool, today: date) -> Calculation:
    title = tr(english, "特別休假日數", "Annual paid leave")
    articles = ((LSA, "38"),)
    service, inputs, notes = _service(facts, today, english)
    table = tr(english, LEAVE_TABLE_ZH, LEAVE_TABLE_EN)
    if service is None:
        missing = (tr(english, "年資（或到職日）", "your length of service (or hiring date)"),)
        return Calculation(
            "annual_leave", title, articles, (), (table,), None, english, missing=missing
        )
    days = annual_leave_days(service)
    steps = []
    if service.years >= 10:
        steps.append(
            tr(
                english,
                f"滿 10 年 16 日，之後每滿 1 年加 1 日：16 + ({service.years} − 10) = {16 + service.years - 10} 日，上限 30 日",
                f"16 days at 10 years, one more a year: 16 + ({service.years} − 10) = {16 + service.years - 10}, at most 30",
            )
        )
    else:
        steps.append(
            tr(
                english,
                f"年資 {service.label(False)} → {days} 日（{table}）",
                f"service {service.label(True)} → {days} days ({table})",
            )
        )
    if days == 0:
        result = tr(
            english,
            "年資未滿 6 個月，尚無特別休假",
            "Under 6 months of service: no annual leave yet",
        )
    else:
        result = tr(english, f"每年特別休假 {days} 日", f"{days} days of annual paid leave a year")
    notes.append(
        tr(
            english,
            "特休依到職週年計給；年度終結或契約終止而未休的日數，雇主應發給工資。",
            "Leave accrues on each anniversary of hiring; days not taken at the end of the year or of the contract must be paid.",
        )
    )
    return Calculation(
        "annual_leave",
        title,
        articles,
        tuple(inputs),
        tuple(steps),
        result,
        english,
        value=days,
        notes=tuple(notes),
        figures={"days": days},
    )
