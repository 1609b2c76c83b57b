"""The notice period before dismissal and the pay in lieu of it (勞基法 第 16 條): first the
arithmetic, then how it is written up."""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from labour.calculation import LSA, Calculation, Draft, num, round_nt
from labour.parsing import Facts
from labour.service_length import Service, service_given
from labour.wages import wage_basis, wage_given

TABLE_ZH = "繼續工作 3 個月以上未滿 1 年：10 日；1 年以上未滿 3 年：20 日；3 年以上：30 日；未滿 3 個月：無"
TABLE_EN = "3 months to under 1 year: 10 days; 1 to under 3 years: 20 days; 3 years or more: 30 days; under 3 months: none"


@dataclass(frozen=True)
class Notice:
    days: int
    pay: Fraction | None  # the pay in lieu, exact; None without a wage or without a notice period

    @property
    def pay_rounded(self) -> int | None:
        return None if self.pay is None else round_nt(self.pay)


def notice_days(service: Service) -> int:
    # 勞基法 第 16 條 第 1 項
    if service.at_least(3):
        return 30
    if service.at_least(1):
        return 20
    if service.at_least(0, 3):
        return 10
    return 0


def notice_amounts(service: Service, wage: Fraction | None) -> Notice:
    days = notice_days(service)
    # 勞基法 第 16 條 第 3 項: 未依規定期間預告者，應給付預告期間之工資 (a day's wage: a month's ÷ 30)
    pay = wage / 30 * days if wage is not None and days else None
    return Notice(days, pay)


def notice(facts: Facts, *, english: bool, today: date) -> Calculation:
    draft = Draft(
        "notice",
        english=english,
        title=("預告期間與預告工資", "Notice period and pay in lieu"),
        articles=((LSA, "16"),),
    )
    service = service_given(
        draft, stated=facts.service, hired=facts.hired, left=facts.left, today=today
    )
    wage = wage_basis(facts)
    if wage is not None:
        wage_given(draft, wage)
    table = draft.tr(TABLE_ZH, TABLE_EN)
    pay_formula = (
        "預告工資 = 月薪 ÷ 30 × 預告日數",
        "pay in lieu = monthly wage ÷ 30 × notice days",
    )
    if service is None:
        draft.step(TABLE_ZH, TABLE_EN)
        draft.step(*pay_formula)
        draft.ask("年資（或到職日）", "your length of service (or hiring date)")
        if wage is None:
            draft.ask("月薪（如需計算預告工資）", "your monthly wage (for the pay in lieu)")
        return draft.formula()
    amounts = notice_amounts(service, wage.value if wage else None)
    days = amounts.days
    draft.step(
        f"年資 {service.label(False)} → 預告期間 {days} 日（{table}）",
        f"service {service.label(True)} → {days} days' notice ({table})",
    )
    # 勞基法 第 16 條 第 2 項 (謀職假) and 第 3 項 (pay in lieu)
    draft.note(
        "雇主未依規定預告而終止契約者，應給付預告期間之工資；預告期間內勞工每星期可請 2 日有薪謀職假。",
        "An employer who dismisses without the notice must pay the wages of the notice period; during notice the worker may take 2 paid days a week to look for work.",
    )
    if days == 0:
        return draft.done(
            "年資未滿 3 個月，依法無預告期間",
            "Under 3 months of service: no notice period",
            value=0,
            figures={"days": 0},
        )
    zh, en = f"預告期間 {days} 日", f"Notice period: {days} days"
    figures = {"days": days}
    if wage is not None and amounts.pay is not None:
        pay, rounded = amounts.pay, amounts.pay_rounded
        figures["pay"] = rounded
        draft.step(
            f"預告工資：{num(wage.value)} ÷ 30 × {days} = {num(pay)} 元",
            f"pay in lieu: {num(wage.value)} ÷ 30 × {days} = NT${num(pay)}",
        )
        zh += f"；未預告者，預告工資 {rounded:,} 元（四捨五入至元）"
        en += f"; without notice, pay in lieu NT${rounded:,} (rounded to the dollar)"
    else:
        draft.step(*pay_formula)
        draft.note("提供月薪即可算出預告工資。", "Give your monthly wage to get the pay in lieu.")
    return draft.done(zh, en, value=days, figures=figures)
