"""The calculators from typed inputs instead of question text (for `POST /v1/calculations` and the
MCP `calculate` tool): one `<kind>_calculate` function per kind, and `calculate_structured(kind,
**inputs)`, which refuses unknown kinds and inputs and dispatches. Each fills the same `Facts` the
question parser fills, so typed inputs and a question stating the same numbers give the same
`Calculation`. Inputs that are out of range, malformed or contradictory raise
`CalculationInputError` naming the input (`param`), for a 400 that says what to fix."""

import inspect
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from labour.annual_leave import annual_leave
from labour.calculation import Calculation
from labour.notice import notice
from labour.overtime import overtime
from labour.parsing import Facts
from labour.service_length import Service
from labour.severance import severance
from labour.wages import average_wage

Amount = int | float | Decimal | str  # NT$, at most two decimal places
Hours = int | float | Decimal | Fraction | str
Day = date | str  # a date or "YYYY-MM-DD"
Length = Service | Mapping[str, int]  # Service(3, 6, 0) or {"years": 3, "months": 6}

MOST_MONEY = Decimal(10) ** 9  # NT$ a month; beyond it the input is a typo, not a wage
SIX_MONTHS_DAYS = 184  # the longest six calendar months (勞基法 第 2 條 第 4 款's period)
MOST_SERVICE_YEARS = 80


class CalculationInputError(ValueError):
    """An input the calculators cannot use; `param` names it."""

    def __init__(self, message: str, *, param: str) -> None:
        super().__init__(message)
        self.message, self.param = message, param


def _decimal(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CalculationInputError(f"{name} must be a number", param=name)
    try:
        number = Decimal(value if isinstance(value, int) else str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise CalculationInputError(f"{name} must be a number, not {value!r}", param=name) from None
    if not number.is_finite():
        raise CalculationInputError(f"{name} must be a finite number", param=name)
    if number.as_tuple().exponent < -2:
        raise CalculationInputError(f"{name} may have at most two decimal places", param=name)
    return number


def _amount(name: str, value: Amount | None) -> Decimal | None:
    if value is None:
        return None
    number = _decimal(name, value)
    if not 0 < number <= MOST_MONEY:
        raise CalculationInputError(
            f"{name} must be above 0 and at most {MOST_MONEY:,}", param=name
        )
    return number


def _wage(name: str, value: Amount | None) -> Decimal:
    number = _amount(name, value)
    if number is None:
        raise CalculationInputError(f"{name} must be a number", param=name)
    return number


def _hours(name: str, value: Hours | None, most: int) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        if 60 % value.denominator:
            raise CalculationInputError(f"{name} must be in whole minutes", param=name)
        number: Fraction | Decimal = value
    else:
        number = _decimal(name, value)
    if not 0 <= number <= most:  # before Fraction(), which would expand 1e999999 in full
        raise CalculationInputError(f"{name} must be between 0 and {most}", param=name)
    return Fraction(number)


def _day(name: str, value: Day | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalculationInputError(f"{name} must be a date (YYYY-MM-DD), not {value!r}", param=name)


def _service(value: Length | None) -> Service | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        unknown = set(value) - {"years", "months", "days"}
        if unknown:
            raise CalculationInputError(
                f"service takes years, months and days, not {', '.join(sorted(unknown))}",
                param="service",
            )
        parts = [value.get(key, 0) for key in ("years", "months", "days")]
    elif isinstance(value, Service):
        parts = [value.years, value.months, value.days]
    else:
        raise CalculationInputError("service must be {years, months, days}", param="service")
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in parts):
        raise CalculationInputError(
            "service's years, months and days must be whole numbers ≥ 0", param="service"
        )
    service = Service.of(*parts)
    if service.in_years() > MOST_SERVICE_YEARS:
        raise CalculationInputError(
            f"service must be at most {MOST_SERVICE_YEARS} years", param="service"
        )
    return service


def _wage_facts(
    *,
    average_wage: Amount | None,
    monthly_wage: Amount | None,
    wages: Sequence[Amount],
    wages_total: Amount | None,
    period_days: int | None,
    left: Day | None,
) -> Facts:
    if isinstance(wages, str | bytes | Mapping) or not isinstance(wages, Sequence):
        raise CalculationInputError("wages must be a list of monthly amounts", param="wages")
    if len(wages) > 6:
        raise CalculationInputError(
            "wages are the last six months': at most 6 amounts", param="wages"
        )
    if wages and wages_total is not None:
        raise CalculationInputError("give wages or wages_total, not both", param="wages_total")
    if average_wage is not None and (wages or wages_total is not None or monthly_wage is not None):
        raise CalculationInputError(
            "average_wage is what monthly_wage, wages and wages_total stand in for: give one",
            param="average_wage",
        )
    if period_days is not None and (
        isinstance(period_days, bool)
        or not isinstance(period_days, int)
        or not 1 <= period_days <= SIX_MONTHS_DAYS
    ):
        raise CalculationInputError(
            f"period_days must be a whole number from 1 to {SIX_MONTHS_DAYS}", param="period_days"
        )
    return Facts(
        average_wage=_amount("average_wage", average_wage),
        monthly_wage=_amount("monthly_wage", monthly_wage),
        wages=[_wage(f"wages[{i}]", w) for i, w in enumerate(wages)],
        wages_total=_amount("wages_total", wages_total),
        period_days=period_days,
        left=_day("left", left),
    )


def _service_facts(
    facts: Facts, *, service: Length | None, hired: Day | None, today: date
) -> Facts:
    facts.service, facts.hired = _service(service), _day("hired", hired)
    if facts.service is not None and facts.hired is not None:
        raise CalculationInputError("give service or hired, not both", param="service")
    if facts.hired and facts.left and facts.left < facts.hired:
        raise CalculationInputError("left must be on or after hired", param="left")
    if facts.hired and facts.hired.year < (facts.left or today).year - MOST_SERVICE_YEARS:
        raise CalculationInputError(
            f"hired must be within {MOST_SERVICE_YEARS} years of leaving", param="hired"
        )
    if facts.hired and not facts.left and facts.hired > today:
        raise CalculationInputError(
            f"hired is after today ({today.isoformat()}); give left as well", param="hired"
        )
    return facts


def severance_calculate(
    *,
    english: bool,
    today: date | None = None,
    average_wage: Amount | None = None,
    monthly_wage: Amount | None = None,
    wages: Sequence[Amount] = (),
    wages_total: Amount | None = None,
    period_days: int | None = None,
    service: Length | None = None,
    hired: Day | None = None,
    left: Day | None = None,
    system: str | None = None,
) -> Calculation:
    """Severance pay. With dates, service before 2005-07-01 counts under the old system and the
    rest under the new; `system="old"` (a worker who kept the old system) counts all of it under
    the old. With a length of service, `system` says which applies (the new one by default)."""
    if system not in (None, "old", "new"):
        raise CalculationInputError('system must be "old" or "new"', param="system")
    facts = _wage_facts(
        average_wage=average_wage,
        monthly_wage=monthly_wage,
        wages=wages,
        wages_total=wages_total,
        period_days=period_days,
        left=left,
    )
    today = today or date.today()
    facts = _service_facts(facts, service=service, hired=hired, today=today)
    facts.system = system
    return severance(facts, english=english, today=today)


def notice_calculate(
    *,
    english: bool,
    today: date | None = None,
    average_wage: Amount | None = None,
    monthly_wage: Amount | None = None,
    wages: Sequence[Amount] = (),
    wages_total: Amount | None = None,
    period_days: int | None = None,
    service: Length | None = None,
    hired: Day | None = None,
    left: Day | None = None,
) -> Calculation:
    """The notice period, and the pay in lieu of it when a wage is given."""
    facts = _wage_facts(
        average_wage=average_wage,
        monthly_wage=monthly_wage,
        wages=wages,
        wages_total=wages_total,
        period_days=period_days,
        left=left,
    )
    today = today or date.today()
    facts = _service_facts(facts, service=service, hired=hired, today=today)
    return notice(facts, english=english, today=today)


def annual_leave_calculate(
    *,
    english: bool,
    today: date | None = None,
    service: Length | None = None,
    hired: Day | None = None,
    left: Day | None = None,
) -> Calculation:
    """Days of annual paid leave a year; by dates, the service counts to `left` or to today."""
    today = today or date.today()
    facts = Facts(left=_day("left", left))
    facts = _service_facts(facts, service=service, hired=hired, today=today)
    return annual_leave(facts, english=english, today=today)


def overtime_calculate(
    *,
    english: bool,
    hourly_wage: Amount | None = None,
    monthly_wage: Amount | None = None,
    workday_hours: Hours | None = None,
    workday_extra: Hours | None = None,
    rest_day_hours: Hours | None = None,
    month_overtime: Hours | None = None,
) -> Calculation:
    """Overtime pay: `workday_hours` worked on a working day (normal hours included) or
    `workday_extra` overtime hours, and/or `rest_day_hours`; `month_overtime` checks the limit."""
    if hourly_wage is not None and monthly_wage is not None:
        raise CalculationInputError(
            "give hourly_wage or monthly_wage, not both", param="hourly_wage"
        )
    if workday_hours is not None and workday_extra is not None:
        raise CalculationInputError(
            "give workday_hours or workday_extra, not both", param="workday_extra"
        )
    facts = Facts(
        hourly_wage=_amount("hourly_wage", hourly_wage),
        monthly_wage=_amount("monthly_wage", monthly_wage),
        workday_hours=_hours("workday_hours", workday_hours, 24),
        workday_extra=_hours("workday_extra", workday_extra, 16),
        rest_day_hours=_hours("rest_day_hours", rest_day_hours, 24),
        month_overtime=_hours("month_overtime", month_overtime, 31 * 24),
    )
    return overtime(facts, english=english)


def average_wage_calculate(
    *,
    english: bool,
    wages: Sequence[Amount] = (),
    wages_total: Amount | None = None,
    period_days: int | None = None,
    left: Day | None = None,
) -> Calculation:
    """The average monthly wage from the last months' `wages` (or their `wages_total`) and either
    the `left` date (the six months before it are counted) or the `period_days` they span."""
    facts = _wage_facts(
        average_wage=None,
        monthly_wage=None,
        wages=wages,
        wages_total=wages_total,
        period_days=period_days,
        left=left,
    )
    return average_wage(facts, english=english)


CALCULATORS = {
    "severance": severance_calculate,
    "notice": notice_calculate,
    "annual_leave": annual_leave_calculate,
    "overtime": overtime_calculate,
    "average_wage": average_wage_calculate,
}
KINDS = tuple(CALCULATORS)
# The inputs each kind takes, for a request schema: {"overtime": ("hourly_wage", …), …}
INPUTS = {
    kind: tuple(
        name for name in inspect.signature(calc).parameters if name not in ("english", "today")
    )
    for kind, calc in CALCULATORS.items()
}


def calculate_structured(
    kind: str, *, english: bool, today: date | None = None, **inputs: object
) -> Calculation:
    """One calculation of `kind` (one of KINDS) from the inputs `INPUTS[kind]` names."""
    calculator = CALCULATORS.get(kind)
    if calculator is None:
        raise CalculationInputError(
            f"Unknown calculation kind {kind!r}; expected one of {', '.join(KINDS)}", param="kind"
        )
    for name in inputs:
        if name not in INPUTS[kind]:
            raise CalculationInputError(
                f"Unrecognized input for {kind}: {name} (it takes {', '.join(INPUTS[kind])})",
                param=name,
            )
    if "today" in inspect.signature(calculator).parameters:
        inputs["today"] = today
    return calculator(english=english, **inputs)
