"""A response's input items: the request's `input` as turns for the pipeline and as the items
stored with the response, and a stored item as GET /responses/{id}/input_items lists it (OpenAI's
ItemResource shapes: `message`, `function_call`, `function_call_output`).

Each item is stored as a Message (its text, for the chat page and the history) whose `wire` holds
the item as listed, so that what was stored is what is listed. Ids are always new (msg_, fc_,
fco_): a client resending an earlier response's output items sends their ids again."""

import secrets

from django.http import HttpRequest

from chat.answering.turns import Turn
from chat.api.errors import invalid
from chat.api.responses_request import (
    FunctionCallItem,
    FunctionCallOutputItem,
    InputText,
    MessageItem,
    ResponsesRequest,
)
from chat.history import StoredInput
from chat.models import Message

# OpenAI's IncludeEnum: extra data of item kinds Lawbot never has (images, search results,
# reasoning), so asking for it changes nothing in the list, as at OpenAI.
INCLUDABLE = frozenset(
    {
        "file_search_call.results",
        "web_search_call.results",
        "web_search_call.action.sources",
        "message.input_image.image_url",
        "computer_call_output.output.image_url",
        "code_interpreter_call.outputs",
        "reasoning.encrypted_content",
        "message.output_text.logprobs",
    }
)


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _parts(item: MessageItem) -> list[dict]:
    """The content as OpenAI lists it: an answer's as output parts (with the annotations it was
    sent with), the others' as input text."""
    given = (
        [InputText(type="input_text", text=item.content)]
        if isinstance(item.content, str)
        else item.content
    )
    parts = []
    for part in given:
        text = part.refusal if part.type == "refusal" else part.text
        if item.role != "assistant":
            parts.append({"type": "input_text", "text": text})
        elif part.type == "refusal":
            parts.append({"type": "refusal", "refusal": text})
        else:
            parts.append(
                {
                    "type": "output_text",
                    "text": text,
                    "annotations": list(getattr(part, "annotations", None) or []),
                    "logprobs": list(getattr(part, "logprobs", None) or []),
                }
            )
    return parts


def _text(parts: list[dict]) -> str:
    return "\n".join(p.get("text", p.get("refusal", "")) for p in parts)


def input_turns(request: ResponsesRequest) -> tuple[list[Turn], list[StoredInput]]:
    """The request's input as turns for the pipeline, and the items to store with the answer."""
    if isinstance(request.input, str):
        items: list = [MessageItem(role="user", content=request.input)]
    else:
        items = list(request.input)
    turns: list[Turn] = []
    stored: list[StoredInput] = []
    for item in items:
        if isinstance(item, MessageItem):
            parts = _parts(item)
            shown = {
                "type": "message",
                "status": item.status or "completed",
                "role": item.role,
                "content": parts,
            }
            turns.append(Turn(item.role, _text(parts)))
            stored.append(StoredInput(item.role, _text(parts), _new_id("msg_"), {"item": shown}))
        elif isinstance(item, FunctionCallItem):
            call = {
                "id": item.call_id,
                "type": "function",
                "function": {"name": item.name, "arguments": item.arguments},
            }
            # Consecutive calls are one assistant turn (an upstream LLM wants them together).
            if turns and turns[-1].role == "assistant" and turns[-1].tool_calls:
                turns[-1] = Turn("assistant", turns[-1].content, (*turns[-1].tool_calls, call))
            else:
                turns.append(Turn("assistant", "", (call,)))
            shown = {
                "type": "function_call",
                "call_id": item.call_id,
                "name": item.name,
                "arguments": item.arguments,
                "status": item.status or "completed",
            }
            wire = {"item": shown, "tool_calls": [call]}
            stored.append(StoredInput("assistant", "", _new_id("fc_"), wire))
        elif isinstance(item, FunctionCallOutputItem):
            turns.append(Turn("tool", item.output, tool_call_id=item.call_id))
            shown = {
                "type": "function_call_output",
                "call_id": item.call_id,
                "output": item.output,
                "status": item.status or "completed",
            }
            wire = {"item": shown, "tool_call_id": item.call_id}
            stored.append(StoredInput("tool", item.output, _new_id("fco_"), wire))
    return turns, stored


def input_item_json(message: Message) -> dict:
    """A stored input item as listed; a message stored before items kept their shape (text
    only) is listed as one text part."""
    item = message.wire.get("item") if isinstance(message.wire, dict) else None
    if item:
        return {"id": message.public_id, **item}
    if message.role == Message.Role.ASSISTANT:
        part = {"type": "output_text", "text": message.content, "annotations": [], "logprobs": []}
    else:
        part = {"type": "input_text", "text": message.content}
    return {
        "type": "message",
        "id": message.public_id,
        "status": "completed",
        "role": message.role,
        "content": [part],
    }


def include_check(request: HttpRequest) -> None:
    """`include` (the SDKs send `include[]=…`): OpenAI's values are accepted, others a 400."""
    values = request.GET.getlist("include") + request.GET.getlist("include[]")
    if len(values) > len(INCLUDABLE):
        raise invalid(f"'include' may hold at most {len(INCLUDABLE)} values.", param="include")
    for value in values:
        if value not in INCLUDABLE:
            raise invalid(
                f"Invalid value for 'include': '{value[:100]}' is not one of "
                f"{', '.join(sorted(INCLUDABLE))}.",
                param="include",
            )
