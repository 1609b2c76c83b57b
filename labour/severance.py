"""Severance pay (資遣費): the new pension system (勞退條例 第 12 條), the old one (勞基法 第 17 條),
and service split across both at 2005-07-01 (勞退條例 第 11 條, 勞基法 第 84 條之 2)."""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from labour.calculation import LPA, LSA, Calculation, frac, num, round_nt, tr
from labour.parsing import Facts
from labour.service_length import NEW_SYSTEM_START, Service, between, worked
from labour.wages import Wage, monthly_wage

NEW_CAP = Fraction(6)  # 勞退條例 第 12 條: at most six months' average wage


def new_system_base(service: Service) -> tuple[Fraction, bool]:
    """Months of average wage under 勞退條例 第 12 條 and whether the cap applied: half a month a
    year, a part-year prorated by its months and days (勞委會 101.1.13 令: 月 ÷ 12, 日 ÷ 365)."""
    base = service.in_years() / 2
    return (NEW_CAP, True) if base > NEW_CAP else (base, False)


def old_system_base(service: Service) -> Fraction:
    """Months of average wage under 勞基法 第 17 條: one a full year, remaining months prorated,
    and a part-month counts as a whole month. No cap."""
    months = service.months + (1 if service.days else 0)
    return service.years + Fraction(months, 12)


def severance_new(wage: Fraction, service: Service) -> int:
    return round_nt(wage * new_system_base(service)[0])


def severance_old(wage: Fraction, service: Service) -> int:
    return round_nt(wage * old_system_base(service))


@dataclass(frozen=True)
class Part:
    system: str  # "old" or "new"
    service: Service


def _parts(
    facts: Facts, today: date, english: bool
) -> tuple[list[Part] | None, list[str], list[str]]:
    """The service under each system, with the inputs and assumptions shown."""
    inputs, notes = [], []
    if facts.hired:
        left = facts.left or today
        if not facts.hired_day_given:
            notes.append(
                tr(
                    english,
                    "到職日未載明日期，以該月 1 日計。",
                    "No day of hiring was given: the 1st of the month is used.",
                )
            )
        if facts.left is None:
            notes.append(
                tr(
                    english,
                    f"未提供離職日，以今天（{today.isoformat()}）計。",
                    f"No leaving date was given: today ({today.isoformat()}) is used.",
                )
            )
        elif not facts.left_day_given:
            notes.append(
                tr(
                    english,
                    "離職日未載明日期，以該月 1 日計。",
                    "No day of leaving was given: the 1st of the month is used.",
                )
            )
        inputs.append(
            tr(
                english,
                f"到職日 {facts.hired.isoformat()}，離職日 {left.isoformat()}（含當日）",
                f"hired {facts.hired.isoformat()}, last day {left.isoformat()}",
            )
        )
        total = worked(facts.hired, left)
        inputs.append(tr(english, f"年資：{total.label(False)}", f"service: {total.label(True)}"))
        if facts.hired < NEW_SYSTEM_START and facts.system != "old" and left >= NEW_SYSTEM_START:
            old = between(facts.hired, NEW_SYSTEM_START)
            new = worked(NEW_SYSTEM_START, left)
            return [Part("old", old), Part("new", new)], inputs, notes
        system = "old" if facts.hired < NEW_SYSTEM_START else "new"
        return [Part(system, total)], inputs, notes
    if facts.service:
        inputs.append(
            tr(
                english,
                f"年資：{facts.service.label(False)}",
                f"service: {facts.service.label(True)}",
            )
        )
        system = facts.system or "new"
        if system == "new":
            since = between(NEW_SYSTEM_START, today)
            if facts.service > since:
                notes.append(
                    tr(
                        english,
                        "您的年資可能早於 2005-07-01；該日前的年資依舊制（勞基法第 17 條）計算。請提供到職日以分段試算。",
                        "Part of your service may predate 2005-07-01, which counts under the old system (LSA Art. 17); give the hiring date for a split calculation.",
                    )
                )
            else:
                notes.append(
                    tr(
                        english,
                        "以勞退新制計算；若您選擇繼續適用舊制，請說明「舊制」。",
                        "Calculated under the new pension system; say “old system” if you stayed in the old one.",
                    )
                )
        return [Part(system, facts.service)], inputs, notes
    return None, inputs, notes


def _span(part: Part, mixed: bool, english: bool) -> str:
    if not mixed:
        return ""
    if part.system == "old":
        return tr(english, "（2005-06-30 以前）", " (up to 2005-06-30)")
    return tr(english, "（2005-07-01 起）", " (from 2005-07-01)")


def _old_steps(part: Part, wage: Wage, mixed: bool, english: bool) -> tuple[list[str], Fraction]:
    service = part.service
    base = old_system_base(service)
    span = _span(part, mixed, english)
    if service.days:
        counted = Service.of(service.years, service.months + 1)
        first = tr(
            english,
            f"舊制年資{span}：{service.label(False)}，未滿一個月以一個月計 → {counted.label(False)}",
            f"old-system service{span}: {service.label(True)}; a part-month counts as a month → {counted.label(True)}",
        )
    else:
        first = tr(
            english,
            f"舊制年資{span}：{service.label(False)}",
            f"old-system service{span}: {service.label(True)}",
        )
    amount = wage.value * base
    return [
        first,
        tr(
            english,
            f"舊制基數：每滿一年 1 個月，剩餘月數 ÷ 12 → {frac(base)} 個月",
            f"old-system months: 1 a full year, remaining months ÷ 12 → {frac(base)}",
        ),
        tr(
            english,
            f"{num(wage.value)} × {frac(base)} = {num(amount)} 元",
            f"{num(wage.value)} × {frac(base)} = NT${num(amount)}",
        ),
    ], amount


def _new_steps(
    part: Part, wage: Wage, mixed: bool, english: bool
) -> tuple[list[str], Fraction, bool]:
    service = part.service
    base, capped = new_system_base(service)
    years = service.in_years()
    span = _span(part, mixed, english)
    pieces = [str(service.years)] if service.years else []
    pieces += [f"{service.months}/12"] if service.months else []
    pieces += [f"{service.days}/365"] if service.days else []
    worked_out = ""
    if len(pieces) > 1 or not service.years:
        shown = " + ".join(pieces)
        worked_out = f" = {shown}" if frac(years) == shown else f" = {shown} = {frac(years)}"
    steps = [
        tr(
            english,
            f"新制年資{span}：{service.label(False)}{worked_out and worked_out + ' 年'}",
            f"new-system service{span}: {service.label(True)}{worked_out and worked_out + ' years'}",
        ),
        tr(
            english,
            f"新制基數：{frac(years)} × 1/2 = {frac(years / 2)} 個月",
            f"new-system months: {frac(years)} × 1/2 = {frac(years / 2)}",
        ),
    ]
    if capped:
        steps.append(tr(english, "超過上限，以 6 個月計", "over the cap: 6 months"))
    amount = wage.value * base
    steps.append(
        tr(
            english,
            f"{num(wage.value)} × {frac(base)} = {num(amount)} 元",
            f"{num(wage.value)} × {frac(base)} = NT${num(amount)}",
        )
    )
    return steps, amount, capped


def severance(facts: Facts, *, english: bool, today: date) -> Calculation:
    wage = monthly_wage(facts, english=english)
    parts, inputs, notes = _parts(facts, today, english)
    if parts:
        systems = {p.system for p in parts}
    else:  # nothing to tell the systems apart: show both formulas
        systems = {facts.system} if facts.system else {"old", "new"}
    articles: list[tuple[str, str]] = []
    if "old" in systems:
        articles.append((LSA, "17"))
    if "new" in systems:
        articles.append((LPA, "12"))
    if parts and len(parts) > 1:  # a split calculation rests on the transition rules too
        articles += [(LPA, "11"), (LSA, "84-2")]
    names = {
        frozenset({"new"}): tr(english, "資遣費（勞退新制）", "Severance pay (new pension system)"),
        frozenset({"old"}): tr(english, "資遣費（舊制）", "Severance pay (old system)"),
        frozenset({"old", "new"}): tr(
            english, "資遣費（新舊制年資併計）", "Severance pay (service under both systems)"
        ),
    }
    title = (
        names[frozenset(systems)]
        if parts or facts.system
        else tr(english, "資遣費", "Severance pay")
    )
    if wage:
        inputs.insert(0, wage.label)
        if wage.note:
            notes.append(wage.note)
    if wage is None or parts is None:
        formula = []
        if "new" in systems:
            formula.append(
                tr(
                    english,
                    "新制：資遣費 = 平均工資 × 年資 × 1/2（未滿一年按月 ÷ 12、日 ÷ 365 比例計），最高 6 個月平均工資",
                    "new system: severance = average wage × years of service × 1/2 (a part-year prorated: months ÷ 12, days ÷ 365), at most 6 months' wage",
                )
            )
        if "old" in systems:
            formula.append(
                tr(
                    english,
                    "舊制：資遣費 = 平均工資 × 基數；每滿一年 1 個月，剩餘月數 ÷ 12，未滿一個月以一個月計，無上限",
                    "old system: severance = average wage × months; 1 a full year, remaining months ÷ 12, a part-month counts as a month, no cap",
                )
            )
        missing = []
        if wage is None:
            missing.append(tr(english, "平均工資（或月薪）", "your average (or monthly) wage"))
        if parts is None:
            missing.append(
                tr(english, "年資（或到職日）", "your length of service (or hiring date)")
            )
        notes.append(
            tr(
                english,
                "2005-07-01 前的年資依舊制，之後依新制（勞退條例第 11 條、勞基法第 84 條之 2）。",
                "Service before 2005-07-01 counts under the old system, after it under the new (LPA Art. 11, LSA Art. 84-2).",
            )
        )
        return Calculation(
            "severance",
            title,
            tuple(articles),
            tuple(inputs),
            tuple(formula),
            None,
            english,
            missing=tuple(missing),
            notes=tuple(notes),
        )
    steps: list[str] = []
    total = Fraction(0)
    for part in parts:
        if part.system == "old":
            part_steps, amount = _old_steps(part, wage, len(parts) > 1, english)
        else:
            part_steps, amount, capped = _new_steps(part, wage, len(parts) > 1, english)
            if capped:
                notes.append(
                    tr(
                        english,
                        "新制資遣費最高以 6 個月平均工資為限（勞退條例第 12 條）。",
                        "New-system severance is capped at 6 months' average wage (LPA Art. 12).",
                    )
                )
        steps += part_steps
        total += amount
    if len(parts) > 1:
        notes.append(
            tr(
                english,
                "2005-07-01 前的舊制年資保留，依勞基法第 17 條計給；之後的年資依勞退條例第 12 條計給，上限只適用新制部分。",
                "Old-system service before 2005-07-01 is kept and paid under LSA Art. 17; later service under LPA Art. 12, whose cap applies to that part only.",
            )
        )
        steps.append(tr(english, f"合計：{num(total)} 元", f"total: NT${num(total)}"))
    value = round_nt(total)
    result = tr(
        english,
        f"資遣費 {value:,} 元（四捨五入至元）",
        f"Severance pay: NT${value:,} (rounded to the dollar)",
    )
    return Calculation(
        "severance",
        title,
        tuple(articles),
        tuple(inputs),
        tuple(steps),
        result,
        english,
        value=value,
        notes=tuple(notes),
    )
