"""Validating a Chat Completions request body exactly as the API contract (SPEC.md) says."""

import json
from dataclasses import dataclass, field
from typing import Any

from chat.answering.turns import ROLES, Turn, question_of
from chat.api.errors import ApiError, invalid

PASSED_THROUGH = {
    "temperature",
    "top_p",
    "seed",
    "user",
    "safety_identifier",
    "metadata",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "parallel_tool_calls",
    "prompt_cache_key",
    "store",
    "service_tier",
    "reasoning_effort",
    "verbosity",
}
STRINGS = (
    "user",
    "safety_identifier",
    "prompt_cache_key",
    "service_tier",
    "reasoning_effort",
    "verbosity",
)
KNOWN = PASSED_THROUGH | {
    "model",
    "messages",
    "stream",
    "stream_options",
    "max_completion_tokens",
    "max_tokens",
    "stop",
    "n",
    "response_format",
    "tools",
    "tool_choice",
    "functions",
    "function_call",
    "logprobs",
    "top_logprobs",
    "modalities",
    "audio",
    "prediction",
    "web_search_options",
}


@dataclass
class ChatRequest:
    model: str
    messages: list[Turn]
    stream: bool = False
    include_usage: bool = False
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    sampling: dict[str, Any] = field(default_factory=dict)  # passed to an upstream LLM as given

    @property
    def question(self) -> str:
        return question_of(self.messages)


def _is_int(value: Any) -> bool:
    # JSON Schema counts 5.0 as an integer, and so does the published OpenAPI schema.
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(name: str) -> str:
    """A field name as errors echo it: a 1 MiB key must not come back as a 1 MiB error."""
    return name if len(name) <= 100 else name[:100] + "…"


def _unsupported(param: str, what: str) -> ApiError:
    return invalid(f"{what} is not supported by Lawbot.", param=param, code="unsupported_parameter")


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
            raise _unsupported(part_param, f"Content of type '{part['type']}'")
        if not isinstance(part.get("text"), str):
            raise invalid(
                f"Invalid type for '{part_param}.text': expected a string.",
                param=f"{part_param}.text",
            )
        texts.append(part["text"])
    return "\n".join(texts)


def _messages(value: Any) -> list[Turn]:
    if value is None:
        raise invalid(
            "Missing required parameter: 'messages'.",
            param="messages",
            code="missing_required_parameter",
        )
    if not isinstance(value, list):
        raise invalid("Invalid type for 'messages': expected an array.", param="messages")
    if not value:
        raise invalid("'messages' must contain at least one message.", param="messages")
    if len(value) > 1000:
        raise invalid("'messages' may hold at most 1000 messages.", param="messages")
    messages = []
    for i, raw in enumerate(value):
        param = f"messages[{i}]"
        if not isinstance(raw, dict):
            raise invalid(f"Invalid type for '{param}': expected an object.", param=param)
        role = raw.get("role")
        if not isinstance(role, str) or role not in ROLES:
            if role in ("tool", "function"):
                raise _unsupported(f"{param}.role", f"The role '{role}'")
            raise invalid(
                f"Invalid value for '{param}.role': expected one of system, developer, user, assistant.",
                param=f"{param}.role",
            )
        for key in raw:
            if key not in {"role", "content", "name"}:
                raise invalid(
                    f"Unrecognized argument '{param}.{_shown(key)}'.",
                    param=f"{param}.{_shown(key)}",
                    code="unknown_parameter",
                )
        if "name" in raw and not isinstance(raw["name"], str):
            raise invalid(
                f"Invalid type for '{param}.name': expected a string.", param=f"{param}.name"
            )
        if "content" not in raw:
            raise invalid(
                f"Missing required parameter: '{param}.content'.",
                param=f"{param}.content",
                code="missing_required_parameter",
            )
        messages.append(Turn(role=role, content=_content(raw["content"], f"{param}.content")))
    if not any(m.role == "user" for m in messages):
        raise invalid("'messages' must contain a message with role 'user'.", param="messages")
    return messages


def _range(body: dict, name: str, low: float, high: float) -> None:
    value = body.get(name)
    if value is None:
        return
    if not _is_number(value) or not low <= value <= high:
        raise invalid(
            f"Invalid value for '{name}': expected a number from {low:g} to {high:g}.", param=name
        )


def _stop(value: Any) -> list[str]:
    if value is None:
        return []
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise invalid(
            "Invalid type for 'stop': expected a string or an array of strings.", param="stop"
        )
    if len(stops) > 4:
        raise invalid("'stop' may hold at most 4 sequences.", param="stop")
    return [s for s in stops if s]


def _check_unsupported(body: dict) -> None:
    n = body.get("n")
    if n is not None and not (_is_int(n) and n == 1):
        if not _is_int(n) or n < 1:
            raise invalid("Invalid value for 'n': expected an integer of at least 1.", param="n")
        raise _unsupported("n", "'n' other than 1")
    response_format = body.get("response_format")
    if response_format is not None and (
        not isinstance(response_format, dict) or response_format.get("type") != "text"
    ):
        raise _unsupported("response_format", "A 'response_format' other than text")
    for name in ("tools", "functions"):
        value = body.get(name)
        if value is not None and not isinstance(value, list):
            raise invalid(f"Invalid type for '{name}': expected an array.", param=name)
        if value:
            raise _unsupported(name, f"'{name}'")
    if body.get("tool_choice") not in (None, "none"):
        raise _unsupported("tool_choice", "'tool_choice'")
    if body.get("function_call") not in (None, "none"):
        raise _unsupported("function_call", "'function_call'")
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise invalid("Invalid type for 'logprobs': expected a boolean.", param="logprobs")
    if logprobs:
        raise _unsupported("logprobs", "'logprobs'")
    if body.get("top_logprobs") is not None:
        raise _unsupported("top_logprobs", "'top_logprobs'")
    if body.get("audio") is not None:
        raise _unsupported("audio", "Audio output")
    if body.get("modalities") not in (None, ["text"]):
        raise _unsupported("modalities", "An output modality other than text")
    if body.get("prediction") is not None:
        raise _unsupported("prediction", "'prediction'")
    if body.get("web_search_options") is not None:
        raise _unsupported("web_search_options", "'web_search_options'")


def _metadata(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid(
            "Invalid type for 'metadata': expected an object of strings.", param="metadata"
        )


def _logit_bias(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or not all(
        _is_number(v) and -100 <= v <= 100 for v in value.values()
    ):
        raise invalid(
            "Invalid value for 'logit_bias': expected an object of numbers from -100 to 100.",
            param="logit_bias",
        )


MAX_TOKENS = 1_000_000  # past any model's context: 10**100 is a mistake, not a budget


def _max_tokens(body: dict) -> int | None:
    limit = None
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not _is_int(value) or value < 1:
            raise invalid(
                f"Invalid value for '{name}': expected an integer of at least 1.", param=name
            )
        if value > MAX_TOKENS:
            raise invalid(
                f"Invalid value for '{name}': at most {MAX_TOKENS} tokens can be asked for.",
                param=name,
            )
        limit = int(value) if limit is None else min(limit, int(value))
    return limit


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


def _json_body(raw: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no lone surrogates (they cannot be stored,
    logged or sent back as UTF-8)."""
    try:
        text = raw.decode("utf-8")
        body = json.loads(text, parse_constant=_not_json)
        # Re-encoding finds a lone surrogate from a "\ud800" escape anywhere in the body.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(
            f"The body of your request is not valid UTF-8 (byte {exc.start}).", code="invalid_json"
        ) from None
    except UnicodeEncodeError:
        raise invalid(
            "The body of your request holds a lone surrogate escape (\\ud800–\\udfff), "
            "which is not valid Unicode.",
            code="invalid_json",
        ) from None
    except RecursionError:
        raise invalid(
            "The body of your request is nested too deeply.", code="invalid_json"
        ) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, integers of over 4300 digits
        raise invalid(
            f"The body of your request is not valid JSON: {exc}.", code="invalid_json"
        ) from None
    return body


def parse_chat_request(raw: bytes, content_type: str) -> ChatRequest:
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise invalid(
            "Content-Type must be application/json.", param=None, code="invalid_content_type"
        )
    body = _json_body(raw)
    if not isinstance(body, dict):
        raise invalid("The body of your request must be a JSON object.", code="invalid_json")
    for name in body:
        if name not in KNOWN:
            raise invalid(
                f"Unrecognized request argument supplied: {_shown(name)}",
                param=_shown(name),
                code="unknown_parameter",
            )
    model = body.get("model")
    if model is None:
        raise invalid(
            "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
        )
    if not isinstance(model, str) or not model:
        raise invalid("Invalid type for 'model': expected a string.", param="model")
    messages = _messages(body.get("messages"))
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise invalid("Invalid type for 'stream': expected a boolean.", param="stream")
    options = body.get("stream_options")
    include_usage = False
    if options is not None:
        if not stream:
            raise invalid(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                param="stream_options",
            )
        if not isinstance(options, dict) or not isinstance(
            options.get("include_usage", False), bool
        ):
            raise invalid(
                "Invalid value for 'stream_options': expected {\"include_usage\": boolean}.",
                param="stream_options",
            )
        include_usage = options.get("include_usage", False)
    _check_unsupported(body)
    _range(body, "temperature", 0, 2)
    _range(body, "top_p", 0, 1)
    _range(body, "frequency_penalty", -2, 2)
    _range(body, "presence_penalty", -2, 2)
    if body.get("seed") is not None and not _is_int(body["seed"]):
        raise invalid("Invalid type for 'seed': expected an integer.", param="seed")
    for name in STRINGS:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise invalid(f"Invalid type for '{name}': expected a string.", param=name)
    for name in ("parallel_tool_calls", "store"):
        if body.get(name) is not None and not isinstance(body[name], bool):
            raise invalid(f"Invalid type for '{name}': expected a boolean.", param=name)
    _metadata(body.get("metadata"))
    _logit_bias(body.get("logit_bias"))
    return ChatRequest(
        model=model,
        messages=messages,
        stream=stream,
        include_usage=include_usage,
        max_tokens=_max_tokens(body),
        stop=_stop(body.get("stop")),
        sampling={k: body[k] for k in PASSED_THROUGH if body.get(k) is not None},
    )
