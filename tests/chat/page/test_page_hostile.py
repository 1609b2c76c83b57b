"""The page's endpoints answer hostile input with their own errors, never a 500."""

import json

import pytest
from django.test import Client

from chat.sse import frame

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.mark.parametrize("conversation", ["²", "１２", "9" * 40, "-1", " 1"])
def test_a_conversation_id_that_is_not_a_number_is_not_found(signed_in, conversation):
    asked = signed_in.post(
        "/api/ui/ask",
        {"question": "勞基法第17條", "conversation": conversation},
        content_type="application/json",
    )
    assert asked.status_code == 404
    assert asked.json()["error"]["code"] == "not_found"


def test_json_nested_100000_deep_is_refused_as_an_empty_question(signed_in):
    body = "[" * 100_000 + "]" * 100_000
    asked = signed_in.post("/api/ui/ask", body, content_type="application/json")
    assert asked.status_code == 400
    assert asked.json()["error"]["code"] == "empty_question"


def test_line_separators_are_escaped_in_the_pages_frames():
    raw = frame("delta", {"text": "a\u2028b\u2029c\x85d"}, 4)
    assert "\u2028".encode() not in raw and "\u2029".encode() not in raw
    assert "\x85".encode() not in raw
    data = raw.decode().split("data: ", 1)[1].strip()
    assert json.loads(data) == {"text": "a\u2028b\u2029c\x85d"}
