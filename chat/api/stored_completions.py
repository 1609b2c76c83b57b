"""Stored chat completions (`store: true`) on the wire: OpenAI's GET/POST/DELETE
/chat/completions[/{id}[/messages]] shapes, over chat.history."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.db import DatabaseError

from chat.api.errors import ApiError, invalid
from chat.api.metadata import metadata_check
from chat.history import StoredAnswer, StoredInput, answer_find, api_answer_store
from chat.models import Message

PREFIX = "chatcmpl-"
logger = logging.getLogger(__name__)


def completion_not_found(completion_id: str) -> ApiError:
    # The same for an id that never existed and for another user's: nothing is confirmed.
    return ApiError(
        404,
        f"No chat completion found with id '{completion_id[:100]}'.",
        code="not_found",
        param="completion_id",
    )


def _input_wire(turn, parts: list[dict] | None) -> dict:
    """What a stored message keeps beyond its text: the parts it was sent as (listed as
    `content_parts`), and for tool messages what a conversation continued over the Responses
    API needs (history_turns)."""
    wire: dict = {"content_parts": parts} if parts else {}
    if turn.tool_calls:
        wire["tool_calls"] = list(turn.tool_calls)
    if turn.role == "tool":
        wire["tool_call_id"] = turn.tool_call_id
    return wire


async def completion_store(completion, *, text: str, status: str) -> None:
    """Keeps a finished (or cut short) completion for the key's owner; the answer was served,
    so a database failure here is logged, not raised."""
    request = completion.request
    inputs = [
        StoredInput(
            role=m.role,
            content=m.content,
            public_id=f"{completion.id}-{i}",
            # What a conversation continued over the Responses API needs of tool messages.
            wire=_input_wire(m, request.content_parts.get(i)),
        )
        for i, m in enumerate(request.messages)
    ]
    answer = StoredAnswer(
        public_id=completion.id,
        content=text,
        model=request.model,
        status=status,
        citations=completion.citations,
        metadata=request.metadata,
        wire={
            "created": completion.created,
            "finish_reason": completion.finish.reason,
            "usage": completion.usage(),
            "tool_calls": completion.finish.tool_calls or None,
            "request_id": completion.record.request_id,
        },
    )
    try:
        await asyncio.shield(
            sync_to_async(api_answer_store)(
                api_key=completion.record.api_key,
                inputs=inputs,
                answer=answer,
                question=request.question,
            )
        )
    except DatabaseError:
        logger.warning("completion %s could not be stored", completion.id)


def stored_completion_json(message: Message) -> dict:
    wire = message.wire
    reply = {"role": "assistant", "content": message.content, "refusal": None}
    if wire.get("tool_calls"):
        reply["tool_calls"] = wire["tool_calls"]
        reply["content"] = message.content or None
    return {
        "id": message.public_id,
        "object": "chat.completion",
        "created": wire.get("created", int(message.created.timestamp())),
        "model": message.model,
        "system_fingerprint": "fp_lawbot_1",
        "choices": [
            {
                "index": 0,
                "message": reply,
                "finish_reason": wire.get("finish_reason", "stop"),
                "logprobs": None,
            }
        ],
        "usage": wire.get("usage")
        or {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "metadata": message.metadata,
        "citations": message.citations,
        "request_id": wire.get("request_id"),
    }


def stored_message_json(message: Message) -> dict:
    shown = {
        "id": message.public_id,
        "role": message.role,
        "content": message.content,
        "name": None,
        "content_parts": message.wire.get("content_parts"),
    }
    if message.wire.get("tool_calls"):  # an earlier answer's calls, as it was sent
        shown["tool_calls"] = message.wire["tool_calls"]
        shown["content"] = message.content or None
    return shown


def metadata_update(body) -> dict[str, str]:
    """The body of POST /chat/completions/{id}: {"metadata": {...}} (null clears it)."""
    if not isinstance(body, dict):
        raise invalid("The body of your request must be a JSON object.", code="invalid_json")
    for name in body:
        if name != "metadata":
            raise invalid(
                f"Unrecognized request argument supplied: {name[:100]}",
                param=name[:100],
                code="unknown_parameter",
            )
    if "metadata" not in body:
        raise invalid(
            "Missing required parameter: 'metadata'.",
            param="metadata",
            code="missing_required_parameter",
        )
    return metadata_check(body["metadata"])


async def stored_completion(owner_id: int, completion_id: str) -> Message:
    message = await sync_to_async(answer_find)(
        owner_id=owner_id, public_id=completion_id, prefix=PREFIX
    )
    if message is None:
        raise completion_not_found(completion_id)
    return message
