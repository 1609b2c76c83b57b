"""The Responses API: thin views over chat.api.responses_wire and chat.history."""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api_keys.limits import limits_acquire
from chat.answering.catalogue import upstream_serves
from chat.api.endpoint import api_endpoint, request_body
from chat.api.pagination import page_query, paginate
from chat.api.request_record import RequestRecord
from chat.api.responses_items import include_check, input_item_json
from chat.api.responses_request import parse_responses_request
from chat.api.responses_wire import (
    PREFIX,
    response_complete,
    response_events,
    response_json,
    response_not_found,
    response_start,
)
from chat.api.views import event_stream
from chat.history import answer_find, api_answer_delete
from chat.models import Message
from chat.sse import with_heartbeat


def _json(body: dict) -> JsonResponse:
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@api_endpoint("POST")
async def responses(request: HttpRequest, record: RequestRecord) -> HttpResponse:
    responses_request = parse_responses_request(request_body(request), request.content_type or "")
    record.streamed = bool(responses_request.stream)
    record.model = responses_request.model[:100]
    record.lease = await limits_acquire(
        api_key=record.api_key, model=responses_request.model, request_id=record.request_id
    )
    run = await response_start(responses_request, record)
    if not responses_request.stream:
        return _json(await response_complete(run))
    events = response_events(run)
    if upstream_serves(responses_request.model):
        events = with_heartbeat(events, settings.LAWBOT_HEARTBEAT_SECONDS)
    return event_stream(record.lease.hold(events))


async def _stored(record: RequestRecord, response_id: str) -> Message:
    message = await sync_to_async(answer_find)(
        owner_id=record.api_key.user_id, public_id=response_id, prefix=PREFIX
    )
    if message is None:
        raise response_not_found(response_id)
    return message


@api_endpoint("GET", "DELETE")
async def response_detail(
    request: HttpRequest, record: RequestRecord, response_id: str
) -> HttpResponse:
    message = await _stored(record, response_id)
    if request.method == "DELETE":
        await sync_to_async(api_answer_delete)(answer=message)
        return _json({"id": response_id, "object": "response.deleted", "deleted": True})
    return _json(response_json(message))


@api_endpoint("GET")
async def response_input_items(
    request: HttpRequest, record: RequestRecord, response_id: str
) -> HttpResponse:
    query = page_query(request, default_order="desc")
    include_check(request)
    message = await _stored(record, response_id)
    page = await sync_to_async(paginate)(message.inputs.all(), query, input_item_json)
    return _json(page)
