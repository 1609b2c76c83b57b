"""The OpenAPI 3.1 description of the API. The request body's schema is exported from the model
that validates it (chat.api.chat_request, via chat.api.contract), so every constraint here is one
the server enforces: a request the schema allows is answered, and a request it forbids gets a 4xx
OpenAI error (tests/e2e/test_fuzz.py runs schemathesis both ways).
"""

from chat.api.chat_request import ChatCompletionRequest
from chat.api.contract import components, schemas
from chat.api.openapi_history import LIST_OPERATION, history_paths, history_schemas
from chat.api.openapi_relay import request_schema
from chat.api.openapi_schemas import (
    CHUNK,
    CITATION,
    COMPLETION,
    ERROR,
    HEALTH,
    MODEL,
    STREAM_EVENT,
    USAGE,
    ref,
)
from chat.api.rest.schema import components as rest_components
from chat.api.rest.schema import rest_paths

JSON = "application/json"

ERRORS = {
    "400": "Invalid request: bad JSON, wrong content type, a wrong type or value (`param` names "
    "the field), an unsupported parameter.",
    "401": "A missing, malformed, unknown, revoked or expired API key (`invalid_api_key`).",
    "403": "The key may not use this model (`model_not_allowed`).",
    "404": "Unknown model (`model_not_found`) or path (`not_found`).",
    "413": "The body is larger than 1 MiB (`request_too_large`).",
    "429": "A rate or concurrency limit of the key; see `Retry-After`.",
    "414": "The request line is longer than 16 KiB (`uri_too_long`): long text goes in a body.",
    "431": "The headers are larger than 16 KiB or more than 500 (`headers_too_large`).",
    "500": "A server error (`internal_error`); `x-should-retry: false`.",
    "502": "The upstream LLM failed (`upstream_error`).",
    "503": "The database, the law index or the upstream LLM is unavailable.",
    "504": "The upstream LLM timed out (`upstream_timeout`).",
}


def _errors(*statuses: str) -> dict:
    return {
        status: {"description": ERRORS[status], "content": {JSON: {"schema": ref("Error")}}}
        for status in statuses
    }


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


REQUEST_EXAMPLES = {
    "question": {
        "value": {
            "model": "lawbot-lite",
            "messages": [{"role": "user", "content": "請說明勞動基準法中的資遣費計算方式"}],
        }
    },
    "stream": {
        "value": {
            "model": "lawbot-pro",
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_completion_tokens": 200,
            "messages": [
                {"role": "system", "content": "Answer in English."},
                {"role": "user", "content": [{"type": "text", "text": "勞基法第17條"}]},
            ],
        }
    },
}

AUTHENTICATED = ("401", "429", "500", "503")

PATHS = {
    "/chat/completions": {
        "post": {
            "operationId": "createChatCompletion",
            "summary": "Answer a legal question, quoting and citing the articles it rests on",
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": ref("Request"), "examples": REQUEST_EXAMPLES}},
            },
            "responses": {
                "200": {
                    "description": "The answer: JSON, or an event stream with `stream: true`.",
                    "content": {
                        JSON: {"schema": ref("Completion")},
                        "text/event-stream": {"schema": ref("StreamEvent")},
                    },
                },
                **_errors("400", *AUTHENTICATED, "403", "404", "413", "502", "504"),
            },
        }
    },
    "/models": {
        "get": {
            "operationId": "listModels",
            "summary": "The models",
            "responses": {
                "200": _json(
                    "The models.",
                    {
                        "type": "object",
                        "required": ["object", "data"],
                        "properties": {
                            "object": {"const": "list"},
                            "data": {"type": "array", "items": ref("Model")},
                        },
                    },
                ),
                **_errors(*AUTHENTICATED),
            },
        }
    },
    "/models/{model}": {
        "get": {
            "operationId": "retrieveModel",
            "summary": "One model",
            "parameters": [
                {
                    "name": "model",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": "lawbot-lite",
                }
            ],
            "responses": {
                "200": _json("The model.", ref("Model")),
                **_errors("404", *AUTHENTICATED),
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "health",
            "summary": "Liveness and readiness: the database and the law index (no key)",
            "security": [],
            "responses": {
                "200": _json(
                    "Ready (`degraded`: answering from an index being rebuilt).", ref("Health")
                ),
                "503": _json("The database or the index is unavailable.", ref("Health")),
            },
        }
    },
}


def _paths() -> dict:
    paths = {**PATHS, **history_paths(_json, _errors, AUTHENTICATED)}
    paths["/chat/completions"] = {
        **PATHS["/chat/completions"],
        "get": {
            **LIST_OPERATION,
            "responses": {
                "200": _json("A page of stored completions.", ref("StoredCompletionList")),
                **_errors("400", "404", *AUTHENTICATED),
            },
        },
    }
    return paths


def _with_transport_errors(paths: dict) -> dict:
    """Every operation may answer 414 or 431: daphne refuses those requests before routing
    (lawbot_site.daphne_fixes), whatever the path."""
    transport = _errors("414", "431")
    return {
        path: {
            method: {**operation, "responses": {**operation["responses"], **transport}}
            for method, operation in operations.items()
        }
        for path, operations in paths.items()
    }


def _request_schemas() -> dict[str, dict]:
    chat = schemas(ChatCompletionRequest, "Request")
    return {**chat, "Request": request_schema(chat["Request"])}


def openapi_schema() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lawbot API",
            "version": "1.0.0",
            "description": "The OpenAI Chat Completions API (with stored completions) and "
            "Responses API over Taiwan's laws, plus a `citations` field. Every path is served at the root and under `/v1`; every error "
            'is `{"error": {"message", "type", "param", "code"}}`.',
        },
        "servers": [{"url": "/v1"}, {"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": _with_transport_errors({**_paths(), **rest_paths(_errors)}),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key, `lb-…`.",
                }
            },
            "schemas": components(
                _request_schemas(),
                {
                    "Completion": COMPLETION,
                    "Chunk": CHUNK,
                    "StreamEvent": STREAM_EVENT,
                    "Citation": CITATION,
                    "Usage": USAGE,
                    "Model": MODEL,
                    "Health": HEALTH,
                    "Error": ERROR,
                },
                rest_components(),
                history_schemas(COMPLETION),
            ),
        },
    }
