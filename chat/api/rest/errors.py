"""DRF's exceptions as the API's one error format (chat.api.errors.ApiError): the exception handler
of every REST resource (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

import logging

from django.db import DatabaseError
from django.http import Http404, HttpResponse
from rest_framework import exceptions

from api_keys.limits import LimitRefused
from chat.answering.errors import AnswerError
from chat.api.errors import ApiError, api_error, internal_error
from laws.index import IndexMissing

logger = logging.getLogger(__name__)
INDEX_MISSING = ApiError(
    503,
    "The law index is not built yet; the operator must run import_laws.",
    code="index_unavailable",
)
DATABASE_DOWN = ApiError(
    503, "The database is unavailable; try again shortly.", code="database_unavailable"
)


def _first_problem(detail, path: str = "") -> tuple[str, exceptions.ErrorDetail | str]:
    """The first field (dotted: `wages.2`) and message of a serializer's nested errors."""
    if isinstance(detail, dict):
        name, inner = next(iter(detail.items()))
        field = name if name != "non_field_errors" else ""
        return _first_problem(inner, f"{path}.{field}" if path and field else path or field)
    if isinstance(detail, list) and detail:
        # A list field's errors are a list of per-item dicts/lists, most of them empty.
        for index, inner in enumerate(detail):
            if isinstance(inner, dict | list) and inner:
                return _first_problem(inner, f"{path}.{index}" if path else str(index))
        return _first_problem(detail[0], path)
    return path, detail


def validation_error(exc: exceptions.ValidationError) -> ApiError:
    param, message = _first_problem(exc.detail)
    code = getattr(message, "code", "invalid")
    if code == "required":
        return ApiError(
            400,
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    shown = f"Invalid value for '{param}': {message}" if param else str(message)
    return ApiError(400, shown, param=param or None, code="invalid_value")


def as_api_error(exc: Exception) -> ApiError | None:
    """The ApiError an exception of a REST view stands for; None for a bug (a 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, AnswerError | LimitRefused):
        return api_error(exc)
    if isinstance(exc, exceptions.ValidationError):
        return validation_error(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return ApiError(401, str(exc.detail), code="invalid_api_key")
    if isinstance(exc, exceptions.ParseError):
        return ApiError(
            400, f"The body of your request is not valid JSON: {exc.detail}", code="invalid_json"
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return ApiError(400, "Content-Type must be application/json.", code="invalid_content_type")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ApiError(405, str(exc.detail), code="method_not_allowed")
    if isinstance(exc, exceptions.NotFound | Http404):
        return ApiError(404, str(getattr(exc, "detail", "Not found.")), code="not_found")
    if isinstance(exc, exceptions.Throttled):
        return ApiError(429, str(exc.detail), code="rate_limit_exceeded")
    if isinstance(exc, exceptions.PermissionDenied):
        return ApiError(403, str(exc.detail), code="permission_denied")
    if isinstance(exc, exceptions.APIException):
        return ApiError(exc.status_code, str(exc.detail), code=exc.default_code)
    if isinstance(exc, IndexMissing):
        return INDEX_MISSING
    if isinstance(exc, DatabaseError):
        logger.exception("database error on a REST resource")
        return DATABASE_DOWN
    return None


def exception_handler(exc: Exception, context: dict) -> HttpResponse:
    error = as_api_error(exc)
    if error is None:
        logger.error("unhandled error on a REST resource", exc_info=exc)
        error = internal_error()
    view = context.get("view")
    record = getattr(view, "record", None)
    if record is not None:
        record.fail(error)
    response = error.response()
    if error.status == 405 and view is not None:
        response["Allow"] = ", ".join(view.allowed_methods)
    return response
