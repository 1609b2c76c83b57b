"""What every API view shares, in one decorator: the method check, API key authentication, the
OpenAI error format, and the request record; and the strict reader of a request body."""

import asyncio
import functools
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from api_keys.limits import LimitRefused
from chat.answering.errors import AnswerError
from chat.api.auth import authenticate
from chat.api.errors import ApiError, api_error, internal_error, invalid
from chat.api.request_record import RequestRecord

logger = logging.getLogger(__name__)
TOO_LARGE = ApiError(413, "The request body is larger than 1 MiB.", code="request_too_large")


def _not_allowed(request: HttpRequest) -> ApiError:
    return ApiError(
        405, f"Method {request.method} is not allowed on {request.path}.", code="method_not_allowed"
    )


def method_not_allowed(request: HttpRequest, allowed: tuple[str, ...]) -> HttpResponse:
    """The 405 of every API path, with its Allow header."""
    response = _not_allowed(request).response()
    response["Allow"] = ", ".join(allowed)
    return response


def api_endpoint(*methods: str, auth: bool = True, log: bool = True):
    """The view gets (request, record, …); whatever it raises becomes the OpenAI error JSON."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            record = RequestRecord(path=request.path)
            try:
                if request.method not in methods:
                    raise _not_allowed(request)
                if auth:
                    record.api_key = await authenticate(request)
                response = await view(request, record, *args, **kwargs)
            except (AnswerError, LimitRefused) as failure:
                error = api_error(failure)
                record.fail(error)
                response = error.response()
            except asyncio.CancelledError:
                record.client_closed = True
                if log:
                    await asyncio.shield(record.save())
                raise
            except DatabaseError:
                logger.exception("database error on %s", request.path)
                if record.lease:
                    await record.lease.release()
                error = ApiError(
                    503,
                    "The database is unavailable; try again shortly.",
                    code="database_unavailable",
                )
                return error.response()
            except Exception:
                logger.exception("unhandled error on %s", request.path)
                error = internal_error()
                record.fail(error)
                response = error.response()
            # Without a key (a failed key, counted by the throttle instead), there is no row:
            # a guesser must not write to the log at will.
            if log and not response.streaming and record.api_key is not None:
                record.status = response.status_code
                await record.save()
            response["x-request-id"] = record.request_id
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorator


def request_body(request: HttpRequest) -> bytes:
    """The body, at most LAWBOT_MAX_BODY_BYTES; a chunked body (no Content-Length) is measured
    after reading."""
    length = (request.headers.get("Content-Length") or "0").strip()
    if not length.isdigit():
        raise invalid("The Content-Length header is not a number.", code="invalid_content_length")
    if int(length) > settings.LAWBOT_MAX_BODY_BYTES:
        raise TOO_LARGE
    try:
        body = request.body
    except RequestDataTooBig:
        raise TOO_LARGE from None
    if len(body) > settings.LAWBOT_MAX_BODY_BYTES:
        raise TOO_LARGE
    return body
