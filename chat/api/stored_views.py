"""Stored chat completions: thin views over chat.history and chat.api.stored_completions."""

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse

from chat.api.contract import json_object
from chat.api.endpoint import api_endpoint, request_body
from chat.api.pagination import metadata_filter, page_query, paginate
from chat.api.request_record import RequestRecord
from chat.api.stored_completions import (
    PREFIX,
    metadata_update,
    stored_completion,
    stored_completion_json,
    stored_message_json,
)
from chat.history import (
    answers_of,
    api_answer_delete,
    api_answer_update_metadata,
    lookup_text,
    with_metadata,
)


def _json(body: dict) -> JsonResponse:
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _json_request(request: HttpRequest) -> dict:
    return json_object(request_body(request), request.content_type or "")


async def completions_list(request: HttpRequest, record: RequestRecord) -> HttpResponse:
    """GET /chat/completions: the key owner's stored completions."""
    query = page_query(request, default_order="asc")
    messages = with_metadata(answers_of(record.api_key.user_id, PREFIX), metadata_filter(request))
    if request.GET.get("model"):
        messages = messages.filter(model=lookup_text(request.GET["model"]))
    page = await sync_to_async(paginate)(messages, query, stored_completion_json)
    return _json(page)


@api_endpoint("GET", "POST", "DELETE")
async def completion_detail(
    request: HttpRequest, record: RequestRecord, completion_id: str
) -> HttpResponse:
    message = await stored_completion(record.api_key.user_id, completion_id)
    if request.method == "DELETE":
        await sync_to_async(api_answer_delete)(answer=message)
        return _json({"object": "chat.completion.deleted", "id": completion_id, "deleted": True})
    if request.method == "POST":
        metadata = metadata_update(_json_request(request))
        await sync_to_async(api_answer_update_metadata)(answer=message, metadata=metadata)
    return _json(stored_completion_json(message))


@api_endpoint("GET")
async def completion_messages(
    request: HttpRequest, record: RequestRecord, completion_id: str
) -> HttpResponse:
    query = page_query(request, default_order="asc")
    message = await stored_completion(record.api_key.user_id, completion_id)
    page = await sync_to_async(paginate)(message.inputs.all(), query, stored_message_json)
    return _json(page)
