"""Cursor pagination for the REST lists: DRF's CursorPagination (keyset on a unique ordering,
behind an opaque cursor), answered in the API's list shape.

Why a cursor and not page numbers or offsets: a page costs the same however deep it is (a
WHERE on the ordering key, not an OFFSET that scans everything before it), and a re-import that
adds or removes laws between two requests neither repeats nor skips a row. Why DRF's rather than
an OpenAI-style `after=<id>`: an article's id is not its order in the law (10-1 comes after 10,
before 11), and the cursor, being opaque, can change what it encodes without breaking clients."""

from urllib.parse import parse_qs, urlparse

from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from chat.api.errors import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ListCursor(CursorPagination):
    page_size = DEFAULT_LIMIT
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT
    cursor_query_param = "cursor"
    ordering = ("pk",)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except Exception as exc:  # DRF raises NotFound; the API names the parameter
            raise ApiError(
                404,
                "This cursor is not one the API gave out: pass a previous page's `next_cursor`.",
                param="cursor",
                code="not_found",
            ) from exc

    def get_paginated_response(self, data) -> Response:
        next_link = self.get_next_link()
        cursor = parse_qs(urlparse(next_link).query).get("cursor", [None])[0] if next_link else None
        return Response(
            {"object": "list", "data": data, "has_more": cursor is not None, "next_cursor": cursor}
        )
