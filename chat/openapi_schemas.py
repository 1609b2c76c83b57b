"""The JSON schemas of the OpenAPI description: the request as chat.validation enforces it,
the answer, each SSE event of a stream, the error object, models and health."""

from chat.completions import MODELS


def _nullable(schema: dict) -> dict:
    """OpenAI clients send `null` for an unset optional field; the server treats it as absent."""
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> dict:
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
                {"type": "array", "minItems": 1, "items": ref("TextPart")},
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
            "items": ref("Message"),
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
        "usage": ref("Usage"),
        "citations": {"type": "array", "items": ref("Citation")},
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
        "usage": {"anyOf": [ref("Usage"), {"type": "null"}]},
        "citations": {"type": "array", "items": ref("Citation")},
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
                    "contentSchema": {"anyOf": [ref("Chunk"), ref("Error")]},
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
        "meaning": {
            "type": "object",
            "description": "The meaning index: `ready`, `embedding` (done of total passages), "
            "`waiting` (not built for this index), `failed` or `off`. Retrieval uses words "
            "and cards until it is ready.",
            "required": ["state"],
            "properties": {
                "state": {"enum": ["ready", "embedding", "waiting", "failed", "off"]},
                "done": {"type": "integer", "minimum": 0},
                "total": {"type": "integer", "minimum": 0},
                "percent": {"type": "number", "minimum": 0, "maximum": 100},
            },
        },
    },
}
