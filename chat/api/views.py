"""The OpenAI-compatible API: thin async views over the pipeline (chat.api.completion_wire)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from api_keys.limits import limits_acquire
from chat.answering.catalogue import MODELS, engine_owner, model_exists, upstream_serves
from chat.api.chat_request import parse_chat_request
from chat.api.completion_wire import (
    completion_events,
    completion_json,
    completion_start,
    model_not_found,
)
from chat.api.endpoint import api_endpoint, method_not_allowed, request_body
from chat.api.openapi import openapi_schema
from chat.api.openapi_docs import markup, operations, schemas
from chat.api.request_record import RequestRecord
from chat.api.stored_views import completions_list
from chat.sse import with_heartbeat
from laws.fingerprint import corpus_fingerprint_cached
from laws.index import (
    IndexMissing,
    SearchIndex,
    get_index,
    index_agrees,
    index_rebuild_in_background,
)
from laws.meaning import meaning_status
from laws.models import Law

MODELS_CREATED = 1732400000
LARGE_BODY = 64 * 1024


def model_card(model_id: str) -> dict:
    return {
        "id": model_id,
        "object": "model",
        "created": MODELS_CREATED,
        "owned_by": engine_owner(model_id),
    }


def event_stream(body) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api_endpoint("POST", "GET")
async def chat_completions(request: HttpRequest, record: RequestRecord) -> HttpResponse:
    if request.method == "GET":
        return await completions_list(request, record)
    body = request_body(request)
    if len(body) < LARGE_BODY:
        chat_request = parse_chat_request(body, request.content_type or "")
    else:  # off the event loop, which parsing a 1 MiB body held ~30 ms
        chat_request = await asyncio.to_thread(parse_chat_request, body, request.content_type or "")
    record.streamed = chat_request.stream
    record.model = chat_request.model[:100]  # so that refusals are logged with their model
    record.lease = await limits_acquire(
        api_key=record.api_key, model=chat_request.model, request_id=record.request_id
    )
    completion = await completion_start(chat_request, record)
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
    return event_stream(record.lease.hold(events))


@api_endpoint("GET", log=False)
async def models(request: HttpRequest, record: RequestRecord) -> HttpResponse:
    usable = [m for m in MODELS if record.api_key.allows_model(m)]
    return JsonResponse({"object": "list", "data": [model_card(m) for m in usable]})


@api_endpoint("GET", log=False)
async def model_detail(request: HttpRequest, record: RequestRecord, model_id: str) -> HttpResponse:
    if not model_exists(model_id):
        raise model_not_found(model_id)
    return JsonResponse(model_card(model_id))


# The health check's own thread (and connection): a probe must not wait behind the answers' work
# on the shared database thread, or a busy worker would look dead to its load balancer.
_health_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lawbot-health")


def _health_checks() -> tuple[dict, str]:
    """The checks and the status: "ok"; "degraded" while the index does not match the database
    (an import was interrupted): answers come from the index there is, a rebuild is under way;
    "unavailable" without a database or an index."""
    checks, status = {}, "ok"
    try:
        index: SearchIndex | None = get_index()
        checks["index"] = {"status": "ok", "articles": index.size}
    except IndexMissing:
        index = None
        checks["index"] = {"status": "missing"}
        status = "unavailable"
    try:
        imported = Law.objects.exists()
        checks["database"] = "ok"
        if index is not None and not index_agrees(index, corpus_fingerprint_cached()):
            checks["index"].update(status="mismatch", rebuilding=True)
            status = "degraded"
            index_rebuild_in_background()
        elif index is None and imported:
            checks["index"]["rebuilding"] = True
            index_rebuild_in_background()
    except DatabaseError:
        checks["database"] = "unavailable"
        status = "unavailable"
    finally:
        close_old_connections()  # a pooled connection goes back; a broken one is dropped
    # Progress of the meaning index, which never makes the server unhealthy: retrieval uses words
    # and cards until it is ready.
    checks["meaning"] = meaning_status()
    return {"database": checks.pop("database"), **checks}, status


@api_endpoint("GET", auth=False, log=False)
async def healthz(request: HttpRequest, record: RequestRecord) -> HttpResponse:
    checks, status = await sync_to_async(
        _health_checks, thread_sensitive=False, executor=_health_thread
    )()
    return JsonResponse(
        {"status": status, **checks}, status=503 if status == "unavailable" else 200
    )


@api_endpoint("GET", auth=False, log=False)
async def openapi_json(request: HttpRequest, record: RequestRecord) -> HttpResponse:
    return JsonResponse(openapi_schema(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def docs(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ("GET", "HEAD"))
    schema = openapi_schema()
    context = {
        "info": {**schema["info"], "description": markup(schema["info"]["description"])},
        "openapi": schema["openapi"],
        "servers": schema["servers"],
        "schema_url": request.path.removesuffix("docs") + "openapi.json",
        "operations": operations(schema),
        "objects": schemas(
            schema,
            [
                *("Message", "TextPart", "Completion", "Citation", "Error"),
                *("Law", "LawDetail", "Article", "Paragraph", "ArticleCitation", "SearchHit"),
                *("CalculationInput", "Calculation"),
                *("ResponsesRequest", "Response"),
            ],
        ),
    }
    return render(request, "api/docs.html", context)
