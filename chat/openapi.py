"""The OpenAPI 3.1 description of the API, kept truthful to chat.validation by the fuzz test.

Every constraint here is one the server enforces: a request the schema allows is answered, and a
request it forbids gets a 4xx OpenAI error (tests/e2e/test_fuzz.py runs schemathesis both ways).
"""

from chat.completions import MODELS

JSON = "application/json"


def _nullable(schema: dict) -> dict:
    """OpenAI clients send `null` for an unset optional field; the server treats it as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _range(low: float, high: float, description: str) -> dict:
    return _nullable(
        {"type": "number", "minimum": low, "maximum": high, "description": description}
    )


ACCEPTED = "Accepted; passed to the upstream LLM for `lawbot-pro`, otherwise ignored."
NOT_SUPPORTED = "Not supported: any other value gets 400 `unsupported_parameter`."

MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "additionalProperties": False,
    "properties": {
        "role": {
            "type": "string",
            "enum": ["system", "developer", "user", "assistant"],
            "description": "`tool` and `function` get 400 `unsupported_parameter`.",
        },
        "content": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "minItems": 1, "items": _ref("TextPart")},
            ]
        },
        "name": {"type": "string"},
    },
}

TEXT_PART = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {
            "type": "string",
            "const": "text",
            "description": "`image_url`, `input_audio` and `file` parts get 400 "
            "`unsupported_parameter`.",
        },
        "text": {"type": "string"},
    },
}

REQUEST = {
    "type": "object",
    "required": ["model", "messages"],
    "additionalProperties": False,
    "description": "A JSON body of at most 1 MiB. Unknown fields get 400 `unknown_parameter`.",
    "properties": {
        "model": {"type": "string", "enum": list(MODELS), "description": "Others get 404."},
        "messages": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": _ref("Message"),
            "contains": {"type": "object", "properties": {"role": {"const": "user"}}},
            "description": "At least one message must have the role `user`; the last user "
            "message is the question.",
        },
        "stream": _nullable({"type": "boolean"}),
        "stream_options": _nullable(
            {
                "type": "object",
                "properties": {"include_usage": {"type": "boolean"}},
                "description": "Only with `stream: true`.",
            }
        ),
        "max_completion_tokens": _nullable({"type": "integer", "minimum": 1}),
        "max_tokens": _nullable(
            {"type": "integer", "minimum": 1, "description": "The smaller of the two applies."}
        ),
        "stop": _nullable(
            {
                "oneOf": [
                    {"type": "string"},
                    {"type": "array", "maxItems": 4, "items": {"type": "string"}},
                ]
            }
        ),
        "temperature": _range(0, 2, ACCEPTED),
        "top_p": _range(0, 1, ACCEPTED),
        "frequency_penalty": _range(-2, 2, ACCEPTED),
        "presence_penalty": _range(-2, 2, ACCEPTED),
        "seed": _nullable({"type": "integer", "description": ACCEPTED}),
        "user": _nullable({"type": "string", "description": ACCEPTED}),
        "safety_identifier": _nullable({"type": "string", "description": ACCEPTED}),
        "prompt_cache_key": _nullable({"type": "string", "description": ACCEPTED}),
        "service_tier": _nullable({"type": "string", "description": ACCEPTED}),
        "reasoning_effort": _nullable({"type": "string", "description": ACCEPTED}),
        "verbosity": _nullable({"type": "string", "description": ACCEPTED}),
        "store": _nullable({"type": "boolean", "description": ACCEPTED}),
        "parallel_tool_calls": _nullable({"type": "boolean", "description": ACCEPTED}),
        "metadata": _nullable(
            {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": ACCEPTED,
            }
        ),
        "logit_bias": _nullable(
            {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": -100, "maximum": 100},
                "description": ACCEPTED,
            }
        ),
        "n": {"enum": [1, None], "description": NOT_SUPPORTED},
        "response_format": _nullable(
            {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"const": "text"}},
                "description": NOT_SUPPORTED,
            }
        ),
        "tools": _nullable({"type": "array", "maxItems": 0, "description": NOT_SUPPORTED}),
        "functions": _nullable({"type": "array", "maxItems": 0, "description": NOT_SUPPORTED}),
        "tool_choice": {"enum": ["none", None], "description": NOT_SUPPORTED},
        "function_call": {"enum": ["none", None], "description": NOT_SUPPORTED},
        "logprobs": {"enum": [False, None], "description": NOT_SUPPORTED},
        "top_logprobs": {"type": "null", "description": NOT_SUPPORTED},
        "modalities": _nullable(
            {
                "type": "array",
                "minItems": 1,
                "maxItems": 1,
                "items": {"const": "text"},
                "description": NOT_SUPPORTED,
            }
        ),
        "audio": {"type": "null", "description": NOT_SUPPORTED},
        "prediction": {"type": "null", "description": NOT_SUPPORTED},
        "web_search_options": {"type": "null", "description": NOT_SUPPORTED},
    },
    # stream_options with stream off is a 400, as at OpenAI.
    "if": {"required": ["stream_options"], "properties": {"stream_options": {"type": "object"}}},
    "then": {"required": ["stream"], "properties": {"stream": {"const": True}}},
}

CITATION = {
    "type": "object",
    "required": ["law", "pcode", "article", "title", "url", "text"],
    "properties": {
        "law": {"type": "string", "description": "The law's name, e.g. 勞動基準法."},
        "pcode": {"type": "string", "description": "The Ministry's code of the law."},
        "article": {"type": "string", "description": "The article number, e.g. 17 or 15-1."},
        "title": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "text": {"type": "string", "description": "The article's text, verbatim."},
    },
}

USAGE = {
    "type": "object",
    "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
    "properties": {
        "prompt_tokens": {"type": "integer", "minimum": 0},
        "completion_tokens": {"type": "integer", "minimum": 0},
        "total_tokens": {"type": "integer", "minimum": 0},
    },
}

COMPLETION = {
    "type": "object",
    "required": ["id", "object", "created", "model", "choices", "usage", "citations"],
    "properties": {
        "id": {"type": "string", "pattern": "^chatcmpl-"},
        "object": {"const": "chat.completion"},
        "created": {"type": "integer"},
        "model": {"type": "string"},
        "system_fingerprint": {"type": "string"},
        "choices": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["index", "message", "finish_reason", "logprobs"],
                "properties": {
                    "index": {"const": 0},
                    "message": {
                        "type": "object",
                        "required": ["role", "content"],
                        "properties": {
                            "role": {"const": "assistant"},
                            "content": {"type": "string"},
                            "refusal": {"type": "null"},
                        },
                    },
                    "finish_reason": {"enum": ["stop", "length"]},
                    "logprobs": {"type": "null"},
                },
            },
        },
        "usage": _ref("Usage"),
        "citations": {"type": "array", "items": _ref("Citation")},
    },
}

CHUNK = {
    "type": "object",
    "required": ["id", "object", "created", "model", "choices"],
    "properties": {
        "id": {"type": "string", "pattern": "^chatcmpl-"},
        "object": {"const": "chat.completion.chunk"},
        "created": {"type": "integer"},
        "model": {"type": "string"},
        "system_fingerprint": {"type": "string"},
        "choices": {
            "type": "array",
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["index", "delta", "logprobs", "finish_reason"],
                "properties": {
                    "index": {"const": 0},
                    "delta": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "role": {"const": "assistant"},
                            "content": {"type": "string"},
                        },
                    },
                    "logprobs": {"type": "null"},
                    "finish_reason": {"enum": ["stop", "length", None]},
                },
            },
        },
        "usage": {"anyOf": [_ref("Usage"), {"type": "null"}]},
        "citations": {"type": "array", "items": _ref("Citation")},
    },
}

STREAM_EVENT = {
    "type": "object",
    "required": ["data"],
    "description": (
        "Server-Sent Events, each `data: <JSON>\\n\\n`: first a chunk with "
        '`delta: {"role": "assistant", "content": ""}`, then `delta: {"content": …}` as the '
        "text is produced, then `delta: {}` with `finish_reason` and `citations`, then (with "
        "`stream_options.include_usage`) a chunk with `choices: []` and `usage`, then "
        "`data: [DONE]`. `: ping` comments keep an idle stream alive. An error after the "
        'stream started is sent as `data: {"error": {…}}`, then `data: [DONE]`.'
    ),
    "properties": {
        "event": {"const": "message"},
        "data": {
            "anyOf": [
                {"const": "[DONE]"},
                {
                    "type": "string",
                    "pattern": "^[{]",
                    "contentMediaType": "application/json",
                    "contentSchema": {"anyOf": [_ref("Chunk"), _ref("Error")]},
                },
            ]
        },
    },
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": {"type": "string"},
                "type": {
                    "enum": [
                        "invalid_request_error",
                        "permission_error",
                        "rate_limit_error",
                        "server_error",
                    ]
                },
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}

MODEL = {
    "type": "object",
    "required": ["id", "object", "created", "owned_by"],
    "properties": {
        "id": {"type": "string", "enum": list(MODELS)},
        "object": {"const": "model"},
        "created": {"type": "integer"},
        "owned_by": {"type": "string"},
    },
}

HEALTH = {
    "type": "object",
    "required": ["status", "database", "index"],
    "properties": {
        "status": {"enum": ["ok", "unavailable"]},
        "database": {"enum": ["ok", "unavailable"]},
        "index": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"enum": ["ok", "missing"]},
                "articles": {"type": "integer", "minimum": 0},
            },
        },
    },
}

ERRORS = {
    "400": "Invalid request: bad JSON, wrong content type, a wrong type or value (`param` names "
    "the field), an unsupported parameter.",
    "401": "A missing, malformed, unknown, revoked or expired API key (`invalid_api_key`).",
    "403": "The key may not use this model (`model_not_allowed`).",
    "404": "Unknown model (`model_not_found`) or path (`not_found`).",
    "413": "The body is larger than 1 MiB (`request_too_large`).",
    "429": "A rate or concurrency limit of the key; see `Retry-After`.",
    "500": "A server error (`internal_error`); `x-should-retry: false`.",
    "502": "The upstream LLM failed (`upstream_error`).",
    "503": "The database, the law index or the upstream LLM is unavailable.",
    "504": "The upstream LLM timed out (`upstream_timeout`).",
}


def _errors(*statuses: str) -> dict:
    return {
        status: {"description": ERRORS[status], "content": {JSON: {"schema": _ref("Error")}}}
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
                "content": {JSON: {"schema": _ref("Request"), "examples": REQUEST_EXAMPLES}},
            },
            "responses": {
                "200": {
                    "description": "The answer: JSON, or an event stream with `stream: true`.",
                    "content": {
                        JSON: {"schema": _ref("Completion")},
                        "text/event-stream": {"schema": _ref("StreamEvent")},
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
                            "data": {"type": "array", "items": _ref("Model")},
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
                "200": _json("The model.", _ref("Model")),
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
                "200": _json("Ready.", _ref("Health")),
                "503": _json("The database or the index is unavailable.", _ref("Health")),
            },
        }
    },
}


def openapi_schema() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lawbot API",
            "version": "1.0.0",
            "description": "The OpenAI Chat Completions API over Taiwan's laws, plus a "
            "`citations` field. Every path is served at the root and under `/v1`; every error "
            'is `{"error": {"message", "type", "param", "code"}}`.',
        },
        "servers": [{"url": "/v1"}, {"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key, `lb-…`.",
                }
            },
            "schemas": {
                "Request": REQUEST,
                "Message": MESSAGE,
                "TextPart": TEXT_PART,
                "Completion": COMPLETION,
                "Chunk": CHUNK,
                "StreamEvent": STREAM_EVENT,
                "Citation": CITATION,
                "Usage": USAGE,
                "Model": MODEL,
                "Health": HEALTH,
                "Error": ERROR,
            },
        },
    }
