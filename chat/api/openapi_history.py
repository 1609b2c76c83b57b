"""The OpenAPI paths and schemas of stored chat completions and the Responses API. The Responses
request's schema is its pydantic model's (chat.api.responses_request), with the few rules a
model cannot say (a user message in the input; the upstream-only fields) added here."""

from chat.answering.catalogue import MODELS, upstream_serves
from chat.api.metadata import SCHEMA as METADATA_SCHEMA
from chat.api.responses_items import INCLUDABLE
from chat.api.responses_request import request_schemas

JSON = "application/json"
ID_LENGTH = 64


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_params(default_order: str) -> list[dict]:
    return [
        {
            "name": "after",
            "in": "query",
            # Ids are at most 64 characters (Message.public_id); a request line past daphne's
            # 16 KiB is dropped by the server before Lawbot sees it.
            "schema": {"type": "string", "maxLength": ID_LENGTH},
            "description": "The last id of the previous page (404 if it is not in the list).",
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        },
        {
            "name": "order",
            "in": "query",
            "schema": {"enum": ["asc", "desc"], "default": default_order},
        },
    ]


def _id_param(name: str, example: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": ID_LENGTH},
        "example": example,
    }


def _list_of(item: str) -> dict:
    return {
        "type": "object",
        "required": ["object", "data", "first_id", "last_id", "has_more"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": ref(item)},
            "first_id": {"type": ["string", "null"]},
            "last_id": {"type": ["string", "null"]},
            "has_more": {"type": "boolean"},
        },
    }


def _deleted(kind: str) -> dict:
    return {
        "type": "object",
        "required": ["id", "object", "deleted"],
        "properties": {
            "id": {"type": "string"},
            "object": {"const": kind},
            "deleted": {"const": True},
        },
    }


def _with_id(paths: dict) -> dict:
    """Each operation on /x/{id} gets its id parameter (the docs page reads operations only)."""
    for path, methods in paths.items():
        name = path.split("{")[1].split("}")[0]
        example = "resp_…" if path.startswith("/responses") else "chatcmpl-…"
        for operation in methods.values():
            operation.setdefault("parameters", [])
            if not any(p["name"] == name for p in operation["parameters"]):
                operation["parameters"].insert(0, _id_param(name, example))
    return paths


def history_paths(json_response, errors, authenticated) -> dict:
    """Added to chat.api.openapi's PATHS: `json_response` and `errors` are its helpers."""
    not_found = errors("404", *authenticated)
    paths = {
        "/chat/completions/{completion_id}": {
            "get": {
                "operationId": "getChatCompletion",
                "summary": "A stored chat completion (store: true) of the key's owner",
                "responses": {
                    "200": json_response("The completion.", ref("StoredCompletion")),
                    **not_found,
                },
            },
            "post": {
                "operationId": "updateChatCompletion",
                "summary": "Replace a stored completion's metadata",
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["metadata"],
                                "additionalProperties": False,
                                "properties": {
                                    "metadata": {"anyOf": [METADATA_SCHEMA, {"type": "null"}]}
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": json_response("The completion.", ref("StoredCompletion")),
                    **errors("400", "404", "413", *authenticated),
                },
            },
            "delete": {
                "operationId": "deleteChatCompletion",
                "summary": "Delete a stored completion (from the chat page too)",
                "responses": {
                    "200": json_response("Deleted.", _deleted("chat.completion.deleted")),
                    **not_found,
                },
            },
        },
        "/chat/completions/{completion_id}/messages": {
            "get": {
                "operationId": "getChatCompletionMessages",
                "summary": "The messages a stored completion was asked with",
                "parameters": _page_params("asc"),
                "responses": {
                    "200": json_response("A page of messages.", _list_of("StoredMessage")),
                    **errors("400", "404", *authenticated),
                },
            }
        },
        "/responses": {
            "post": {
                "operationId": "createResponse",
                "summary": "Answer a legal question (the Responses API), quoting and citing the articles",
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": ref("ResponsesRequest")}},
                },
                "responses": {
                    "200": {
                        "description": "The response: JSON, or typed events with `stream: true`.",
                        "content": {
                            JSON: {"schema": ref("Response")},
                            "text/event-stream": {"schema": ref("ResponseStreamEvent")},
                        },
                    },
                    **errors("400", *authenticated, "403", "404", "413", "502", "504"),
                },
            }
        },
        "/responses/{response_id}": {
            "get": {
                "operationId": "getResponse",
                "summary": "A stored response of the key's owner",
                "responses": {"200": json_response("The response.", ref("Response")), **not_found},
            },
            "delete": {
                "operationId": "deleteResponse",
                "summary": "Delete a stored response (from the chat page too)",
                "responses": {
                    "200": json_response("Deleted.", _deleted("response.deleted")),
                    **not_found,
                },
            },
        },
        "/responses/{response_id}/input_items": {
            "get": {
                "operationId": "listInputItems",
                "summary": "The input items a stored response was given",
                "parameters": [*_page_params("desc"), INCLUDE_PARAM],
                "responses": {
                    "200": json_response("A page of input items.", _list_of("InputItemStored")),
                    **errors("400", "404", *authenticated),
                },
            }
        },
    }
    responses = paths.pop("/responses")
    return {"/responses": responses, **_with_id(paths)}


LIST_OPERATION = {
    "operationId": "listChatCompletions",
    "summary": "The key owner's stored chat completions",
    "description": "Filter with `model=…` and `metadata[key]=value` (any number of pairs).",
    "parameters": [
        *_page_params("asc"),
        {"name": "model", "in": "query", "schema": {"type": "string"}},
    ],
}

OUTPUT_TEXT = {
    "type": "object",
    "required": ["type", "text", "annotations"],
    "properties": {
        "type": {"const": "output_text"},
        "text": {"type": "string"},
        "annotations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "start_index", "end_index", "url", "title"],
                "description": "Where the text cites the article: its [n] marker.",
                "properties": {
                    "type": {"const": "url_citation"},
                    "start_index": {"type": "integer", "minimum": 0},
                    "end_index": {"type": "integer", "minimum": 0},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                },
            },
        },
    },
}

RESPONSE = {
    "type": "object",
    "required": ["id", "object", "created_at", "status", "model", "output", "usage", "citations"],
    "properties": {
        "id": {"type": "string", "pattern": "^resp_"},
        "object": {"const": "response"},
        "created_at": {"type": "integer"},
        "status": {"enum": ["in_progress", "completed", "incomplete", "failed"]},
        "model": {"type": "string"},
        "instructions": {"type": ["string", "null"]},
        "previous_response_id": {"type": ["string", "null"]},
        "store": {"type": "boolean"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "output": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "id", "status"],
                "properties": {
                    "type": {"enum": ["message", "function_call"]},
                    "id": {"type": "string"},
                    "status": {"type": "string"},
                    "role": {"const": "assistant"},
                    "content": {"type": "array", "items": OUTPUT_TEXT},
                },
            },
        },
        "usage": {
            "type": "object",
            "required": ["input_tokens", "output_tokens", "total_tokens"],
            "properties": {
                "input_tokens": {"type": "integer", "minimum": 0},
                "output_tokens": {"type": "integer", "minimum": 0},
                "total_tokens": {"type": "integer", "minimum": 0},
            },
        },
        "citations": {"type": "array", "items": ref("Citation")},
    },
}

RESPONSE_STREAM_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "description": "Server-Sent Events, each `event: <type>` and `data: <JSON>` with that `type` and "
    "a `sequence_number` from 0: response.created, response.in_progress, "
    "response.output_item.added, response.content_part.added, response.output_text.delta (as the "
    "text is produced), response.output_text.annotation.added (one per citation marker), "
    "response.output_text.done, response.content_part.done, response.output_item.done, then "
    "response.completed (response.incomplete at `max_output_tokens`). A failure after the start is "
    "`error`, then response.failed.",
    "properties": {
        "event": {"type": "string", "pattern": "^(response\\.[a-z_.]+|error)$"},
        "data": {
            "type": "string",
            "contentMediaType": JSON,
            "contentSchema": {
                "type": "object",
                "required": ["type", "sequence_number"],
                "properties": {
                    "type": {"type": "string"},
                    "sequence_number": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
}

STORED_MESSAGE = {
    "type": "object",
    "required": ["id", "role", "content"],
    "properties": {
        "id": {"type": "string"},
        "role": {"enum": ["system", "developer", "user", "assistant", "tool"]},
        "content": {"type": ["string", "null"]},
        "name": {"type": ["string", "null"]},
        "tool_calls": {
            "type": "array",
            "description": "An assistant message's calls of the caller's functions.",
            "items": {"type": "object", "required": ["id", "type", "function"]},
        },
        "content_parts": {
            "description": "The parts the message was sent as, or null if it was a string.",
            "anyOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["type", "text"],
                        "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
                    },
                },
                {"type": "null"},
            ],
        },
    },
}

ITEM_STATUS = {"enum": ["in_progress", "completed", "incomplete"]}
LOGGED_TEXT = {**OUTPUT_TEXT, "required": [*OUTPUT_TEXT["required"], "logprobs"]}
LOGGED_TEXT["properties"] = {
    **OUTPUT_TEXT["properties"],
    # As the request sent them back: an earlier answer's annotations and logprobs.
    "annotations": {"type": "array", "items": {"type": "object"}},
    "logprobs": {"type": "array", "items": {"type": "object"}},
}
INPUT_TEXT = {
    "type": "object",
    "required": ["type", "text"],
    "additionalProperties": False,
    "properties": {"type": {"const": "input_text"}, "text": {"type": "string"}},
}
REFUSAL = {
    "type": "object",
    "required": ["type", "refusal"],
    "additionalProperties": False,
    "properties": {"type": {"const": "refusal"}, "refusal": {"type": "string"}},
}


def _item(kind: str, properties: dict) -> dict:
    return {
        "type": "object",
        "required": ["type", "id", "status", *properties],
        "additionalProperties": False,
        "properties": {"type": {"const": kind}, "id": {"type": "string"}, "status": ITEM_STATUS}
        | properties,
    }


# OpenAI's ItemResource, the kinds a response's input can hold (InputMessageResource,
# OutputMessage, FunctionToolCallResource, FunctionToolCallOutputResource).
INPUT_ITEM_STORED = {
    "description": "An input item as the request gave it, with an id of its own (msg_, fc_, "
    "fco_). An assistant message's content is output parts, the others' input text.",
    "oneOf": [
        _item(
            "message",
            {
                "role": {"enum": ["system", "developer", "user"]},
                "content": {"type": "array", "items": INPUT_TEXT},
            },
        ),
        _item(
            "message",
            {
                "role": {"const": "assistant"},
                "content": {"type": "array", "items": {"oneOf": [LOGGED_TEXT, REFUSAL]}},
            },
        ),
        _item(
            "function_call",
            {
                "call_id": {"type": "string"},
                "name": {"type": "string"},
                "arguments": {"type": "string"},
            },
        ),
        _item(
            "function_call_output",
            {"call_id": {"type": "string"}, "output": {"type": "string"}},
        ),
    ],
}
INCLUDE_PARAM = {
    "name": "include",
    "in": "query",
    "schema": {"type": "array", "maxItems": len(INCLUDABLE), "items": {"enum": sorted(INCLUDABLE)}},
    "description": "OpenAI's values are accepted (Lawbot's items have no extra data to add); "
    "others get 400.",
}


def _responses_request() -> dict[str, dict]:
    schemas = request_schemas()
    request = schemas["ResponsesRequest"]
    properties = request["properties"]
    properties["model"] = {**properties["model"], "enum": list(MODELS)}
    for branch in properties["input"]["anyOf"]:
        if branch.get("type") == "array":
            branch["contains"] = {
                "type": "object",
                "required": ["role"],
                "properties": {"role": {"const": "user"}},
            }
    # previous_response_id and conversation exclude each other.
    request["if"] = {
        "required": ["previous_response_id"],
        "properties": {"previous_response_id": {"type": "string", "minLength": 1}},
    }
    request["then"] = {"properties": {"conversation": {"type": "null"}}}
    upstream_only = {
        "tools": {"anyOf": [{"type": "array", "maxItems": 0}, {"type": "null"}]},
        "tool_choice": {"enum": ["none", "auto", None]},
        "text": {
            "anyOf": [
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "format": {"anyOf": [{"type": "null"}, ref("FormatText")]},
                        "verbosity": {"enum": ["low", "medium", "high", None]},
                    },
                },
                {"type": "null"},
            ]
        },
    }
    if upstream_serves("lawbot-pro"):
        # Passed to the upstream for lawbot-pro; lawbot-lite refuses them.
        request["allOf"] = [
            {
                "if": {"properties": {"model": {"const": "lawbot-lite"}}},
                "then": {"properties": upstream_only},
            }
        ]
    else:
        for name, schema in upstream_only.items():
            properties[name] = {**schema, "description": properties[name].get("description", "")}
    return schemas


def history_schemas(completion: dict) -> dict[str, dict]:
    stored = {
        **completion,
        "required": [*completion["required"], "metadata"],
        "properties": {**completion["properties"], "metadata": {"type": "object"}},
    }
    return {
        "StoredCompletion": stored,
        "StoredCompletionList": _list_of("StoredCompletion"),
        "StoredMessage": STORED_MESSAGE,
        "Response": RESPONSE,
        "ResponseStreamEvent": RESPONSE_STREAM_EVENT,
        "InputItemStored": INPUT_ITEM_STORED,
        **_responses_request(),
    }
