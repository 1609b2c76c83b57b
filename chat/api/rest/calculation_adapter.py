"""Structured calculator input (POST /calculations, the MCP tool `calculate`) → the labour
calculators, and their Calculation → JSON. The one place that knows how the calculators are
entered: labour.structured.calculate_structured for typed inputs (it refuses the inputs a kind
does not take, and contradictory ones, naming them), labour.calculate for a question in words."""

from datetime import date

from labour import Calculation, calculate
from labour.structured import CalculationInputError, calculate_structured
from laws.models import Article
from laws.text import is_english

ARTICLE_URL = "https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode={pcode}&flno={number}"
# The API's field → labour.structured's input, where the names differ.
INPUT_NAMES = {
    "workday_overtime_hours": "workday_extra",
    "month_overtime_hours": "month_overtime",
}
API_NAMES = {inner: outer for outer, inner in INPUT_NAMES.items()}
NOT_INPUTS = {"kind", "question", "language", "today"}


class CalculationRefused(Exception):
    """Typed inputs the calculators cannot use; `param` names the API field."""

    def __init__(self, message: str, *, param: str):
        super().__init__(message)
        self.message, self.param = message, param


def _api_param(param: str) -> str:
    """labour's `wages[2]` / `workday_extra` → the API's `wages.2` / `workday_overtime_hours`."""
    if param.startswith("wages[") and param.endswith("]"):
        return f"wages.{param[6:-1]}"
    return API_NAMES.get(param, param)


def calculations_run(data: dict, *, today: date | None = None) -> list[Calculation]:
    """One calculation of `kind` from typed input, or those a `question` asks for (all of
    them, or only `kind`'s when both are given). Raises CalculationRefused."""
    language = data.get("language")
    english = language == "en" or (language is None and is_english(data.get("question") or ""))
    today = data.get("today") or today or date.today()
    if data.get("question"):
        found = calculate(data["question"], english=english, today=today)
        kind = data.get("kind")
        return [c for c in found if c.kind == kind] if kind else found
    inputs = {
        INPUT_NAMES.get(name, name): value
        for name, value in data.items()
        if name not in NOT_INPUTS and value is not None
    }
    if "service" in inputs:
        inputs["service"] = dict(inputs["service"])
    try:
        return [calculate_structured(data["kind"], english=english, today=today, **inputs)]
    except CalculationInputError as exc:
        param = _api_param(exc.param)
        message = exc.message.replace(exc.param, param) if exc.param != param else exc.message
        raise CalculationRefused(message, param=param) from exc


def calculation_json(calc: Calculation) -> dict:
    wanted = set(calc.articles)
    titles = {
        (pcode, number): f"{name} 第 {number} 條"
        for pcode, number, name in Article.objects.filter(
            law__pcode__in={p for p, _ in wanted}
        ).values_list("law__pcode", "number", "law__name")
        if (pcode, number) in wanted
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
