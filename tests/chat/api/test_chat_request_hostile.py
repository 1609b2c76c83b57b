"""Bodies the fuzzer and hostile clients send: each is a 400 naming the field, never a crash."""

import json

import pytest

from chat.api.chat_request import parse_chat_request
from chat.api.errors import ApiError

USER = [{"role": "user", "content": "勞基法第17條"}]


def rejected(raw: bytes | dict) -> ApiError:
    if isinstance(raw, dict):
        raw = json.dumps(raw).encode()
    with pytest.raises(ApiError) as caught:
        parse_chat_request(raw, "application/json")
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize(
    "field, value, param",
    [
        # Found by schemathesis: an unhashable role was a 500.
        ("messages", [{"role": {}, "content": "x"}], "messages[0].role"),
        ("messages", [{"role": ["user"], "content": "x"}], "messages[0].role"),
        ("messages", [{"role": "user", "content": "x", "name": 5}], "messages[0].name"),
        # Found by schemathesis: these were accepted whatever their type.
        ("logprobs", {}, "logprobs"),
        ("logprobs", "yes", "logprobs"),
        ("tools", {}, "tools"),
        ("tools", 0, "tools"),
        ("functions", "", "functions"),
        ("store", "yes", "store"),
        ("service_tier", 1, "service_tier"),
        ("reasoning_effort", [], "reasoning_effort"),
        ("verbosity", {}, "verbosity"),
        ("metadata", {"a": {"deep": 1}}, "metadata"),
        ("logit_bias", {"50256": "x"}, "logit_bias"),
        ("logit_bias", {"50256": 101}, "logit_bias"),
        ("n", True, "n"),
    ],
)
def test_wrong_types_are_rejected_with_param(field, value, param):
    body = {"model": "lawbot-lite", "messages": USER, field: value}
    if field == "messages":
        body["messages"] = value
    assert rejected(body).param == param


def test_empty_tools_and_integral_floats_are_accepted_as_the_schema_says():
    request = parse_chat_request(
        json.dumps(
            {"model": "m", "messages": USER, "tools": [], "max_tokens": 5.0, "n": 1.0}
        ).encode(),
        "application/json",
    )
    assert request.max_tokens == 5 and isinstance(request.max_tokens, int)


@pytest.mark.parametrize(
    "raw, words",
    [
        (b'{"model": "m", "messages": [{"role": "user", "content": "\xff\xfe"}]}', "UTF-8"),
        (
            b'{"model": "m", "messages": [{"role": "user", "content": "\xed\xa0\x80"}]}',
            "UTF-8",
        ),
        (
            b'{"model": "m", "messages": [{"role": "user", "content": "\\ud800"}]}',
            "surrogate",
        ),
        (b'{"model": "m", "messages": [], "temperature": NaN}', "NaN"),
        (b'{"model": "m", "seed": Infinity}', "Infinity"),
        (b'{"model": "m", "seed": ' + b"9" * 5000 + b"}", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"model": "m",', "not valid JSON"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_bodies_that_are_not_strict_json_are_400(raw, words):
    error = rejected(raw)
    assert error.code == "invalid_json"
    assert words in error.message


def test_surrogate_pairs_and_nul_bytes_are_fine():
    raw = json.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "\U0001f600 勞基法\x00第17條"}]}
    ).encode()
    assert json.loads(raw.decode())  # written as a \ud83d\ude00 pair by json.dumps
    request = parse_chat_request(raw, "application/json")
    assert request.question == "\U0001f600 勞基法\x00第17條"


def test_a_thousand_messages_pass_and_one_more_does_not():
    many = [{"role": "user", "content": "x"}] * 1000
    assert (
        len(
            parse_chat_request(
                json.dumps({"model": "m", "messages": many}).encode(), "application/json"
            ).messages
        )
        == 1000
    )
    assert rejected({"model": "m", "messages": many + many[:1]}).param == "messages"


def test_a_huge_unknown_key_is_not_echoed_whole():
    error = rejected({"model": "m", "messages": USER, "k" * 500_000: 1})
    assert error.code == "unknown_parameter" and len(error.message) < 200
    error = rejected({"model": "m", "messages": [{"role": "user", "content": "", "k" * 9999: 1}]})
    assert len(error.param) < 150
