"""A Responses API request (POST /responses), validated by one pydantic model: the same model is
the OpenAPI schema of the request (chat.api.openapi), so that the two cannot disagree.

Fields OpenAI has and Lawbot does not serve (reasoning, background, image input, built-in
tools…) get 400 `unsupported_parameter` naming the field, before the model validates the rest."""

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
)

from chat.api.contract import json_object
from chat.api.errors import ApiError, invalid
from chat.api.metadata import MAX_KEY, MAX_PAIRS, MAX_VALUE

# Accepted only as null (or, for these, the harmless value): anything else is not served.
UNSUPPORTED = {
    "reasoning": "Reasoning",
    "background": "Background mode",
    "background_options": "Background mode",
    "prompt": "A stored prompt",
    "top_logprobs": "'top_logprobs'",
    "context_management": "Context management",
    "moderation": "Moderation",
    "image": "Image generation",
    "prompt_cache_options": "'prompt_cache_options'",
    "prompt_cache_retention": "'prompt_cache_retention'",
    "access_programs": "'access_programs'",
}
HARMLESS = {"background": (False,)}
ITEM_TYPES = {"message", "function_call", "function_call_output"}
PART_TYPES = {"input_text", "output_text", "refusal"}
INPUT_LIMIT = 1000


def _whole(value: Any) -> Any:
    # JSON Schema (and so the published schema) counts 5.0 as an integer, as chat completions do.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[int, Field(ge=1), BeforeValidator(_whole)]


class Strict(BaseModel):
    # strict: JSON types exactly (no "5" for 5, no 1 for true), as the OpenAPI schema says.
    model_config = ConfigDict(extra="forbid", strict=True)


class InputText(Strict):
    type: Literal["input_text"]
    text: str


# An annotation's fields are all scalars (url_citation, file_citation…), and so are those of the
# logprobs Lawbot sends (none: it has no `include`); kept flat so that the schema's generators do
# not recurse into arbitrary JSON this deep in the input.
Annotation = dict[str, str | int | float | bool | None]


class OutputText(Strict):
    """An earlier answer's text, as the SDKs send it back (with its annotations)."""

    type: Literal["output_text"]
    text: str
    annotations: list[Annotation] | None = None
    logprobs: list[Annotation] | None = None


class Refusal(Strict):
    type: Literal["refusal"]
    refusal: str


Part = Annotated[InputText | OutputText | Refusal, Field(discriminator="type")]
ItemStatus = Literal["in_progress", "completed", "incomplete"]


class MessageItem(Strict):
    """A message: the user's, the instructions (system, developer), or an earlier answer."""

    type: Literal["message"] = "message"
    role: Literal["user", "assistant", "system", "developer"]
    content: str | Annotated[list[Part], Field(min_length=1, max_length=1000)]
    id: str | None = None
    status: ItemStatus | None = None
    phase: Literal["commentary", "final_answer"] | None = None


class FunctionCallItem(Strict):
    """An earlier answer's call of one of the caller's functions."""

    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: str | None = None
    status: ItemStatus | None = None


class FunctionCallOutputItem(Strict):
    """The result of a function call, for the model to go on from."""

    type: Literal["function_call_output"]
    call_id: str
    output: str
    id: str | None = None
    status: ItemStatus | None = None


def _item_type(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("type", "message")
    return getattr(value, "type", "message")


InputItem = Annotated[
    Annotated[MessageItem, Tag("message")]
    | Annotated[FunctionCallItem, Tag("function_call")]
    | Annotated[FunctionCallOutputItem, Tag("function_call_output")],
    Discriminator(_item_type),
]


class FunctionTool(Strict):
    """One of the caller's functions, passed to the upstream LLM (lawbot-pro with one)."""

    type: Literal["function"]
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    parameters: dict[str, Any] | None = None
    strict: bool | None = None
    description: str | None = None


class FunctionChoice(Strict):
    type: Literal["function"]
    name: str


class FormatText(Strict):
    type: Literal["text"]


class FormatJsonObject(Strict):
    type: Literal["json_object"]


class FormatJsonSchema(Strict):
    type: Literal["json_schema"]
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None
    description: str | None = None


class TextConfig(Strict):
    format: (
        Annotated[FormatText | FormatJsonObject | FormatJsonSchema, Field(discriminator="type")]
        | None
    ) = None
    verbosity: Literal["low", "medium", "high"] | None = None


class ConversationRef(Strict):
    id: str


class ResponsesStreamOptions(Strict):
    include_obfuscation: bool | None = None


MetadataKey = Annotated[str, StringConstraints(max_length=MAX_KEY)]
MetadataValue = Annotated[str, StringConstraints(max_length=MAX_VALUE)]


class ResponsesRequest(Strict):
    """A JSON body of at most 1 MiB. Unknown fields get 400 `unknown_parameter`; fields Lawbot
    does not serve get 400 `unsupported_parameter`."""

    model: str = Field(description="`lawbot-pro` or `lawbot-lite`; others get 404.")
    input: (
        Annotated[str, StringConstraints(min_length=1)]
        | Annotated[list[InputItem], Field(min_length=1, max_length=INPUT_LIMIT)]
    ) = Field(description="The question, or a list of input items (the last user message is it).")
    instructions: str | None = Field(
        None, description="A system message for this response only (not carried over)."
    )
    max_output_tokens: Count | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    metadata: Annotated[dict[MetadataKey, MetadataValue], Field(max_length=MAX_PAIRS)] | None = None
    store: bool | None = Field(None, description="Keep the response (default true).")
    stream: bool | None = None
    stream_options: ResponsesStreamOptions | None = None
    previous_response_id: str | None = Field(
        None, description="Continue from this stored response (not with `conversation`)."
    )
    conversation: str | ConversationRef | None = Field(
        None,
        description="Continue this conversation (`conv_…`, shown on the chat page) and add "
        "this response to it.",
    )
    user: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    service_tier: str | None = None
    parallel_tool_calls: bool | None = None
    truncation: Literal["auto", "disabled"] | None = None
    include: Annotated[list[str], Field(max_length=0)] | None = Field(
        None, description="Only empty: no extra output is served."
    )
    text: TextConfig | None = Field(
        None,
        description="`format` json_object / json_schema only with an upstream LLM (lawbot-pro).",
    )
    tools: Annotated[list[FunctionTool], Field(max_length=128)] | None = Field(
        None, description="Function tools, only with an upstream LLM (lawbot-pro)."
    )
    tool_choice: Literal["none", "auto", "required"] | FunctionChoice | None = None
    max_tool_calls: Count | None = None
    reasoning: None = Field(None, description="Not supported.")
    background: Literal[False] | None = Field(None, description="Not supported.")
    background_options: None = Field(None, description="Not supported.")
    prompt: None = Field(None, description="Not supported.")
    top_logprobs: None = Field(None, description="Not supported.")
    context_management: None = Field(None, description="Not supported.")
    moderation: None = Field(None, description="Not supported.")
    image: None = Field(None, description="Not supported.")
    prompt_cache_options: None = Field(None, description="Not supported.")
    prompt_cache_retention: None = Field(None, description="Not supported.")
    access_programs: None = Field(None, description="Not supported.")

    @property
    def conversation_id(self) -> str | None:
        if isinstance(self.conversation, ConversationRef):
            return self.conversation.id
        return self.conversation

    @property
    def format_type(self) -> str:
        return self.text.format.type if self.text and self.text.format else "text"


def _unsupported(param: str, what: str) -> ApiError:
    return invalid(f"{what} is not supported by Lawbot.", param=param, code="unsupported_parameter")


def _check_unsupported(body: dict) -> None:
    for name, what in UNSUPPORTED.items():
        value = body.get(name)
        # `is`: 0 == False, but 0 is not the boolean the field takes.
        if value is not None and not any(value is ok for ok in HARMLESS.get(name, ())):
            raise _unsupported(name, what)
    if isinstance(body.get("include"), list) and body["include"]:
        raise _unsupported("include", "'include'")
    tools = body.get("tools")
    if isinstance(tools, list):
        for i, tool in enumerate(tools):
            kind = tool.get("type") if isinstance(tool, dict) else None
            if isinstance(kind, str) and kind != "function":
                raise _unsupported(f"tools[{i}]", f"The built-in tool '{kind[:50]}'")
    items = body.get("input")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items[:INPUT_LIMIT]):
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message")
        if isinstance(kind, str) and kind not in ITEM_TYPES:
            raise _unsupported(f"input[{i}]", f"An input item of type '{kind[:50]}'")
        content = item.get("content")
        if kind == "message" and isinstance(content, list):
            for j, part in enumerate(content):
                part_type = part.get("type") if isinstance(part, dict) else None
                if isinstance(part_type, str) and part_type not in PART_TYPES:
                    raise _unsupported(
                        f"input[{i}].content[{j}]", f"Content of type '{part_type[:50]}'"
                    )


def _param(loc: tuple) -> str:
    """pydantic's location as OpenAI names a field: input[0].content[1].text."""
    param = ""
    for part in loc:
        if isinstance(part, int):
            param += f"[{part}]"
        elif "[" in part or "-" in part or part in ITEM_TYPES or part in PART_TYPES:
            continue  # a union member's name, not a field
        else:
            param += f".{part}" if param else part
    return param


def _error(exc: ValidationError) -> ApiError:
    errors = exc.errors(include_url=False)
    # A union reports each member's failure: the deepest is the one about the caller's field.
    # On a tie, a member whose type did not even match is the less telling one.
    error = max(errors, key=lambda e: (len(e["loc"]), not e["type"].endswith("_type")))
    if any(e["type"] == "extra_forbidden" and len(e["loc"]) == 1 for e in errors):
        error = next(e for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1)
    param = _param(error["loc"])[:200]
    if error["type"] == "extra_forbidden":
        if "." not in param and "[" not in param:
            return invalid(
                f"Unrecognized request argument supplied: {param}",
                param=param,
                code="unknown_parameter",
            )
        return invalid(f"Unrecognized argument '{param}'.", param=param, code="unknown_parameter")
    if error["type"] == "missing":
        return invalid(
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    return invalid(f"Invalid value for '{param}': {error['msg']}.", param=param or None)


def parse_responses_request(raw: bytes, content_type: str) -> ResponsesRequest:
    body = json_object(raw, content_type)
    _check_unsupported(body)
    try:
        request = ResponsesRequest.model_validate(body)
    except ValidationError as exc:
        raise _error(exc) from None
    if request.previous_response_id and request.conversation_id:
        raise invalid(
            "Give either 'previous_response_id' or 'conversation', not both.",
            param="conversation",
        )
    return request


def request_schemas() -> dict[str, dict]:
    """The request's JSON schemas for the OpenAPI components: ResponsesRequest and its parts."""
    schema = ResponsesRequest.model_json_schema(
        ref_template="#/components/schemas/{model}", by_alias=True
    )
    parts = schema.pop("$defs", {})
    return {"ResponsesRequest": schema, **parts}
