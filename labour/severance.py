"""Severance pay (資遣費): the new pension system (勞退條例 第 12 條), the old one (勞基法 第 17 條),
and service split across both at 2005-07-01 (勞退條例 第 11 條): first the
arithmetic, then how it is written up."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from labour.calculation import LPA, LSA, Calculation, Draft, frac, num, round_nt
from labour.parsing import Facts
from labour.service_length import NEW_SYSTEM_START, Service, between, worked
from labour.wages import wage_basis, wage_given, wage_note

NEW_CAP = Fraction(6)  # 勞退條例 第 12 條: at most six months' average wage


@dataclass(frozen=True)
class Part:
    system: str  # "old" or "new"
    service: Service


@dataclass(frozen=True)
class Share:
    """One system's part of the severance pay, exact."""

    system: str  # "old" or "new"
    service: Service
    years: Fraction  # the service in years as this system counts it
    before_cap: Fraction  # months of average wage the service earns
    months: Fraction  # the months paid: before_cap, or the new system's cap
    amount: Fraction  # average wage × months

    @property
    def capped(self) -> bool:
        return self.months < self.before_cap


@dataclass(frozen=True)
class Severance:
    shares: tuple[Share, ...]
    total: Fraction
    value: int  # total, rounded once to the dollar


def new_system_base(service: Service) -> Fraction:
    """Months of average wage under 勞退條例 第 12 條, before its cap: half a month a year, a
    part-year prorated by its months and days (勞委會 101.1.13 令: 月 ÷ 12, 日 ÷ 365)."""
    return service.in_years() / 2


def old_system_base(service: Service) -> Fraction:
    """Months of average wage under 勞基法 第 17 條: one a full year, remaining months prorated,
    and a part-month counts as a whole month. No cap."""
    months = service.months + (1 if service.days else 0)
    return service.years + Fraction(months, 12)


def severance_share(wage: Fraction, part: Part) -> Share:
    if part.system == "old":
        base = old_system_base(part.service)
        return Share("old", part.service, base, base, base, wage * base)
    base = new_system_base(part.service)
    months = min(base, NEW_CAP)
    return Share("new", part.service, part.service.in_years(), base, months, wage * months)


def severance_new(wage: Fraction, service: Service) -> int:
    return round_nt(severance_share(wage, Part("new", service)).amount)


def severance_old(wage: Fraction, service: Service) -> int:
    return round_nt(severance_share(wage, Part("old", service)).amount)


def severance_parts(
    *,
    hired: date | None,
    left: date | None,
    service: Service | None,
    system: str | None,
    today: date,
) -> list[Part] | None:
    """The service under each system; None when neither dates nor a length of service are known.
    Without a leaving date the service runs to today."""
    if hired is not None:
        left = left or today
        # 勞退條例 第 11 條 第 1 項: service before 2005-07-01 is kept under the old system
        if hired < NEW_SYSTEM_START and system != "old" and left >= NEW_SYSTEM_START:
            old = between(hired, NEW_SYSTEM_START)
            return [Part("old", old), Part("new", worked(NEW_SYSTEM_START, left))]
        return [Part("old" if hired < NEW_SYSTEM_START else "new", worked(hired, left))]
    if service is not None:
        return [Part(system or "new", service)]
    return None


def severance_amounts(wage: Fraction, parts: Sequence[Part]) -> Severance:
    shares = tuple(severance_share(wage, part) for part in parts)
    total = sum((share.amount for share in shares), Fraction(0))
    return Severance(shares, total, round_nt(total))


TITLES = {
    frozenset({"new"}): ("資遣費（勞退新制）", "Severance pay (new pension system)"),
    frozenset({"old"}): ("資遣費（舊制）", "Severance pay (old system)"),
    frozenset({"old", "new"}): (
        "資遣費（新舊制年資併計）",
        "Severance pay (service under both systems)",
    ),
}


def _dates_given(draft: Draft, facts: Facts, hired: date, today: date) -> None:
    left = facts.left or today
    if not facts.hired_day_given:
        draft.note(
            "到職日未載明日期，以該月 1 日計。",
            "No day of hiring was given: the 1st of the month is used.",
        )
    if facts.left is None:
        draft.note(
            f"未提供離職日，以今天（{today.isoformat()}）計。",
            f"No leaving date was given: today ({today.isoformat()}) is used.",
        )
    elif not facts.left_day_given:
        draft.note(
            "離職日未載明日期，以該月 1 日計。",
            "No day of leaving was given: the 1st of the month is used.",
        )
    draft.given(
        f"到職日 {hired.isoformat()}，離職日 {left.isoformat()}（含當日）",
        f"hired {hired.isoformat()}, last day {left.isoformat()}",
    )
    total = worked(hired, left)
    draft.given(f"年資：{total.label(False)}", f"service: {total.label(True)}")


def _service_given(draft: Draft, facts: Facts, service: Service, today: date) -> None:
    draft.given(f"年資：{service.label(False)}", f"service: {service.label(True)}")
    if (facts.system or "new") != "new":
        return
    if service > between(NEW_SYSTEM_START, today):
        draft.note(
            "您的年資可能早於 2005-07-01；該日前的年資依舊制（勞基法第 17 條）計算。請提供到職日以分段試算。",
            "Part of your service may predate 2005-07-01, which counts under the old system (LSA Art. 17); give the hiring date for a split calculation.",
        )
    else:
        draft.note(
            "以勞退新制計算；若您選擇繼續適用舊制，請說明「舊制」。",
            "Calculated under the new pension system; say “old system” if you stayed in the old one.",
        )


def _span(share: Share, mixed: bool) -> tuple[str, str]:
    if not mixed:
        return "", ""
    if share.system == "old":
        return "（2005-06-30 以前）", " (up to 2005-06-30)"
    return "（2005-07-01 起）", " (from 2005-07-01)"


def _old_steps(draft: Draft, share: Share, wage: Fraction, mixed: bool) -> None:
    service, (zh, en) = share.service, _span(share, mixed)
    if service.days:
        counted = Service.of(service.years, service.months + 1)
        draft.step(
            f"舊制年資{zh}：{service.label(False)}，未滿一個月以一個月計 → {counted.label(False)}",
            f"old-system service{en}: {service.label(True)}; a part-month counts as a month → {counted.label(True)}",
        )
    else:
        draft.step(
            f"舊制年資{zh}：{service.label(False)}",
            f"old-system service{en}: {service.label(True)}",
        )
    base = frac(share.months)
    draft.step(
        f"舊制基數：每滿一年 1 個月，剩餘月數 ÷ 12 → {base} 個月",
        f"old-system months: 1 a full year, remaining months ÷ 12 → {base}",
    )
    amount = num(share.amount)
    draft.step(f"{num(wage)} × {base} = {amount} 元", f"{num(wage)} × {base} = NT${amount}")


def _new_steps(draft: Draft, share: Share, wage: Fraction, mixed: bool) -> None:
    service, (zh, en) = share.service, _span(share, mixed)
    years = frac(share.years)
    pieces = [str(service.years)] if service.years else []
    pieces += [f"{service.months}/12"] if service.months else []
    pieces += [f"{service.days}/365"] if service.days else []
    worked_out = ""
    if len(pieces) > 1 or not service.years:
        shown = " + ".join(pieces)
        worked_out = f" = {shown}" if years == shown else f" = {shown} = {years}"
    draft.step(
        f"新制年資{zh}：{service.label(False)}{worked_out and worked_out + ' 年'}",
        f"new-system service{en}: {service.label(True)}{worked_out and worked_out + ' years'}",
    )
    draft.step(
        f"新制基數：{years} × 1/2 = {frac(share.before_cap)} 個月",
        f"new-system months: {years} × 1/2 = {frac(share.before_cap)}",
    )
    if share.capped:
        draft.step("超過上限，以 6 個月計", "over the cap: 6 months")
    base, amount = frac(share.months), num(share.amount)
    draft.step(f"{num(wage)} × {base} = {amount} 元", f"{num(wage)} × {base} = NT${amount}")


def _formula(draft: Draft, systems: set[str], wage_known: bool, parts_known: bool) -> Calculation:
    if "new" in systems:
        draft.step(
            "新制：資遣費 = 平均工資 × 年資 × 1/2（未滿一年按月 ÷ 12、日 ÷ 365 比例計），最高 6 個月平均工資",
            "new system: severance = average wage × years of service × 1/2 (a part-year prorated: months ÷ 12, days ÷ 365), at most 6 months' wage",
        )
    if "old" in systems:
        draft.step(
            "舊制：資遣費 = 平均工資 × 基數；每滿一年 1 個月，剩餘月數 ÷ 12，未滿一個月以一個月計，無上限",
            "old system: severance = average wage × months; 1 a full year, remaining months ÷ 12, a part-month counts as a month, no cap",
        )
    if not wage_known:
        draft.ask("平均工資（或月薪）", "your average (or monthly) wage")
    if not parts_known:
        draft.ask("年資（或到職日）", "your length of service (or hiring date)")
    draft.note(
        "2005-07-01 前的年資依舊制保留，之後依新制（勞退條例第 11 條）。",
        "Service before 2005-07-01 is kept under the old system, after it counts under the new (LPA Art. 11).",
    )
    return draft.formula()


def severance(facts: Facts, *, english: bool, today: date) -> Calculation:
    wage = wage_basis(facts)
    parts = severance_parts(
        hired=facts.hired,
        left=facts.left,
        service=facts.service,
        system=facts.system,
        today=today,
    )
    if parts:
        systems = {p.system for p in parts}
    else:  # nothing to tell the systems apart: show both formulas
        systems = {facts.system} if facts.system else {"old", "new"}
    articles: list[tuple[str, str]] = []
    if "old" in systems:
        articles.append((LSA, "17"))
    if "new" in systems:
        articles.append((LPA, "12"))
    # 勞退條例 第 8 條: only those under the Labor Standards Act before the new system began
    # could keep the old one; someone hired later who asks for it gets the new system, and why.
    old_refused = facts.system == "old" and facts.hired is not None and "old" not in systems
    if old_refused:
        articles.append((LPA, "8"))
    if parts and len(parts) > 1:
        # A split calculation rests on the transition rule: 勞退條例 §11 keeps the years before the
        # switch and pays their severance by the Labor Standards Act. (勞基法 §84-2 is about years
        # before that Act applied to a business at all, another matter.)
        articles.append((LPA, "11"))
    title = TITLES[frozenset(systems)] if parts or facts.system else ("資遣費", "Severance pay")
    draft = Draft("severance", english=english, title=title, articles=tuple(articles))
    if wage is not None:
        wage_given(draft, wage)
    if facts.hired is not None:
        _dates_given(draft, facts, facts.hired, today)
    elif facts.service is not None:
        _service_given(draft, facts, facts.service, today)
    if old_refused:
        draft.note(
            f"舊制只適用 {NEW_SYSTEM_START.isoformat()} 勞退新制施行前已到職、選擇繼續適用勞基法退休金規定的勞工（勞退條例第 8 條）；"
            f"您於 {facts.hired.isoformat()} 到職，只能依新制計算。",
            f"The old system applies only to workers hired before the new pension system began on "
            f"{NEW_SYSTEM_START.isoformat()} who chose to stay in it (LPA Art. 8); hired on "
            f"{facts.hired.isoformat()}, you are under the new system, as calculated here.",
        )
    if wage is not None:
        wage_note(draft, wage)
    if wage is None or parts is None:
        return _formula(draft, systems, wage is not None, parts is not None)
    amounts = severance_amounts(wage.value, parts)
    mixed = len(parts) > 1
    for share in amounts.shares:
        if share.system == "old":
            _old_steps(draft, share, wage.value, mixed)
        else:
            _new_steps(draft, share, wage.value, mixed)
            if share.capped:
                draft.note(
                    "新制資遣費最高以 6 個月平均工資為限（勞退條例第 12 條）。",
                    "New-system severance is capped at 6 months' average wage (LPA Art. 12).",
                )
    if mixed:
        # 勞退條例 第 11 條 第 2 項: the kept service is paid as the Labor Standards Act says
        draft.note(
            "2005-07-01 前的舊制年資保留，依勞基法第 17 條計給；之後的年資依勞退條例第 12 條計給，上限只適用新制部分。",
            "Old-system service before 2005-07-01 is kept and paid under LSA Art. 17; later service under LPA Art. 12, whose cap applies to that part only.",
        )
        draft.step(f"合計：{num(amounts.total)} 元", f"total: NT${num(amounts.total)}")
    value = amounts.value
    return draft.done(
        f"資遣費 {value:,} 元（四捨五入至元）",
        f"Severance pay: NT${value:,} (rounded to the dollar)",
        value=value,
    )
