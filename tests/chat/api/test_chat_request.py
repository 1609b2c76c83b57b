import json

import pytest

from chat.api.chat_request import parse_chat_request
from chat.api.errors import ApiError

USER = [{"role": "user", "content": "勞基法第17條"}]


def parse(**body):
    return parse_chat_request(json.dumps(body).encode(), "application/json")


def error_of(raw: bytes | dict, content_type: str = "application/json") -> ApiError:
    if isinstance(raw, dict):
        raw = json.dumps(raw).encode()
    with pytest.raises(ApiError) as caught:
        parse_chat_request(raw, content_type)
    assert caught.value.status == 400
    return caught.value


def test_a_valid_request():
    request = parse(
        model="lawbot-pro",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
        stop="。",
        max_tokens=10,
        temperature=0.2,
    )
    assert (request.model, request.stream, request.include_usage) == ("lawbot-pro", True, True)
    assert request.stop == ["。"]
    assert request.max_tokens == 10
    assert request.sampling == {"temperature": 0.2}
    assert request.question == "勞基法第17條"


def test_text_parts_are_joined():
    request = parse(
        model="m",
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            }
        ],
    )
    assert request.question == "a\nb"


def test_the_smaller_of_both_token_limits_wins():
    assert parse(model="m", messages=USER, max_tokens=50, max_completion_tokens=20).max_tokens == 20


@pytest.mark.parametrize(
    "body, param, code",
    [
        ({"messages": USER}, "model", "missing_required_parameter"),
        ({"model": "m"}, "messages", "missing_required_parameter"),
        ({"model": "m", "messages": []}, "messages", "invalid_value"),
        ({"model": "m", "messages": "hi"}, "messages", "invalid_value"),
        ({"model": 3, "messages": USER}, "model", "invalid_value"),
        (
            {"model": "m", "messages": [{"role": "robot", "content": "x"}]},
            "messages[0].role",
            "invalid_value",
        ),
        (
            {"model": "m", "messages": [{"role": "user"}]},
            "messages[0].content",
            "missing_required_parameter",
        ),
        (
            {"model": "m", "messages": [{"role": "system", "content": "x"}]},
            "messages",
            "invalid_value",
        ),
        ({"model": "m", "messages": USER, "n": 2}, "n", "unsupported_parameter"),
        (
            {"model": "m", "messages": USER, "response_format": {"type": "json_object"}},
            "response_format",
            "unsupported_parameter",
        ),
        (
            {"model": "m", "messages": USER, "tools": [{"type": "function"}]},
            "tools",
            "unsupported_parameter",
        ),
        (
            {"model": "m", "messages": USER, "functions": [{"name": "f"}]},
            "functions",
            "unsupported_parameter",
        ),
        ({"model": "m", "messages": USER, "logprobs": True}, "logprobs", "unsupported_parameter"),
        (
            {
                "model": "m",
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}
                ],
            },
            "messages[0].content[0]",
            "unsupported_parameter",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio"}]}]},
            "messages[0].content[0]",
            "unsupported_parameter",
        ),
        ({"model": "m", "messages": USER, "temperature": 3}, "temperature", "invalid_value"),
        ({"model": "m", "messages": USER, "top_p": -0.1}, "top_p", "invalid_value"),
        ({"model": "m", "messages": USER, "max_tokens": 0}, "max_tokens", "invalid_value"),
        (
            {"model": "m", "messages": USER, "max_completion_tokens": "9"},
            "max_completion_tokens",
            "invalid_value",
        ),
        (
            {"model": "m", "messages": USER, "stop": ["a", "b", "c", "d", "e"]},
            "stop",
            "invalid_value",
        ),
        ({"model": "m", "messages": USER, "stop": 5}, "stop", "invalid_value"),
        ({"model": "m", "messages": USER, "stream": "yes"}, "stream", "invalid_value"),
        (
            {"model": "m", "messages": USER, "stream_options": {"include_usage": True}},
            "stream_options",
            "invalid_value",
        ),
        ({"model": "m", "messages": USER, "seed": 1.5}, "seed", "invalid_value"),
        ({"model": "m", "messages": USER, "bogus": 1}, "bogus", "unknown_parameter"),
    ],
)
def test_invalid_requests_name_the_parameter(body, param, code):
    error = error_of(body)
    assert (error.param, error.code) == (param, code)
    assert error.type == "invalid_request_error"


def test_unknown_argument_message_matches_openai():
    assert (
        error_of({"model": "m", "messages": USER, "foo": 1}).message
        == "Unrecognized request argument supplied: foo"
    )


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b"\xff\xfe", b"[" * 100000])
def test_bad_json(raw):
    assert error_of(raw).code == "invalid_json"


def test_wrong_content_type():
    assert error_of(b"{}", "text/plain").code == "invalid_content_type"
