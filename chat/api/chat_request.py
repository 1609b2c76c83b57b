"""The Chat Completions request (SPEC.md) as one pydantic model: what `parse_chat_request`
validates, and the `Request` schema of /openapi.json (chat.api.contract reads it both ways)."""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NotRequired

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, with_config
from typing_extensions import TypedDict  # pydantic's choice on Python < 3.12

from chat.answering.catalogue import MODELS, upstream_serves
from chat.answering.engines.upstream import upstream_configured
from chat.answering.turns import ROLES, Turn, question_of
from chat.api.chat_tools import passthrough_taken, tool_messages_taken
from chat.api.contract import (
    boolean,
    integral,
    json_int,
    json_object,
    refuse,
    shown,
    unsupported,
    validated,
)
from chat.api.metadata import MAX_KEY, MAX_PAIRS, MAX_VALUE

ACCEPTED = "Accepted; passed to the upstream LLM for `lawbot-pro`, otherwise ignored."
NOT_SUPPORTED = "Not supported: any other value gets 400 `unsupported_parameter`."


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer()
    )


def _is_other_part(part: Any) -> bool:
    return isinstance(part, dict) and isinstance(part.get("type"), str) and part["type"] != "text"


# The objects inside the request are TypedDicts: pydantic validates them faster than models, and
# the pipeline reads them once.
@with_config(strict=True)  # other keys of a part are ignored, as before
class TextPart(TypedDict):
    type: Annotated[
        Literal["text"],
        Field(
            description="`image_url`, `input_audio` and `file` parts get 400 "
            "`unsupported_parameter`."
        ),
    ]
    text: str


Part = Annotated[
    TextPart,
    unsupported(lambda part: f"Content of type '{shown(part['type'])}'", when=_is_other_part),
]


@with_config(strict=True, extra="forbid")
class Message(TypedDict):
    role: Annotated[
        Literal[ROLES],
        unsupported(lambda role: f"The role '{role}'", values=("tool", "function")),
        Field(description="`tool` and `function` get 400 `unsupported_parameter`."),
    ]
    content: str | Annotated[list[Part], Field(min_length=1, fail_fast=True)]
    name: NotRequired[str]


def _has_user(messages: list[Message]) -> list[Message]:
    if not any(m["role"] == "user" for m in messages):
        raise refuse("'messages' must contain a message with role 'user'.")
    return messages


@with_config(strict=True)
class StreamOptions(TypedDict):
    include_usage: NotRequired[bool]


@with_config(strict=True)
class TextFormat(TypedDict):
    type: Literal["text"]


def _nothing(name: str) -> Any:
    """A field of OpenAI's that Lawbot accepts only when absent or null."""
    return Annotated[None, unsupported(name)]


MAX_TOKENS = 1_000_000


class ChatCompletionRequest(BaseModel):
    """A JSON body of at most 1 MiB. Unknown fields get 400 `unknown_parameter`."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        # stream_options with stream off is a 400, as at OpenAI (the validator below).
        json_schema_extra={
            "if": {
                "required": ["stream_options"],
                "properties": {"stream_options": {"type": "object"}},
            },
            "then": {"required": ["stream"], "properties": {"stream": {"const": True}}},
        },
    )

    # Validation, and the schema's properties, go in this order.
    model: str = Field(
        min_length=1, description="Others get 404.", json_schema_extra={"enum": list(MODELS)}
    )
    messages: Annotated[
        list[Message],
        Field(
            min_length=1,
            max_length=1000,
            fail_fast=True,
            json_schema_extra={
                "contains": {"type": "object", "properties": {"role": {"const": "user"}}}
            },
        ),
        AfterValidator(_has_user),
    ] = Field(
        description="At least one message must have the role `user`; the last user message is "
        "the question."
    )
    stream: bool | None = None
    stream_options: StreamOptions | None = Field(None, description="Only with `stream: true`.")
    # At most MAX_TOKENS: past any model's context, 10**100 is a mistake, not a budget.
    max_completion_tokens: json_int(ge=1, le=MAX_TOKENS) | None = None
    max_tokens: json_int(ge=1, le=MAX_TOKENS) | None = Field(
        None, description="The smaller of the two applies."
    )
    stop: str | Annotated[list[str], Field(max_length=4)] | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = Field(None, description=ACCEPTED)
    top_p: Annotated[float, Field(ge=0, le=1)] | None = Field(None, description=ACCEPTED)
    frequency_penalty: Annotated[float, Field(ge=-2, le=2)] | None = Field(
        None, description=ACCEPTED
    )
    presence_penalty: Annotated[float, Field(ge=-2, le=2)] | None = Field(
        None, description=ACCEPTED
    )
    seed: json_int() | None = Field(None, description=ACCEPTED)
    user: str | None = Field(None, description=ACCEPTED)
    safety_identifier: str | None = Field(None, description=ACCEPTED)
    prompt_cache_key: str | None = Field(None, description=ACCEPTED)
    service_tier: str | None = Field(None, description=ACCEPTED)
    reasoning_effort: str | None = Field(None, description=ACCEPTED)
    verbosity: str | None = Field(None, description=ACCEPTED)
    store: bool | None = Field(
        None, description="Keep the completion for the key's owner (GET /chat/completions)."
    )
    parallel_tool_calls: bool | None = Field(None, description=ACCEPTED)
    metadata: (
        Annotated[
            dict[
                Annotated[str, Field(max_length=MAX_KEY)],
                Annotated[str, Field(max_length=MAX_VALUE)],
            ],
            Field(max_length=MAX_PAIRS),
        ]
        | None
    ) = Field(None, description=ACCEPTED + " Kept with a stored completion.")
    logit_bias: dict[str, Annotated[float, Field(ge=-100, le=100)]] | None = Field(
        None, description=ACCEPTED
    )
    n: (
        Annotated[
            Literal[1],
            integral,
            unsupported("'n' other than 1", when=lambda n: _is_int(n) and n >= 1),
        ]
        | None
    ) = Field(None, description=NOT_SUPPORTED)
    response_format: (
        Annotated[TextFormat, unsupported("A 'response_format' other than text")] | None
    ) = Field(None, description=NOT_SUPPORTED)
    tools: (
        Annotated[
            list[Any],
            Field(max_length=0),
            unsupported("'tools'", when=lambda v: isinstance(v, list)),
        ]
        | None
    ) = Field(None, description=NOT_SUPPORTED)
    functions: (
        Annotated[
            list[Any],
            Field(max_length=0),
            unsupported("'functions'", when=lambda v: isinstance(v, list)),
        ]
        | None
    ) = Field(None, description=NOT_SUPPORTED)
    tool_choice: Annotated[Literal["none"], unsupported("'tool_choice'")] | None = Field(
        None, description=NOT_SUPPORTED
    )
    function_call: Annotated[Literal["none"], unsupported("'function_call'")] | None = Field(
        None, description=NOT_SUPPORTED
    )
    logprobs: (
        Annotated[Literal[False], boolean, unsupported("'logprobs'", when=lambda v: v is True)]
        | None
    ) = Field(None, description=NOT_SUPPORTED)
    top_logprobs: _nothing("'top_logprobs'") = Field(None, description=NOT_SUPPORTED)
    modalities: (
        Annotated[
            list[Literal["text"]],
            Field(min_length=1, max_length=1),
            unsupported("An output modality other than text"),
        ]
        | None
    ) = Field(None, description=NOT_SUPPORTED)
    audio: _nothing("Audio output") = Field(None, description=NOT_SUPPORTED)
    prediction: _nothing("'prediction'") = Field(None, description=NOT_SUPPORTED)
    web_search_options: _nothing("'web_search_options'") = Field(None, description=NOT_SUPPORTED)

    @field_validator("stream_options")
    @classmethod
    def _only_when_streaming(cls, options, info):
        if options is not None and not info.data.get("stream"):
            raise refuse("The 'stream_options' parameter is only allowed when 'stream' is enabled.")
        return options


KNOWN = frozenset(ChatCompletionRequest.model_fields)
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
    "service_tier",
    "reasoning_effort",
    "verbosity",
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
    store: bool = False  # kept as a stored completion of the key's owner (chat.history)
    metadata: dict[str, str] = field(default_factory=dict)
    passthrough: dict[str, Any] = field(default_factory=dict)  # tools…, for an upstream LLM
    # The content parts of the messages sent as parts, by index: a stored completion lists them.
    content_parts: dict[int, list[dict]] = field(default_factory=dict)

    @property
    def question(self) -> str:
        return question_of(self.messages)


def _text(content: str | list[TextPart]) -> str:
    return content if isinstance(content, str) else "\n".join(part["text"] for part in content)


def parse_chat_request(raw: bytes, content_type: str) -> ChatRequest:
    body = json_object(raw, content_type)
    checked, tool_turns, passthrough = body, {}, {}
    # lawbot-pro with an upstream LLM relays the caller's tools (chat.api.chat_tools); without
    # one, and for lawbot-lite's answers, the model refuses them naming the field.
    if upstream_configured():
        checked, tool_turns = tool_messages_taken(checked)
    if isinstance(body.get("model"), str) and upstream_serves(body["model"]):
        checked, passthrough = passthrough_taken(checked)
    request = validated(ChatCompletionRequest, checked)
    turns = [Turn(role=m["role"], content=_text(m["content"])) for m in request.messages]
    for index, turn in tool_turns.items():
        turns[index] = turn
    limits = [n for n in (request.max_completion_tokens, request.max_tokens) if n is not None]
    stops = [request.stop] if isinstance(request.stop, str) else request.stop or []
    return ChatRequest(
        model=request.model,
        messages=turns,
        stream=bool(request.stream),
        include_usage=(request.stream_options or {}).get("include_usage", False),
        max_tokens=min(limits) if limits else None,
        stop=[s for s in stops if s],
        sampling={k: v for k, v in body.items() if k in PASSED_THROUGH and v is not None},
        store=bool(request.store),
        metadata=request.metadata or {},
        passthrough=passthrough,
        content_parts={
            i: [{"type": "text", "text": p["text"]} for p in m["content"]]
            for i, m in enumerate(request.messages)
            if isinstance(m["content"], list)
        },
    )
