"""Labour-law calculators: the arithmetic Taiwan's labour law prescribes, applied to the numbers in
a question or to typed inputs, with the steps shown and the articles cited.

From a question (the answer pipeline, chat/answering/pipeline.py, calls this):

    calculate(question: str, *, english: bool, today: date | None = None) -> list[Calculation]

returns one `Calculation` for each computation the question asks about (severance pay, notice
period, annual leave, overtime pay, average wage), in that order; [] when it asks about none.
`parse(question) -> Facts` is the numbers it read.

From typed inputs (no question text; labour/structured.py), for `POST /v1/calculations`:

    calculate_structured(kind: str, *, english: bool, today: date | None = None, **inputs)
        -> Calculation

`kind` is one of `KINDS`; `INPUTS[kind]` names the inputs it takes, all optional (a missing one
gives the formula and `missing` instead of a figure), or call the kind's own function:

    severance_calculate(*, english, today=None, average_wage=None, monthly_wage=None, wages=(),
                        wages_total=None, period_days=None, service=None, hired=None, left=None,
                        system=None)                          # system: "old" | "new"
    notice_calculate(*, english, today=None, <the same wage inputs>, service=None, hired=None,
                     left=None)
    annual_leave_calculate(*, english, today=None, service=None, hired=None, left=None)
    overtime_calculate(*, english, hourly_wage=None, monthly_wage=None, workday_hours=None,
                       workday_extra=None, rest_day_hours=None, month_overtime=None)
    average_wage_calculate(*, english, wages=(), wages_total=None, period_days=None, left=None)

Amounts are NT$ (int, Decimal, float or a numeric string, at most two decimal places); `wages` the
last months' wages (at most six); dates `date` or "YYYY-MM-DD"; `service` a `Service` or
{"years", "months", "days"}; hours numbers or `Fraction`s. An unknown kind or input, a value out of
range, or two inputs that contradict each other raise `CalculationInputError` (a ValueError) whose
`param` names the input to fix. The same numbers as a question or as inputs give equal
`Calculation`s.

A `Calculation` (labour/calculation.py) carries:

- `kind`: "severance" | "notice" | "annual_leave" | "overtime" | "average_wage";
- `title`, `inputs` (the numbers understood), `steps` (the arithmetic — or the formula when a
  number is missing), `result` (one sentence; None when a number is missing), `notes`;
- `articles`: the cited articles as (pcode, article number) pairs, e.g. ("N0030001", "17");
- `value`: the main figure (NT$ or days; None when a number is missing), `figures` (named parts:
  {"days": 20, "pay": 24000}), `missing` (what to ask the user for);
- `markdown()` — a `###` section for an answer; `facts()` — plain text for an LLM system prompt.

Each calculator's module (severance, notice, annual_leave, overtime, wages for the average wage)
holds first its arithmetic, pure functions returning small dataclasses of exact figures
(`severance_amounts`, `notice_amounts`, `annual_leave_amounts`, `overtime_amounts`,
`average_wage_amounts`), then the code that writes them up through `calculation.Draft`;
service_length.py holds the length of service they rest on.

Arithmetic is exact (fractions of Decimal-parsed amounts) and rounded once, at the end, to a whole
NT$ (half up), as the Ministry of Labor's calculators do. `today` stands in for a missing leaving
date (tests pass a fixed one)."""

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from labour.annual_leave import annual_leave
from labour.calculation import Calculation
from labour.conversation import carried_labels, conversation_facts, is_follow_up
from labour.notice import notice
from labour.overtime import overtime
from labour.parsing import Facts, parse
from labour.severance import severance
from labour.structured import (
    INPUTS,
    KINDS,
    CalculationInputError,
    annual_leave_calculate,
    average_wage_calculate,
    calculate_structured,
    notice_calculate,
    overtime_calculate,
    severance_calculate,
)
from labour.wages import average_wage

__all__ = [
    "INPUTS",
    "KINDS",
    "Calculation",
    "CalculationInputError",
    "annual_leave_calculate",
    "average_wage_calculate",
    "calculate",
    "calculate_structured",
    "notice_calculate",
    "overtime_calculate",
    "parse",
    "severance_calculate",
]

SEVERANCE_RE = re.compile(r"資遣|遣散|裁員|severance|laid off|layoff|redundan", re.I)
NOTICE_RE = re.compile(r"預告|notice", re.I)
LEAVE_RE = re.compile(r"特休|特別休假|年假|annual leave|paid leave|vacation", re.I)
OVERTIME_RE = re.compile(r"加班|延長工時|延長工作時間|休息日|overtime|rest[\s-]?day", re.I)
AVERAGE_RE = re.compile(r"平均工資|平均薪資|average\s+(?:monthly\s+)?(?:wage|salary|pay)", re.I)


def _wants_average(question: str, facts: Facts) -> bool:
    # A stated average wage is an input, not a question; a list of wages or "how is it computed" asks.
    if facts.wages or facts.wages_total is not None:
        return True
    return (
        bool(AVERAGE_RE.search(question))
        and facts.average_wage is None
        and not (SEVERANCE_RE.search(question) or NOTICE_RE.search(question))
    )


def _asks(question: str) -> bool:
    return any(
        pattern.search(question)
        for pattern in (SEVERANCE_RE, NOTICE_RE, LEAVE_RE, OVERTIME_RE, AVERAGE_RE)
    )


def calculate(
    question: str, *, english: bool, today: date | None = None, earlier: Sequence[str] = ()
) -> list[Calculation]:
    """The calculations `question` asks for. `earlier`: the conversation's earlier questions,
    oldest first; a follow-up takes the facts it does not state from them (and, naming no
    computation, the computation the last of them asked for), and each calculation says which."""
    today = today or date.today()
    facts, carried, looked = conversation_facts(question, list(earlier), today)
    asked = question
    if not _asks(question) and is_follow_up(question, parse(question, today)):
        asked = next((text for text in looked if _asks(text)), question)
    found: list[Calculation] = []
    if SEVERANCE_RE.search(asked):
        found.append(severance(facts, english=english, today=today))
    if NOTICE_RE.search(asked):
        found.append(notice(facts, english=english, today=today))
    if LEAVE_RE.search(asked):
        found.append(annual_leave(facts, english=english, today=today))
    if OVERTIME_RE.search(asked):
        found.append(overtime(facts, english=english))
    if _wants_average(asked, facts if asked is question else parse(question, today)):
        found.append(average_wage(facts, english=english))
    labels = tuple(carried_labels(facts, carried, english=english))
    return [replace(calc, carried=labels) for calc in found] if labels else found
