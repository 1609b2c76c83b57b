"""The JSON schemas of the OpenAPI description that no request model gives: the answer, each SSE
event of a stream, the error object, models and health. (The request's come from its pydantic
model, chat.api.chat_request.)"""

from chat.answering.catalogue import MODELS


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


CITATION = {
    "type": "object",
    "description": (
        "One article the answer rests on. The answer's markers [1], [2] … are 1-based indices "
        "into `citations`; every marker points at a citation and every citation is cited."
    ),
    "required": ["law", "pcode", "article", "title", "url", "text", "paragraph"],
    "properties": {
        "law": {"type": "string", "description": "The law's name, e.g. 勞動基準法."},
        "pcode": {"type": "string", "description": "The Ministry's code of the law."},
        "article": {"type": "string", "description": "The article number, e.g. 17 or 15-1."},
        "title": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "text": {"type": "string", "description": "The article's text, verbatim."},
        "paragraph": {
            "type": "string",
            "description": (
                "The paragraph (項) or subparagraph (款, with the line introducing it) the answer "
                "quotes, verbatim; the whole text when the question cites the article itself."
            ),
        },
        "law_en": {
            "type": "string",
            "description": "The law's English name, where the corpus has one.",
        },
        "text_en": {
            "type": "string",
            "description": "The Ministry's English translation of the article, where one exists "
            "(for reference: the Chinese text is the law).",
        },
        "paragraph_en": {
            "type": "string",
            "description": "The same paragraph in the English translation, where it lines up.",
        },
        "url_en": {
            "type": "string",
            "format": "uri",
            "description": "The law's English page, where a translation exists.",
        },
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
        "status": {
            "enum": ["ok", "degraded", "unavailable"],
            "description": "`degraded`: the index does not match the database (an import was "
            "interrupted); answers come from the index there is while it is rebuilt.",
        },
        "database": {"enum": ["ok", "unavailable"]},
        "index": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {
                    "enum": ["ok", "mismatch", "missing"],
                    "description": "`mismatch`: built from another state of the database "
                    "(its article count and checksum differ from the database's).",
                },
                "articles": {"type": "integer", "minimum": 0},
                "rebuilding": {"type": "boolean"},
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
