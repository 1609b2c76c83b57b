"""Length of service (年資): years, months and days, from words or from two dates; and the service
notice and annual leave rest on, with how it is shown."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from labour.calculation import Draft

NEW_SYSTEM_START = date(2005, 7, 1)  # 勞工退休金條例 施行日


@dataclass(frozen=True, order=True)
class Service:
    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def of(cls, years: int = 0, months: int = 0, days: int = 0) -> "Service":
        years, months = years + months // 12, months % 12
        return cls(years, months, days)

    def at_least(self, years: int = 0, months: int = 0) -> bool:
        return self >= Service.of(years, months)

    @property
    def empty(self) -> bool:
        return not (self.years or self.months or self.days)

    def label(self, english: bool) -> str:
        if english:
            parts = [
                f"{n} {unit}{'s' if n != 1 else ''}"
                for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
                if n
            ]
            return " ".join(parts) or "0 days"
        parts = [
            f"{n} {unit}"
            for n, unit in ((self.years, "年"), (self.months, "個月"), (self.days, "天"))
            if n
        ]
        return " ".join(parts) or "0 天"

    def in_years(self) -> Fraction:
        """Part-years as the Ministry converts them: months ÷ 12 and days ÷ 365."""
        return self.years + Fraction(self.months, 12) + Fraction(self.days, 365)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def between(start: date, end: date) -> Service:
    """The service from `start` up to, not including, `end`."""
    if end <= start:
        return Service()
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    days = (end - add_months(start, months)).days
    return Service.of(months=months, days=days)


def worked(hired: date, last_day: date) -> Service:
    """Service from the hiring date to the last day of work, both days counted."""
    return between(hired, last_day + timedelta(days=1))


def service_counted(
    *, stated: Service | None, hired: date | None, left: date | None, today: date
) -> Service | None:
    """The service notice and annual leave rest on: as stated, else from the hiring date to the
    last day of work (today when none is given); None when neither is known."""
    if stated is not None:
        return stated
    if hired is not None:
        return worked(hired, left or today)
    return None


def service_given(
    draft: Draft, *, stated: Service | None, hired: date | None, left: date | None, today: date
) -> Service | None:
    """`service_counted`, written into the draft's inputs (with a note when counted to today)."""
    service = service_counted(stated=stated, hired=hired, left=left, today=today)
    if stated is not None:
        draft.given(f"年資：{stated.label(False)}", f"service: {stated.label(True)}")
    elif hired is not None and service is not None:
        if left is None:
            draft.note(
                f"年資算至今天（{today.isoformat()}）。",
                f"Service counted up to today ({today.isoformat()}).",
            )
        draft.given(
            f"到職日 {hired.isoformat()} → 年資 {service.label(False)}",
            f"hired {hired.isoformat()} → service {service.label(True)}",
        )
    return service
