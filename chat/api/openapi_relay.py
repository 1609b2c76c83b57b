"""The Chat Completions request's schema when an upstream LLM is configured: lawbot-pro then
takes response_format, function tools and tool_choice (passed to the upstream), and messages may
carry tool calls and their results. Without one, chat.api.openapi_schemas' REQUEST stands."""

from chat.answering.catalogue import upstream_serves
from chat.answering.engines.upstream import upstream_configured
from chat.api.openapi_schemas import ref

CALL = {
    "type": "object",
    "required": ["id", "type", "function"],
    "properties": {
        "id": {"type": "string"},
        "type": {"const": "function"},
        "function": {
            "type": "object",
            "required": ["name", "arguments"],
            "properties": {"name": {"type": "string"}, "arguments": {"type": "string"}},
        },
    },
}
CONTENT = {
    "oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": ref("TextPart")}]
}
TOOL_MESSAGE = {
    "type": "object",
    "required": ["role", "content", "tool_call_id"],
    "additionalProperties": False,
    "description": "A function's result (only with an upstream LLM).",
    "properties": {
        "role": {"const": "tool"},
        "content": CONTENT,
        "tool_call_id": {"type": "string"},
        "name": {"type": "string"},
    },
}
CALLS_MESSAGE = {
    "type": "object",
    "required": ["role", "tool_calls"],
    "additionalProperties": False,
    "description": "An earlier answer that called functions (only with an upstream LLM).",
    "properties": {
        "role": {"const": "assistant"},
        "content": {"anyOf": [CONTENT, {"type": "null"}]},
        "tool_calls": {"type": "array", "minItems": 1, "items": CALL},
        "name": {"type": "string"},
    },
}
TOOLS = {
    "anyOf": [
        {
            "type": "array",
            "maxItems": 128,
            "items": {
                "type": "object",
                "required": ["type", "function"],
                "properties": {
                    "type": {"const": "function"},
                    "function": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string"}},
                    },
                },
            },
        },
        {"type": "null"},
    ],
    "description": "Function tools, passed to the upstream LLM (lawbot-pro); its `tool_calls` "
    "come back in the message (and as one delta per call at the end of a stream).",
}
TOOL_CHOICE = {
    "anyOf": [
        {"enum": ["none", "auto", "required", None]},
        {
            "type": "object",
            "required": ["type", "function"],
            "properties": {
                "type": {"const": "function"},
                "function": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}},
                },
            },
        },
    ]
}
RESPONSE_FORMAT = {
    "anyOf": [
        {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"enum": ["text", "json_object"]}},
        },
        {
            "type": "object",
            "required": ["type", "json_schema"],
            "properties": {"type": {"const": "json_schema"}, "json_schema": {"type": "object"}},
        },
        {"type": "null"},
    ],
    "description": "Passed to the upstream LLM (lawbot-pro).",
}


def request_schema(request: dict) -> dict:
    if not upstream_configured():
        return request
    properties = dict(request["properties"])
    messages = dict(properties["messages"])
    messages["items"] = {"anyOf": [messages["items"], TOOL_MESSAGE, CALLS_MESSAGE]}
    properties["messages"] = messages
    text_only = {name: properties[name] for name in ("tools", "tool_choice", "response_format")}
    if upstream_serves("lawbot-pro"):
        properties.update(tools=TOOLS, tool_choice=TOOL_CHOICE, response_format=RESPONSE_FORMAT)
    return {
        **request,
        "properties": properties,
        # lawbot-lite answers from the composer: text only.
        "allOf": [
            {
                "if": {"properties": {"model": {"const": "lawbot-lite"}}},
                "then": {"properties": text_only},
            }
        ],
    }
