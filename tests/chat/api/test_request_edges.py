"""Edges of a request: an absurd max_tokens, and a stream the client closes."""

import json

import pytest

from api_keys.models import ApiKey, RequestLog
from chat.api.chat_request import parse_chat_request
from chat.api.completion_wire import completion_events, completion_start
from chat.api.request_record import RequestRecord
from tests.api_client import KeyClient, body, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.mark.parametrize("name", ["max_tokens", "max_completion_tokens"])
async def test_max_tokens_of_ten_to_the_hundred_is_refused(api_secret, corpus, name):
    response = await post(KeyClient(api_secret), body(**{name: 10**100}))
    assert response.status_code == 400
    assert response.json()["error"]["param"] == name


async def test_a_stream_the_client_closes_is_logged_as_closed_not_stopped(api_secret, corpus):
    api_key = await ApiKey.objects.afirst()
    record = RequestRecord(path="/v1/chat/completions", api_key=api_key)
    raw = json.dumps(body(stream=True)).encode()
    completion = await completion_start(parse_chat_request(raw, "application/json"), record)
    events = completion_events(completion)
    await anext(events)
    await anext(events)
    await events.aclose()  # the client went away mid-answer
    row = await RequestLog.objects.aget(request_id=record.request_id)
    assert row.client_closed
    assert row.finish_reason == "client_closed"
