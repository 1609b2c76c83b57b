"""Annual paid leave (特別休假, 勞基法 第 38 條): first the arithmetic, then how it is written up."""

from dataclasses import dataclass
from datetime import date

from labour.calculation import LSA, Calculation, Draft
from labour.parsing import Facts
from labour.service_length import Service, service_given

TABLE_ZH = "6 個月以上未滿 1 年：3 日；1 年以上未滿 2 年：7 日；2 年以上未滿 3 年：10 日；3 年以上未滿 5 年：14 日；5 年以上未滿 10 年：15 日；10 年以上每 1 年加 1 日，加至 30 日為止"
TABLE_EN = "6 months to under 1 year: 3 days; 1–2 years: 7; 2–3 years: 10; 3–5 years: 14; 5–10 years: 15; from 10 years one more day a year, up to 30"


@dataclass(frozen=True)
class AnnualLeave:
    days: int
    by_years: int | None  # from ten years: 16 + (years − 10), before the cap of 30; else None


def annual_leave_days(service: Service) -> int:
    return annual_leave_amounts(service).days


def annual_leave_amounts(service: Service) -> AnnualLeave:
    # 勞基法 第 38 條 第 1 項: ten years and more, one more day a year, up to thirty
    if service.years >= 10:
        by_years = 16 + service.years - 10
        return AnnualLeave(min(30, by_years), by_years)
    for years, months, days in ((5, 0, 15), (3, 0, 14), (2, 0, 10), (1, 0, 7), (0, 6, 3)):
        if service.at_least(years, months):
            return AnnualLeave(days, None)
    return AnnualLeave(0, None)


def annual_leave(facts: Facts, *, english: bool, today: date) -> Calculation:
    draft = Draft(
        "annual_leave",
        english=english,
        title=("特別休假日數", "Annual paid leave"),
        articles=((LSA, "38"),),
    )
    service = service_given(
        draft, stated=facts.service, hired=facts.hired, left=facts.left, today=today
    )
    if service is None:
        draft.step(TABLE_ZH, TABLE_EN)
        draft.ask("年資（或到職日）", "your length of service (or hiring date)")
        return draft.formula()
    amounts = annual_leave_amounts(service)
    days = amounts.days
    if amounts.by_years is not None:
        draft.step(
            f"滿 10 年 16 日，之後每滿 1 年加 1 日：16 + ({service.years} − 10) = {amounts.by_years} 日，上限 30 日",
            f"16 days at 10 years, one more a year: 16 + ({service.years} − 10) = {amounts.by_years}, at most 30",
        )
    else:
        table = draft.tr(TABLE_ZH, TABLE_EN)
        draft.step(
            f"年資 {service.label(False)} → {days} 日（{table}）",
            f"service {service.label(True)} → {days} days ({table})",
        )
    # 勞基法 第 38 條 第 4 項: leave not taken is paid
    draft.note(
        "特休依到職週年計給；年度終結或契約終止而未休的日數，雇主應發給工資。",
        "Leave accrues on each anniversary of hiring; days not taken at the end of the year or of the contract must be paid.",
    )
    if days == 0:
        zh, en = "年資未滿 6 個月，尚無特別休假", "Under 6 months of service: no annual leave yet"
    else:
        zh, en = f"每年特別休假 {days} 日", f"{days} days of annual paid leave a year"
    return draft.done(zh, en, value=days, figures={"days": days})
