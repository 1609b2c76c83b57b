"""The caller's tools for an upstream LLM (lawbot-pro with LAWBOT_LLM_BASE_URL): response_format,
function tools and tool_choice, checked for shape and passed on; and the messages that carry tool
calls and their results. chat.api.chat_request takes them out of the body before its model
validates the rest (which, without an upstream, refuses them naming the field)."""

from typing import Any

from chat.answering.turns import Turn
from chat.api.contract import shown as _shown
from chat.api.errors import invalid

PLACEHOLDER = {"role": "assistant", "content": ""}  # validated in a tool message's place


def _content(value: Any, param: str) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or not value:
        raise invalid(
            f"Invalid type for '{param}': expected a string or a non-empty array of text parts.",
            param=param,
        )
    texts = []
    for j, part in enumerate(value):
        part_param = f"{param}[{j}]"
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise invalid(
                f"Invalid content part at '{part_param}': expected an object with a 'type'.",
                param=part_param,
            )
        if part["type"] != "text":
            raise invalid(
                f"Content of type '{_shown(part['type'])}' is not supported by Lawbot.",
                param=part_param,
                code="unsupported_parameter",
            )
        if not isinstance(part.get("text"), str):
            raise invalid(
                f"Invalid type for '{part_param}.text': expected a string.",
                param=f"{part_param}.text",
            )
        texts.append(part["text"])
    return "\n".join(texts)


def _tool_calls(value: Any, param: str) -> tuple[dict, ...]:
    if not isinstance(value, list) or not value:
        raise invalid(f"Invalid type for '{param}': expected a non-empty array.", param=param)
    calls = []
    for i, call in enumerate(value):
        function = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call.get("id") if isinstance(call, dict) else None, str)
            or call.get("type") != "function"
            or not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
            or not isinstance(function.get("arguments"), str)
        ):
            raise invalid(
                f"Invalid value for '{param}[{i}]': expected {{id, type: function, function: "
                "{name, arguments}}.",
                param=f"{param}[{i}]",
            )
        calls.append(
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": function["name"], "arguments": function["arguments"]},
            }
        )
    return tuple(calls)


def _tool_message(raw: dict, param: str) -> Turn:
    """A function's result, or an answer that called functions: for an upstream LLM's tools."""
    allowed = {"role", "content", "name", "tool_call_id", "tool_calls"}
    for key in raw:
        if key not in allowed:
            raise invalid(
                f"Unrecognized argument '{param}.{_shown(key)}'.",
                param=f"{param}.{_shown(key)}",
                code="unknown_parameter",
            )
    if raw["role"] == "tool":
        if not isinstance(raw.get("tool_call_id"), str):
            raise invalid(
                f"Missing required parameter: '{param}.tool_call_id'.",
                param=f"{param}.tool_call_id",
                code="missing_required_parameter",
            )
        content = _content(raw.get("content"), f"{param}.content")
        return Turn("tool", content, tool_call_id=raw["tool_call_id"])
    content = raw.get("content")
    text = "" if content is None else _content(content, f"{param}.content")
    return Turn("assistant", text, _tool_calls(raw["tool_calls"], f"{param}.tool_calls"))


def _passthrough(body: dict) -> dict:
    """response_format, tools and tool_choice, checked for shape and sent to the upstream LLM."""
    sent = {}
    response_format = body.get("response_format")
    if response_format is not None:
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if kind not in ("text", "json_object", "json_schema") or (
            kind == "json_schema" and not isinstance(response_format.get("json_schema"), dict)
        ):
            raise invalid(
                "Invalid value for 'response_format': expected {type: text | json_object | "
                "json_schema, json_schema: {…}}.",
                param="response_format",
            )
        if kind != "text":
            sent["response_format"] = response_format
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or len(tools) > 128:
            raise invalid(
                "Invalid type for 'tools': expected an array (at most 128).", param="tools"
            )
        for i, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, dict) else None
            if (
                not isinstance(tool, dict)
                or tool.get("type") != "function"
                or not isinstance(function, dict)
                or not isinstance(function.get("name"), str)
            ):
                raise invalid(
                    f"Invalid value for 'tools[{i}]': expected a function tool "
                    "{type: function, function: {name, …}}.",
                    param=f"tools[{i}]",
                )
        if tools:
            sent["tools"] = tools
    choice = body.get("tool_choice")
    if choice is not None:
        named = (
            isinstance(choice, dict)
            and choice.get("type") == "function"
            and isinstance(choice.get("function"), dict)
            and isinstance(choice["function"].get("name"), str)
        )
        if choice not in ("none", "auto", "required") and not named:
            raise invalid(
                "Invalid value for 'tool_choice': expected none, auto, required or "
                "{type: function, function: {name}}.",
                param="tool_choice",
            )
        if "tools" in sent:
            sent["tool_choice"] = choice
    return sent


def is_tool_message(raw: Any) -> bool:
    return isinstance(raw, dict) and (
        raw.get("role") == "tool" or (raw.get("role") == "assistant" and "tool_calls" in raw)
    )


def tool_messages_taken(body: dict) -> tuple[dict, dict[int, Turn]]:
    """The body with each tool message replaced by a placeholder, and those messages as turns."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return body, {}
    turns = {
        i: _tool_message(raw, f"messages[{i}]")
        for i, raw in enumerate(messages[:1000])
        if is_tool_message(raw)
    }
    if not turns:
        return body, {}
    placeheld = [PLACEHOLDER if i in turns else m for i, m in enumerate(messages)]
    return {**body, "messages": placeheld}, turns


def passthrough_taken(body: dict) -> tuple[dict, dict]:
    """The body without response_format, tools and tool_choice, and what goes to the upstream."""
    sent = _passthrough(body)
    rest = {k: v for k, v in body.items() if k not in ("response_format", "tools", "tool_choice")}
    return rest, sent
