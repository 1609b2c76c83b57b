"""A calculation's result and its two renderings (Markdown for the composer, plain text for an
LLM's system prompt); `Draft`, the one builder every calculator writes its steps with; and the
number formatting and rounding every calculator shares."""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

LSA = "N0030001"  # 勞動基準法
LPA = "N0030020"  # 勞工退休金條例
LAW_NAMES = {
    LSA: ("勞動基準法", "Labor Standards Act"),
    LPA: ("勞工退休金條例", "Labor Pension Act"),
}


@dataclass(frozen=True)
class Calculation:
    """One computation the law prescribes, as applied to the numbers in the question.

    `value` is the main result (NT$ or days) and None when a needed number is missing; then
    `missing` names what to ask for and `steps` hold the formula instead of the arithmetic."""

    kind: str  # "severance", "notice", "annual_leave", "overtime", "average_wage"
    title: str
    articles: tuple[tuple[str, str], ...]  # (pcode, article number): (("N0030001", "17"),)
    inputs: tuple[str, ...]
    steps: tuple[str, ...]
    result: str | None
    english: bool
    value: int | None = None
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    figures: dict[str, int] = field(default_factory=dict)  # e.g. {"days": 20, "pay": 24000}
    carried: tuple[str, ...] = ()  # facts taken from earlier questions of the conversation

    def cites(self) -> str:
        sep = ", " if self.english else "、"
        return sep.join(article_label(p, n, self.english) for p, n in self.articles)

    def markdown(self) -> str:
        zh = not self.english
        lines = [f"### {self.title}", ""]
        lines.append(("依據：" if zh else "Based on: ") + self.cites())
        lines.append("")
        if self.inputs:
            lines.append("已知：" if zh else "Given:")
            lines += [f"- {item}" for item in self.inputs]
            lines.append("")
        if self.carried:
            lines.append(self._carried_sentence())
            lines.append("")
        if self.steps:
            lines.append(
                ("計算：" if zh else "Arithmetic:")
                if self.result
                else ("公式：" if zh else "Formula:")
            )
            lines += [f"{n}. {step}" for n, step in enumerate(self.steps, 1)]
            lines.append("")
        if self.result:
            lines.append(f"**{self.result}**")
            lines.append("")
        if self.missing:
            ask = "、".join(self.missing) if zh else ", ".join(self.missing)
            lines.append(
                f"請提供{ask}，即可算出結果。" if zh else f"Please give {ask} to get the figure."
            )
            lines.append("")
        if self.notes:  # one quoted paragraph per note
            lines.append("\n>\n".join(f"> {note}" for note in self.notes))
        return "\n".join(lines).rstrip() + "\n"

    def _carried_sentence(self) -> str:
        if self.english:
            return "From your earlier questions: " + ", ".join(self.carried) + "."
        return "沿用您先前提供的：" + "、".join(self.carried) + "。"

    def facts(self) -> str:
        zh = not self.english
        sep = "；" if zh else "; "
        lines = [("試算：" if zh else "Calculation: ") + self.title]
        lines.append(("依據：" if zh else "Based on: ") + self.cites())
        if self.inputs:
            lines.append(("已知：" if zh else "Given: ") + sep.join(self.inputs))
        if self.carried:
            lines.append(self._carried_sentence())
        if self.steps:
            label = (
                ("計算：" if zh else "Arithmetic: ")
                if self.result
                else ("公式：" if zh else "Formula: ")
            )
            lines.append(label + sep.join(self.steps))
        if self.result:
            lines.append(("結果：" if zh else "Result: ") + self.result)
        if self.missing:
            ask = "、".join(self.missing) if zh else ", ".join(self.missing)
            lines.append(("尚缺（請向使用者詢問）：" if zh else "Missing (ask the user): ") + ask)
        lines += [("說明：" if zh else "Note: ") + note for note in self.notes]
        return "\n".join(lines)


class Draft:
    """A calculation being written up. Each piece is given in Chinese and English and kept in the
    question's language; `done` (a figure was reached) or `formula` (a number is missing) makes the
    `Calculation`."""

    def __init__(
        self,
        kind: str,
        *,
        english: bool,
        title: tuple[str, str],
        articles: tuple[tuple[str, str], ...],
    ) -> None:
        self.kind, self.english, self.articles = kind, english, articles
        self.title = self.tr(*title)
        self.inputs: list[str] = []
        self.steps: list[str] = []
        self.notes: list[str] = []
        self.missing: list[str] = []

    def tr(self, zh: str, en: str) -> str:
        return en if self.english else zh

    def given(self, zh: str, en: str) -> None:
        self.inputs.append(self.tr(zh, en))

    def step(self, zh: str, en: str) -> None:
        self.steps.append(self.tr(zh, en))

    def note(self, zh: str, en: str) -> None:
        self.notes.append(self.tr(zh, en))

    def ask(self, zh: str, en: str) -> None:
        self.missing.append(self.tr(zh, en))

    def _calculation(
        self, result: str | None, value: int | None, figures: dict[str, int]
    ) -> Calculation:
        return Calculation(
            self.kind,
            self.title,
            self.articles,
            tuple(self.inputs),
            tuple(self.steps),
            result,
            self.english,
            value=value,
            missing=tuple(self.missing),
            notes=tuple(self.notes),
            figures=figures,
        )

    def done(
        self, zh: str, en: str, *, value: int, figures: dict[str, int] | None = None
    ) -> Calculation:
        """The calculation with its result sentence and main figure."""
        return self._calculation(self.tr(zh, en), value, dict(figures or {}))

    def formula(self) -> Calculation:
        """The calculation without a result: its steps are the formula, `missing` what to ask."""
        return self._calculation(None, None, {})


def article_label(pcode: str, number: str, english: bool) -> str:
    zh_name, en_name = LAW_NAMES.get(pcode, (pcode, pcode))
    if english:
        return f"{en_name} Article {number}"
    if "-" in number:
        main, sub = number.split("-", 1)
        return f"{zh_name} 第 {main} 條之 {sub}"
    return f"{zh_name} 第 {number} 條"


def round_nt(value: Fraction) -> int:
    """Rounds to a whole NT$ (half up), as the Ministry of Labor's calculators do — once, at the
    end; every step before is exact."""
    return math.floor(value + Fraction(1, 2))


def num(value: Fraction | int | Decimal) -> str:
    """1234567 → '1,234,567'; 187.5 → '187.5'; 2/3 → '0.67' (shown to two places, never used)."""
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if value.denominator in (2, 4, 5, 8, 10, 20, 25, 50, 100):
        return f"{exact.normalize():,f}"
    return f"{exact.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}…"


def frac(value: Fraction) -> str:
    """A ratio as the Ministry writes it (7/4, 25/12, or 2 when whole); a long one as a decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    if value.denominator <= 24:
        return f"{value.numerator}/{value.denominator}"
    return num(value)
