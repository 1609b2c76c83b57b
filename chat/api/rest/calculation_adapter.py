"""Structured calculator input (POST /calculations, the MCP tool `calculate`) → the labour
calculators, and their Calculation → JSON. The one place that knows how the calculators are
entered: today through labour.parsing.Facts and the calculator functions; when labour/ gains its
own structured entry point, only this module changes."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from labour import Calculation, calculate
from labour.overtime import overtime
from labour.parsing import Facts
from labour.service_length import Service
from labour.severance import severance
from labour.tenure import annual_leave, notice
from labour.wages import average_wage
from laws.models import Article
from laws.text import is_english

KINDS = ("severance", "notice", "annual_leave", "overtime", "average_wage")
ARTICLE_URL = "https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode={pcode}&flno={number}"


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _fraction(value) -> Fraction | None:
    return None if value is None else Fraction(Decimal(value))


def facts_from(data: dict) -> Facts:
    """The validated structured input as the calculators' Facts."""
    service = data.get("service")
    return Facts(
        monthly_wage=_decimal(data.get("monthly_wage")),
        average_wage=_decimal(data.get("average_wage")),
        hourly_wage=_decimal(data.get("hourly_wage")),
        wages=[Decimal(w) for w in data.get("wages") or []],
        wages_total=_decimal(data.get("wages_total")),
        period_days=data.get("period_days"),
        service=Service.of(**service) if service else None,
        hired=data.get("hired"),
        left=data.get("left"),
        system=data.get("system"),
        workday_hours=_fraction(data.get("workday_hours")),
        workday_extra=_fraction(data.get("workday_overtime_hours")),
        rest_day_hours=_fraction(data.get("rest_day_hours")),
        month_overtime=_fraction(data.get("month_overtime_hours")),
    )


def calculations_run(data: dict, *, today: date | None = None) -> list[Calculation]:
    """One calculation of `kind` from structured input, or those a `question` asks for (all of
    them, or only `kind`'s when both are given)."""
    language = data.get("language")
    english = language == "en" or (language is None and is_english(data.get("question") or ""))
    today = data.get("today") or today or date.today()
    if data.get("question"):
        found = calculate(data["question"], english=english, today=today)
        kind = data.get("kind")
        return [c for c in found if c.kind == kind] if kind else found
    facts = facts_from(data)
    kind = data["kind"]
    if kind == "severance":
        return [severance(facts, english=english, today=today)]
    if kind == "notice":
        return [notice(facts, english=english, today=today)]
    if kind == "annual_leave":
        return [annual_leave(facts, english=english, today=today)]
    if kind == "overtime":
        return [overtime(facts, english=english)]
    return [average_wage(facts, english=english)]


def calculation_json(calc: Calculation) -> dict:
    titles = {
        (pcode, number): f"{name} 第 {number} 條"
        for pcode, number, name in Article.objects.filter(
            law__pcode__in={p for p, _ in calc.articles}
        ).values_list("law__pcode", "number", "law__name")
        if (pcode, number) in set(calc.articles)
    }
    return {
        "object": "calculation",
        "kind": calc.kind,
        "title": calc.title,
        "result": calc.result,
        "value": calc.value,
        "figures": dict(calc.figures),
        "inputs": list(calc.inputs),
        "steps": list(calc.steps),
        "notes": list(calc.notes),
        "missing": list(calc.missing),
        "articles": [
            {
                "pcode": pcode,
                "number": number,
                "title": titles.get((pcode, number), f"{pcode} 第 {number} 條"),
                "url": ARTICLE_URL.format(pcode=pcode, number=number),
            }
            for pcode, number in calc.articles
        ],
        "markdown": calc.markdown(),
    }
