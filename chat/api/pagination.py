"""OpenAI's cursor pagination for lists: `after` (the last id of the previous page), `limit`
(1–100), `order` (asc, desc); a page is {"object": "list", "data", "first_id", "last_id",
"has_more"}."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from chat.api.errors import ApiError, invalid
from chat.history import lookup_text

METADATA_PARAM = re.compile(r"metadata\[(.{1,64})\]", re.DOTALL)


@dataclass(frozen=True)
class PageQuery:
    after: str | None
    limit: int
    order: str


def page_query(request: HttpRequest, *, default_order: str) -> PageQuery:
    after = lookup_text(request.GET.get("after") or "") or None
    raw_limit = request.GET.get("limit", "20")
    if not re.fullmatch(r"\d{1,6}", raw_limit) or not 1 <= int(raw_limit) <= 100:
        raise invalid(
            "Invalid value for 'limit': expected an integer from 1 to 100.", param="limit"
        )
    order = request.GET.get("order", default_order)
    if order not in ("asc", "desc"):
        raise invalid("Invalid value for 'order': expected 'asc' or 'desc'.", param="order")
    return PageQuery(after=after, limit=int(raw_limit), order=order)


def metadata_filter(request: HttpRequest) -> dict[str, str]:
    """`metadata[key]=value` query parameters (how the SDKs send a metadata filter)."""
    return {
        match.group(1): value
        for name, value in request.GET.items()
        if (match := METADATA_PARAM.fullmatch(name))
    }


def cursor_not_found(after: str) -> ApiError:
    return ApiError(
        404,
        f"No item with the id '{after[:100]}' to list after.",
        code="not_found",
        param="after",
    )


def paginate(messages, query: PageQuery, render: Callable) -> dict:
    """One page of a Message queryset in id order, `after` an item's public id in it."""
    ordered = messages.order_by("id" if query.order == "asc" else "-id")
    if query.after is not None:
        cursor = messages.filter(public_id=query.after).values_list("id", flat=True).first()
        if cursor is None:
            raise cursor_not_found(query.after)
        ordered = ordered.filter(**{"id__gt" if query.order == "asc" else "id__lt": cursor})
    rows = list(ordered[: query.limit + 1])
    data = [render(row) for row in rows[: query.limit]]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(rows) > query.limit,
    }
