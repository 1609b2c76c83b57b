"""The request contract is one model: the published schema and the validation cannot drift apart.

Each test here fails if the schema says one thing and `parse_chat_request` does another: the
schema is compared with the model, every bound it publishes is tried at its edge, and bodies
generated from the schema (valid and not) are judged by an independent JSON Schema validator
and by the parser, which must agree.
"""

import json
from typing import Annotated, Literal

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel, ConfigDict, Field

from chat.answering.catalogue import MODELS
from chat.answering.turns import ROLES
from chat.api.chat_request import KNOWN, PASSED_THROUGH, ChatCompletionRequest, parse_chat_request
from chat.api.contract import components, schemas, unsupported, validated
from chat.api.contract_errors import expected
from chat.api.errors import ApiError
from chat.api.openapi import openapi_schema

USER = [{"role": "user", "content": "勞基法第17條"}]
COMPONENTS = openapi_schema()["components"]["schemas"]
REQUEST = COMPONENTS["Request"]
# JSON Schema 2020-12's keywords (core, applicator, validation, meta-data, content), and
# OpenAPI's own; anything else in a schema is a typo or a pydantic name leaking ("ge").
KEYWORDS = {
    *("$ref", "$defs", "$schema", "$id", "$comment", "$anchor", "$dynamicRef"),
    *("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas"),
    *("prefixItems", "items", "contains", "properties", "patternProperties"),
    *("additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties"),
    *("type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum"),
    *("exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems"),
    *("uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties"),
    *("required", "dependentRequired", "title", "description", "default", "deprecated"),
    *("readOnly", "writeOnly", "examples", "format", "contentMediaType", "contentSchema"),
    *("discriminator", "xml", "externalDocs", "example"),
}
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def parse(body) -> object:
    return parse_chat_request(json.dumps(body).encode(), "application/json")


def refusal(body) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(body)
    assert caught.value.status == 400
    return caught.value


def subschemas(schema):
    """Every schema object inside a schema, with the path to it."""
    stack = [("", schema)]
    while stack:
        path, node = stack.pop()
        yield path, node
        for key, value in node.items():
            if key in SUBSCHEMA_MAPS:
                stack += [(f"{path}/{key}/{name}", s) for name, s in value.items()]
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
                stack += [(f"{path}/{key}/{i}", s) for i, s in enumerate(value)]
            elif isinstance(value, dict) and key not in ("const", "default", "enum", "example"):
                stack.append((f"{path}/{key}", value))


def test_the_published_request_is_the_models_schema():
    exported = schemas(ChatCompletionRequest, "Request")
    for name, schema in exported.items():
        assert COMPONENTS[name] == schema
    assert set(REQUEST["properties"]) == KNOWN == set(ChatCompletionRequest.model_fields)
    assert PASSED_THROUGH <= KNOWN
    assert REQUEST["required"] == ["model", "messages"]


@pytest.mark.parametrize("name", sorted(schemas(ChatCompletionRequest, "Request")))
def test_the_request_schemas_use_only_json_schema_keywords(name):
    for path, node in subschemas(COMPONENTS[name]):
        assert set(node) <= KEYWORDS, f"{name}{path}: {set(node) - KEYWORDS}"
        if "$ref" in node:
            assert node["$ref"].removeprefix("#/components/schemas/") in COMPONENTS


def test_the_schema_states_the_models_roles_and_bounds():
    message = COMPONENTS["Message"]
    assert message["properties"]["role"]["enum"] == list(ROLES)
    assert REQUEST["properties"]["model"]["enum"] == list(MODELS)
    assert REQUEST["properties"]["messages"]["maxItems"] == 1000
    for name, field in ChatCompletionRequest.model_fields.items():
        for constraint in field.metadata:
            for attribute, keyword in (("ge", "minimum"), ("le", "maximum")):
                if getattr(constraint, attribute, None) is not None:
                    assert REQUEST["properties"][name][keyword] == getattr(constraint, attribute)


def bounded_fields():
    """(field, JSON schema, how to wrap a value) for each bound the Request schema publishes."""
    for name, prop in REQUEST["properties"].items():
        for schema in prop.get("anyOf", [prop]):
            if {"minimum", "maximum"} & set(schema):
                yield name, schema, lambda v: v
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and {"minimum", "maximum"} & set(extra):
                yield name, extra, lambda v: {"50256": v}


@pytest.mark.parametrize(
    "name, schema, wrap", list(bounded_fields()), ids=lambda x: x if isinstance(x, str) else ""
)
def test_every_published_bound_is_enforced_at_its_edge(name, schema, wrap):
    step = 1 if schema["type"] == "integer" else 0.001
    if "minimum" in schema:
        parse({"model": "m", "messages": USER, name: wrap(schema["minimum"])})
        assert refusal({"model": "m", "messages": USER, name: wrap(schema["minimum"] - step)})
    if "maximum" in schema:
        parse({"model": "m", "messages": USER, name: wrap(schema["maximum"])})
        error = refusal({"model": "m", "messages": USER, name: wrap(schema["maximum"] + step)})
        assert error.param == name and str(schema["maximum"]) in error.message


@pytest.mark.parametrize(
    "name, make",
    [
        ("messages", lambda n: USER * n),
        ("stop", lambda n: ["。"] * n),
        ("modalities", lambda n: ["text"] * n),
        ("tools", lambda n: [{"type": "function"}] * n),
    ],
)
def test_every_published_item_count_is_enforced_at_its_edge(name, make):
    prop = REQUEST["properties"][name]
    array = next(s for s in prop.get("anyOf", [prop]) if s.get("type") == "array")
    body = {"model": "m", "messages": USER}
    parse({**body, name: make(array["maxItems"])})
    assert refusal({**body, name: make(array["maxItems"] + 1)}).param == name
    if array.get("minItems"):
        parse({**body, name: make(array["minItems"])})
        assert refusal({**body, name: make(array["minItems"] - 1)}).param == name


def schema_validator():
    document = {"components": {"schemas": COMPONENTS}, "$ref": "#/components/schemas/Request"}
    return jsonschema_rs.Draft202012Validator(document)


def judged_by_both(body) -> tuple[bool, bool]:
    """(the schema allows it, the parser accepts it). An unknown model is allowed by the parser
    and refused later (404 `model_not_found`), so it is judged as a known one."""
    if isinstance(body, bytes):  # schemathesis sends some bodies as they are
        raw = body
        try:
            body = json.loads(raw)
        except ValueError:
            body = None  # not JSON: allowed by no schema
    if isinstance(body, dict) and isinstance(body.get("model"), str) and body["model"]:
        body = {**body, "model": "lawbot-lite"}
    try:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else raw
    except UnicodeEncodeError:  # a lone surrogate: not JSON text at all
        return False, False
    try:
        parse_chat_request(raw, "application/json")
        accepted = True
    except ApiError as error:
        assert error.status == 400 and error.type == "invalid_request_error"
        accepted = False
    return schema_validator().is_valid(body), accepted


def chat_completions(mode: str):
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.generation import GenerationMode

    loaded = schemathesis.openapi.from_dict(openapi_schema())
    operation = loaded["/chat/completions"]["POST"]
    return operation.as_strategy(generation_mode=GenerationMode(mode))


FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@FUZZ
@given(case=chat_completions("positive"))
def test_bodies_the_schema_allows_are_accepted(case):
    allowed, accepted = judged_by_both(case.body)
    assert allowed and accepted, case.body


@FUZZ
@given(case=chat_completions("negative"))
def test_bodies_the_schema_forbids_are_refused(case):
    allowed, accepted = judged_by_both(case.body)
    assert allowed == accepted, case.body


@pytest.mark.parametrize(
    "body",
    [
        {"model": "m", "messages": USER, "stream_options": {}},
        {"model": "m", "messages": [{"role": "system", "content": "x"}]},
        {"model": "m", "messages": USER, "temperature": 2.0001},
        {"model": "m", "messages": USER, "n": 2},
        {"model": "m", "messages": USER, "max_tokens": True},
        {"model": "m", "messages": USER, "max_tokens": 5.5},
        {"model": "m", "messages": USER, "logprobs": 0},
        {"model": "m", "messages": [{"role": "user", "content": "x", "name": None}]},
        {"model": "m", "messages": [{"role": "tool", "content": "x"}]},
        {"model": "m", "messages": [{"role": "user", "content": [{"type": "file"}]}]},
    ],
)
def test_hand_picked_edges_are_judged_alike(body):
    assert judged_by_both(body) == (False, False)


@pytest.mark.parametrize(
    "body",
    [
        {"model": "m", "messages": USER, "max_tokens": 5.0, "n": 1.0, "seed": -3},
        {"model": "m", "messages": USER, "stream": True, "stream_options": {}},
        {"model": "m", "messages": USER, "tools": [], "logprobs": False, "tool_choice": "none"},
        {"model": "m", "messages": USER, "response_format": {"type": "text", "x": 1}},
        {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]},
    ],
)
def test_edges_both_accept(body):
    assert judged_by_both(body) == (True, True)


# -- The translator, on a model of its own: the pattern the next request model follows ------------


class Item(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    kind: Literal["a", "b"]
    size: Annotated[int, Field(ge=1, le=9)] = 1


class Order(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    items: Annotated[list[Item], Field(min_length=1, max_length=3)]
    note: str | Annotated[list[str], Field(max_length=2)] | None = None
    gift: Annotated[Literal[False], unsupported("Gifts", when=lambda v: v is True)] | None = None
    colour: Annotated[Literal["red"], unsupported("Blue", values=("blue",))] | None = None
    tags: dict[str, Annotated[float, Field(ge=0)]] | None = None


def order_error(body) -> ApiError:
    with pytest.raises(ApiError) as caught:
        validated(Order, body)
    return caught.value


@pytest.mark.parametrize(
    "body, param, code, message",
    [
        ({}, "items", "missing_required_parameter", "Missing required parameter: 'items'."),
        (
            {"items": [], "x": 1},
            "x",
            "unknown_parameter",
            "Unrecognized request argument supplied: x",
        ),
        (
            {"items": [{"kind": "a", "y": 1}]},
            "items[0].y",
            "unknown_parameter",
            "Unrecognized argument 'items[0].y'.",
        ),
        (
            {"items": [{"kind": "c"}]},
            "items[0].kind",
            "invalid_value",
            "Invalid value for 'items[0].kind': expected one of a, b.",
        ),
        (
            {"items": [{"kind": "a", "size": 10}]},
            "items[0].size",
            "invalid_value",
            "Invalid value for 'items[0].size': expected an integer from 1 to 9.",
        ),
        (
            {"items": "a"},
            "items",
            "invalid_value",
            "Invalid type for 'items': expected an array of 1 to 3 objects with 'kind'.",
        ),
        (
            {"items": [{"kind": "a"}], "note": 5},
            "note",
            "invalid_value",
            "Invalid type for 'note': expected a string or an array of at most 2 strings.",
        ),
        (
            {"items": [{"kind": "a"}], "note": ["x", 5]},
            "note[1]",
            "invalid_value",
            "Invalid type for 'note[1]': expected a string.",
        ),
        (
            {"items": [{"kind": "a"}], "note": ["x"] * 3},
            "note",
            "invalid_value",
            "Invalid value for 'note': expected a string or an array of at most 2 strings.",
        ),
        (
            {"items": [{"kind": "a"}], "gift": True},
            "gift",
            "unsupported_parameter",
            "Gifts is not supported by Lawbot.",
        ),
        (
            {"items": [{"kind": "a"}], "gift": "yes"},
            "gift",
            "invalid_value",
            "Invalid value for 'gift': expected false.",
        ),
        (
            {"items": [{"kind": "a"}], "colour": "blue"},
            "colour",
            "unsupported_parameter",
            "Blue is not supported by Lawbot.",
        ),
        (
            {"items": [{"kind": "a"}], "tags": {"x": -1}},
            "tags",
            "invalid_value",
            "Invalid value for 'tags': expected an object of numbers of at least 0.",
        ),
    ],
)
def test_pydantic_errors_become_openai_errors(body, param, code, message):
    error = order_error(body)
    assert (error.param, error.code, error.message) == (param, code, message)


def test_the_first_error_is_reported_even_among_a_hundred_thousand():
    error = order_error({"items": [{"kind": "a"}], "tags": {str(i): -1 for i in range(100_000)}})
    assert error.param == "tags"
    error = order_error({"items": [{"kind": "a", **{f"k{i}": 0 for i in range(100_000)}}]})
    assert error.param == "items[0].k0"


def test_components_refuse_two_schemas_of_one_name():
    order = schemas(Order, "Order")
    assert components(order, {"Item": order["Item"]}) == order
    with pytest.raises(ValueError, match="Item"):
        components(order, {"Item": {"type": "string"}})


@pytest.mark.parametrize(
    "schema, words",
    [
        ({"type": "number", "minimum": 0, "maximum": 2}, "a number from 0 to 2"),
        ({"type": "integer", "minimum": 1}, "an integer of at least 1"),
        ({"anyOf": [{"type": "boolean"}, {"type": "null"}]}, "a boolean"),
        ({"type": "array", "maxItems": 0}, "an empty array"),
        (
            {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "a non-empty array of strings",
        ),
        ({"type": "object", "additionalProperties": {"type": "string"}}, "an object of strings"),
        ({"const": "text", "type": "string"}, "'text'"),
    ],
)
def test_expected_says_what_a_schema_asks_for(schema, words):
    assert expected(schema, {}) == words


@pytest.mark.parametrize("escape", ["\\ud800", "\\uDBFF", "\\uDc00x", "\\ude00\\ud83d"])
def test_a_lone_surrogate_in_any_case_of_escape_is_refused(escape):
    content = f'"a{escape}b"'
    raw = ('{"model": "m", "messages": [{"role": "user", "content": ' + content + "}]}").encode()
    with pytest.raises(ApiError) as caught:
        parse_chat_request(raw, "application/json")
    assert caught.value.code == "invalid_json" and "surrogate" in caught.value.message


def test_an_escaped_backslash_before_u_is_text_not_a_surrogate():
    raw = b'{"model": "m", "messages": [{"role": "user", "content": "\\\\ud800 \\uD83D\\uDE00"}]}'
    assert parse_chat_request(raw, "application/json").question == "\\ud800 \U0001f600"
