"""Labour-law calculators: the arithmetic Taiwan's labour law prescribes, applied to the numbers in
a question, with the steps shown and the articles cited.

Interface (the built-in composer and the upstream-LLM engine both use it):

    calculate(question: str, *, english: bool, today: date | None = None) -> list[Calculation]

returns one `Calculation` for each computation the question asks about (severance pay, notice
period, annual leave, overtime pay, average wage), in that order; [] when it asks about none.
A `Calculation` (chat/calculators/model.py) carries:

- `kind`: "severance" | "notice" | "annual_leave" | "overtime" | "average_wage";
- `title`, `inputs` (the numbers understood), `steps` (the arithmetic — or the formula when a
  number is missing), `result` (one sentence; None when a number is missing), `notes`;
- `articles`: the cited articles as (pcode, article number) pairs, e.g. ("N0030001", "17");
- `value`: the main figure (NT$ or days; None when a number is missing), `figures` (named parts:
  {"days": 20, "pay": 24000}), `missing` (what to ask the user for);
- `markdown()` — a `###` section for an answer; `facts()` — plain text for an LLM system prompt.

`with_calculation_articles(result, calculations)` (chat/calculators/articles.py) puts the articles
the calculations rest on among the search hits, fetching those retrieval missed.

Arithmetic is exact (fractions of Decimal-parsed amounts) and rounded once, at the end, to a whole
NT$ (half up), as the Ministry of Labor's calculators do. `today` stands in for a missing leaving
date (tests pass a fixed one)."""

import re
from datetime import date

from labour.annual_leave import annual_leave
from labour.calculation import Calculation
from labour.notice import notice
from labour.overtime import overtime
from labour.parsing import Facts, parse
from labour.severance import severance
from labour.wages import average_wage

__all__ = ["Calculation", "calculate", "parse"]

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


def calculate(question: str, *, english: bool, today: date | None = None) -> list[Calculation]:
    facts = parse(question)
    today = today or date.today()
    found: list[Calculation] = []
    if SEVERANCE_RE.search(question):
        found.append(severance(facts, english=english, today=today))
    if NOTICE_RE.search(question):
        found.append(notice(facts, english=english, today=today))
    if LEAVE_RE.search(question):
        found.append(annual_leave(facts, english=english, today=today))
    if OVERTIME_RE.search(question):
        found.append(overtime(facts, english=english))
    if _wants_average(question, facts):
        found.append(average_wage(facts, english=english))
    return found
