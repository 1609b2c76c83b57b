"""The published schema and the /docs page that renders it."""

import re

import pytest
from django.test import AsyncClient, Client

from chat.api.chat_request import KNOWN
from chat.api.openapi import openapi_schema

pytestmark = pytest.mark.django_db
REST_PATHS = {
    "/laws",
    "/laws/{pcode}",
    "/laws/{pcode}/articles",
    "/laws/{pcode}/articles/{number}",
    "/articles/resolve",
    "/search",
    "/calculations",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/openapi.json", "/v1/openapi.json"])
async def test_the_schema_is_served_without_a_key(path):
    response = await AsyncClient().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {
        "/chat/completions",
        "/chat/completions/{completion_id}",
        "/chat/completions/{completion_id}/messages",
        "/responses",
        "/responses/{response_id}",
        "/responses/{response_id}/input_items",
        "/models",
        "/models/{model}",
        "/healthz",
        *REST_PATHS,
    }


def test_every_accepted_field_is_described_and_no_other():
    request = openapi_schema()["components"]["schemas"]["Request"]
    assert set(request["properties"]) == KNOWN
    assert request["additionalProperties"] is False


def test_the_responses_request_schema_is_its_pydantic_model():
    from chat.api.responses_request import ResponsesRequest

    request = openapi_schema()["components"]["schemas"]["ResponsesRequest"]
    assert set(request["properties"]) == set(ResponsesRequest.model_fields) - {"schema_"}
    assert request["additionalProperties"] is False


def test_every_error_status_of_chat_completions_uses_the_error_object():
    responses = openapi_schema()["paths"]["/chat/completions"]["post"]["responses"]
    assert set(responses) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "413",
        "414",
        "429",
        "431",
        "500",
        "502",
        "503",
        "504",
    }
    for status, response in responses.items():
        if status != "200":
            assert response["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
    assert set(responses["200"]["content"]) == {"application/json", "text/event-stream"}


def test_the_schema_loads_in_schemathesis():
    schemathesis = pytest.importorskip("schemathesis")
    loaded = schemathesis.openapi.from_dict(openapi_schema())
    operations = [op.ok() for op in loaded.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == {
        ("POST", "/chat/completions"),
        ("GET", "/chat/completions"),
        ("GET", "/chat/completions/{completion_id}"),
        ("POST", "/chat/completions/{completion_id}"),
        ("DELETE", "/chat/completions/{completion_id}"),
        ("GET", "/chat/completions/{completion_id}/messages"),
        ("POST", "/responses"),
        ("GET", "/responses/{response_id}"),
        ("DELETE", "/responses/{response_id}"),
        ("GET", "/responses/{response_id}/input_items"),
        ("GET", "/models"),
        ("GET", "/models/{model}"),
        ("GET", "/healthz"),
        *((("POST" if p == "/calculations" else "GET"), p) for p in REST_PATHS),
    }


@pytest.mark.parametrize("path", ["/docs", "/v1/docs"])
def test_the_docs_page_lists_endpoints_fields_and_responses(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for text in (
        "POST /chat/completions",
        "GET /models/{model}",
        "GET /healthz",
        "GET /laws/{pcode}/articles/{number}",
        "POST /calculations",
    ):
        assert text in html
    for field in KNOWN:
        assert f"<code>{field}</code>" in html
    assert "integer (1–1,000,000) | null" in html and "413" in html and "request_too_large" in html
    assert 'href="' + path.removesuffix("docs") + 'openapi.json"' in html


def test_the_docs_page_has_no_inline_script_or_style():
    html = Client().get("/docs").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("path", ["/docs", "/v1/docs"])
def test_posting_to_the_docs_is_405_json(path):
    response = Client().post(path, {"a": 1})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_descriptions_render_code_spans_and_escape_everything_else():
    from chat.api.openapi_docs import markup

    assert markup("<b>`x<y`</b>") == "&lt;b&gt;<code>x&lt;y</code>&lt;/b&gt;"
    html = Client().get("/docs").content.decode()
    assert "<code>unsupported_parameter</code>" in html and "`" not in html
    assert "object of string | null" in html  # metadata


def test_every_operation_names_the_errors_daphne_answers_before_routing():
    # A request line or headers too long are refused before any view (lawbot_site.daphne_fixes),
    # so any operation may answer them; the fuzz run's status check holds the schema to that.
    for path, operations in openapi_schema()["paths"].items():
        for method, operation in operations.items():
            assert {"414", "431"} <= operation["responses"].keys(), (method, path)
