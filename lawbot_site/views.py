"""The site's 404 and 500 handlers: OpenAI error JSON on the API, Django's pages elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from chat.api.errors import ApiError, internal_error
from lawbot_site.routing import is_api_path


def _wants_json(request: HttpRequest) -> bool:
    return is_api_path(request.path) or "text/html" not in request.headers.get("Accept", "")


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return ApiError(
            404, f"Unknown path: {request.method} {request.path}", code="not_found"
        ).response()
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return internal_error().response()
    return defaults.server_error(request)
