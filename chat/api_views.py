"""The OpenAI-compatible API: thin async views over chat.completions."""

import asyncio
import functools
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from api_keys.limits import limits_acquire
from chat.auth import authenticate
from chat.completions import (
    MODELS,
    completion_events,
    completion_json,
    completion_start,
    model_card,
)
from chat.engines import upstream_serves
from chat.errors import ApiError, internal_error, invalid
from chat.exchange import Exchange
from chat.openapi import openapi_schema
from chat.openapi_docs import markup, operations, schemas
from chat.streaming import with_heartbeat
from chat.validation import parse_chat_request
from laws.index import IndexMissing, get_index
from laws.meaning import meaning_status
from laws.models import Law

logger = logging.getLogger(__name__)
TOO_LARGE = ApiError(413, "The request body is larger than 1 MiB.", code="request_too_large")


def api_endpoint(*methods: str, auth: bool = True, log: bool = True):
    """Method check, API key authentication, the OpenAI error format and the request log."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            exchange = Exchange(path=request.path)
            try:
                if request.method not in methods:
                    raise ApiError(
                        405,
                        f"Method {request.method} is not allowed on {request.path}.",
                        code="method_not_allowed",
                    )
                if auth:
                    exchange.api_key = await authenticate(request)
                response = await view(request, exchange, *args, **kwargs)
            except ApiError as error:
                exchange.fail(error)
                response = error.response()
            except asyncio.CancelledError:
                exchange.client_closed = True
                if log:
                    await asyncio.shield(exchange.save())
                raise
            except DatabaseError:
                logger.exception("database error on %s", request.path)
                if exchange.lease:
                    await exchange.lease.release()
                error = ApiError(
                    503,
                    "The database is unavailable; try again shortly.",
                    code="database_unavailable",
                )
                return error.response()
            except Exception:
                logger.exception("unhandled error on %s", request.path)
                error = internal_error()
                exchange.fail(error)
                response = error.response()
            if log and not response.streaming:
                exchange.status = response.status_code
                await exchange.save()
            response["x-request-id"] = exchange.request_id
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorator


def _body(request: HttpRequest) -> bytes:
    # A chunked body has no Content-Length: its real size is checked after reading.
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


@api_endpoint("POST")
async def chat_completions(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    chat_request = parse_chat_request(_body(request), request.content_type or "")
    exchange.streamed = chat_request.stream
    exchange.model = chat_request.model[:100]  # so that refusals are logged with their model
    exchange.lease = await limits_acquire(
        api_key=exchange.api_key, model=chat_request.model, request_id=exchange.request_id
    )
    completion = await completion_start(chat_request, exchange)
    if not chat_request.stream:
        return JsonResponse(
            await completion_json(completion), json_dumps_params={"ensure_ascii": False}
        )
    events = completion_events(completion)
    if upstream_serves(chat_request.model):
        # An LLM may be silent for long (thinking, loading a model). The composer never is: it
        # sends a piece at least every LAWBOT_COMPOSER_TICK_MS, so it is spared the heartbeat's
        # task per chunk (a quarter of a chunk's cost with 1,000 streams on one worker).
        events = with_heartbeat(events, settings.LAWBOT_HEARTBEAT_SECONDS)
    body = exchange.lease.hold(events)
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api_endpoint("GET", log=False)
async def models(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    usable = [m for m in MODELS if exchange.api_key.allows_model(m)]
    return JsonResponse({"object": "list", "data": [model_card(m) for m in usable]})


@api_endpoint("GET", log=False)
async def model_detail(request: HttpRequest, exchange: Exchange, model_id: str) -> HttpResponse:
    if model_id not in MODELS:
        raise ApiError(
            404, f"The model '{model_id}' does not exist.", code="model_not_found", param="model"
        )
    return JsonResponse(model_card(model_id))


@api_endpoint("GET", auth=False, log=False)
async def healthz(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    checks, healthy = {}, True
    try:
        await Law.objects.aexists()
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
        healthy = False
    try:
        index = await sync_to_async(get_index)()
        checks["index"] = {"status": "ok", "articles": index.size}
    except IndexMissing:
        checks["index"] = {"status": "missing"}
        healthy = False
    checks["meaning"] = await sync_to_async(meaning_status)()  # progress; never unhealthy
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


@api_endpoint("GET", auth=False, log=False)
async def openapi_json(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    return JsonResponse(openapi_schema(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def docs(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        error = ApiError(
            405,
            f"Method {request.method} is not allowed on {request.path}.",
            code="method_not_allowed",
        )
        response = error.response()
        response["Allow"] = "GET, HEAD"
        return response
    schema = openapi_schema()
    context = {
        "info": {**schema["info"], "description": markup(schema["info"]["description"])},
        "openapi": schema["openapi"],
        "servers": schema["servers"],
        "schema_url": request.path.removesuffix("docs") + "openapi.json",
        "operations": operations(schema),
        "objects": schemas(schema, ["Message", "TextPart", "Completion", "Citation", "Error"]),
    }
    return render(request, "api/docs.html", context)


def is_api_path(path: str) -> bool:
    return path.startswith(("/v1/", "/chat/completions", "/models", "/healthz", "/openapi.json"))


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api_path(request.path) or "text/html" not in request.headers.get("Accept", ""):
        return ApiError(
            404, f"Unknown path: {request.method} {request.path}", code="not_found"
        ).response()
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path) or "text/html" not in request.headers.get("Accept", ""):
        return internal_error().response()
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)
