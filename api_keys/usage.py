"""Usage per key per day, read from the request log, and its chart as plain SVG geometry."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from api_keys.models import ApiKey, RequestLog

DAYS = 30
CHART_WIDTH, CHART_HEIGHT = 600, 120


@dataclass
class Usage:
    day: date
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    errors: int = 0
    api_key_id: int | None = None
    api_key: ApiKey | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def usage_since(days: int = DAYS) -> date:
    return timezone.localdate() - timedelta(days=days - 1)


def usage_by_key_and_day(*, keys: Iterable[ApiKey] | None = None, days: int = DAYS) -> list[Usage]:
    """One row per key and day with any request, newest day first; `keys` None means every key."""
    logs = RequestLog.objects.all()
    if keys is not None:
        logs = logs.filter(api_key__in=list(keys))
    rows = [Usage(**row) for row in logs.usage_by_day(since=usage_since(days))]
    names = ApiKey.objects.select_related("user").in_bulk({r.api_key_id for r in rows} - {None})
    for row in rows:
        row.api_key = names.get(row.api_key_id)
    return sorted(rows, key=lambda r: (r.day, -r.requests), reverse=True)


def daily_totals(rows: Iterable[Usage], *, days: int = DAYS) -> list[Usage]:
    """Every day of the period, oldest first, summed over keys (zero on quiet days)."""
    first = usage_since(days)
    totals = {first + timedelta(days=i): Usage(day=first + timedelta(days=i)) for i in range(days)}
    for row in rows:
        total = totals.get(row.day)
        if total:
            total.requests += row.requests
            total.prompt_tokens += row.prompt_tokens
            total.completion_tokens += row.completion_tokens
            total.errors += row.errors
    return list(totals.values())


@dataclass
class Bar:
    x: float
    width: float
    y: float
    height: float
    error_y: float
    error_height: float
    usage: Usage


def chart(totals: list[Usage], *, measure: str) -> dict:
    """Bar geometry for an inline SVG of `measure` ("requests" or "tokens") per day; requests
    bars carry their errors as an overlaid part."""
    peak = max((getattr(t, measure) for t in totals), default=0) or 1
    step = CHART_WIDTH / max(len(totals), 1)
    bars = []
    for i, usage in enumerate(totals):
        height = getattr(usage, measure) / peak * CHART_HEIGHT
        error_height = usage.errors / peak * CHART_HEIGHT if measure == "requests" else 0
        bars.append(
            Bar(
                x=round(i * step + 1, 1),
                width=round(step - 2, 1),
                y=round(CHART_HEIGHT - height, 1),
                height=round(height, 1),
                error_y=round(CHART_HEIGHT - error_height, 1),
                error_height=round(error_height, 1),
                usage=usage,
            )
        )
    return {
        "measure": measure,
        "bars": bars,
        "peak": peak if any(getattr(t, measure) for t in totals) else 0,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "first": totals[0].day if totals else None,
        "last": totals[-1].day if totals else None,
    }


def usage_context(*, keys: Iterable[ApiKey] | None = None, days: int = DAYS) -> dict:
    """What the usage templates need: the rows, the daily totals and two charts."""
    rows = usage_by_key_and_day(keys=keys, days=days)
    totals = daily_totals(rows, days=days)
    return {
        "usage_rows": rows,
        "usage_totals": totals,
        "usage_sum": Usage(
            day=usage_since(days),
            requests=sum(t.requests for t in totals),
            prompt_tokens=sum(t.prompt_tokens for t in totals),
            completion_tokens=sum(t.completion_tokens for t in totals),
            errors=sum(t.errors for t in totals),
        ),
        "usage_days": days,
        "requests_chart": chart(totals, measure="requests"),
        "tokens_chart": chart(totals, measure="tokens"),
    }
