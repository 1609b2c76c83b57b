"""The Responses API on the wire: one answer from the pipeline as OpenAI's `response` object, or
as the typed events of its stream (each `event: <type>` with a `sequence_number`); citations are
`url_citation` annotations on the output text, plus the `citations` list."""

import asyncio
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.db import DatabaseError

from chat.answering.catalogue import model_exists, upstream_serves
from chat.answering.errors import AnswerError
from chat.answering.pipeline import AnswerOptions, PreparedAnswer, answer_aprepare, engine_open
from chat.answering.stopping import Finish, ToolCallDelta
from chat.answering.turns import Turn
from chat.api.completion_wire import answer_deltas, model_not_found
from chat.api.errors import ApiError, api_error, internal_error, invalid
from chat.api.request_record import RequestRecord
from chat.api.responses_items import input_turns
from chat.api.responses_request import ResponsesRequest
from chat.history import (
    StoredAnswer,
    StoredInput,
    answer_find,
    api_answer_store,
    conversation_find,
    history_turns,
)
from chat.models import Conversation, Message
from chat.sse import frame
from laws.index import IndexMissing
from laws.text import count_tokens

PREFIX = "resp_"
MARKER = re.compile(r"\[(\d{1,3})\]")
SAMPLING = (
    "temperature",
    "top_p",
    "user",
    "safety_identifier",
    "prompt_cache_key",
    "service_tier",
    "parallel_tool_calls",
)
logger = logging.getLogger(__name__)


def response_not_found(response_id: str, param: str = "response_id") -> ApiError:
    # The same for an id that never existed and for another user's: nothing is confirmed.
    return ApiError(
        404,
        f"No response found with id '{response_id[:100]}'.",
        code="not_found",
        param=param,
    )


def url_annotations(text: str, citations: list[dict]) -> list[dict]:
    """A url_citation for each [n] marker in the text that numbers one of the citations."""
    annotations = []
    for match in MARKER.finditer(text):
        number = int(match.group(1))
        if 1 <= number <= len(citations):
            cited = citations[number - 1]
            annotations.append(
                {
                    "type": "url_citation",
                    "start_index": match.start(),
                    "end_index": match.end(),
                    "url": cited["url"],
                    "title": cited["title"],
                }
            )
    return annotations


def passthrough(request: ResponsesRequest) -> dict:
    """response_format and tools in Chat Completions terms, for an upstream LLM; without one
    (or for lawbot-lite), the 400 naming the field."""
    sent: dict = {}
    if request.format_type != "text":
        fmt = request.text.format
        if fmt.type == "json_schema":
            schema = {"name": fmt.name, "schema": fmt.schema_}
            if fmt.strict is not None:
                schema["strict"] = fmt.strict
            if fmt.description is not None:
                schema["description"] = fmt.description
            sent["response_format"] = {"type": "json_schema", "json_schema": schema}
        else:
            sent["response_format"] = {"type": "json_object"}
    if request.tools:
        sent["tools"] = [
            {
                "type": "function",
                "function": tool.model_dump(exclude={"type"}, exclude_none=True),
            }
            for tool in request.tools
        ]
    choice = request.tool_choice
    if choice is not None and (choice not in ("auto", "none") or "tools" in sent):
        sent["tool_choice"] = (
            choice
            if isinstance(choice, str)
            else {"type": "function", "function": {"name": choice.name}}
        )
    if sent and not upstream_serves(request.model):
        name = next(iter(sent))
        param = {"response_format": "text.format"}.get(name, name)
        raise invalid(
            f"'{param}' is not supported by Lawbot without an upstream LLM (lawbot-pro with "
            "LAWBOT_LLM_BASE_URL).",
            param=param,
            code="unsupported_parameter",
        )
    return sent


@dataclass
class ResponseRun:
    """One response in the making: what the engines need and what the wire shows."""

    request: ResponsesRequest
    prepared: PreparedAnswer
    record: RequestRecord
    inputs: list[StoredInput]
    id: str = field(default_factory=lambda: PREFIX + secrets.token_hex(24))
    item_id: str = field(default_factory=lambda: "msg_" + secrets.token_hex(24))
    created_at: int = field(default_factory=lambda: int(time.time()))
    deltas: AsyncIterator[str] | None = None
    finish: Finish = field(default_factory=Finish)
    conversation: Conversation | None = None
    previous: Message | None = None
    sequence: int = 0
    status: str = "in_progress"
    error: dict | None = None

    @property
    def citations(self) -> list[dict]:
        return self.prepared.citations

    @property
    def store(self) -> bool:
        return self.request.store is not False

    def wire(self) -> dict:
        request = self.request
        record = self.record
        return {
            "created_at": self.created_at,
            "completed_at": int(time.time()) if self.status != "in_progress" else None,
            "status": self.status,
            "item_id": self.item_id,
            "finish_reason": self.finish.reason,
            "usage": {
                "input_tokens": record.prompt_tokens,
                "output_tokens": record.completion_tokens,
            },
            "instructions": request.instructions,
            "max_output_tokens": request.max_output_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "previous_response_id": request.previous_response_id,
            "conversation_id": self.conversation.public_id if self.conversation else None,
            "store": self.store,
            "text": request.text.model_dump(by_alias=True) if request.text else None,
            "tools": [t.model_dump(exclude_none=True) for t in request.tools or ()],
            "tool_choice": request.tool_choice
            if isinstance(request.tool_choice, str | None)
            else request.tool_choice.model_dump(),
            "parallel_tool_calls": request.parallel_tool_calls,
            "truncation": request.truncation,
            "user": request.user,
            "tool_calls": self.finish.tool_calls,
            "error": self.error,
            "request_id": record.request_id,
        }

    def answer(self, text: str) -> StoredAnswer:
        return StoredAnswer(
            public_id=self.id,
            content=text,
            model=self.request.model,
            status={
                "completed": Message.Status.COMPLETE,
                "incomplete": Message.Status.INTERRUPTED,
                "failed": Message.Status.ERROR,
            }.get(self.status, Message.Status.INTERRUPTED),
            citations=self.citations,
            metadata=self.request.metadata or {},
            wire=self.wire(),
            error=(self.error or {}).get("message", ""),
        )

    def event(self, kind: str, **data) -> bytes:
        payload = {"type": kind, **data, "sequence_number": self.sequence}
        self.sequence += 1
        return frame(kind, payload)


def output_message(item_id: str, text: str, citations: list[dict], status: str) -> dict:
    return {
        "type": "message",
        "id": item_id,
        "status": status,
        "role": "assistant",
        "content": [
            {
                "type": "output_text",
                "text": text,
                "annotations": url_annotations(text, citations),
                "logprobs": [],
            }
        ],
    }


def function_call_item(call: dict, index: int) -> dict:
    return {
        "type": "function_call",
        "id": f"fc_{call.get('id') or index}",
        "call_id": call.get("id") or f"call_{index}",
        "name": call["function"]["name"],
        "arguments": call["function"]["arguments"],
        "status": "completed",
    }


def response_json(stored) -> dict:
    """The `response` object of a stored answer (a Message) or of one just made (StoredAnswer)."""
    wire = stored.wire
    status = wire.get("status", "completed")
    output = []
    if stored.content or not wire.get("tool_calls"):
        item_status = "completed" if status == "completed" else "incomplete"
        output.append(
            output_message(wire["item_id"], stored.content, stored.citations, item_status)
        )
    output += [function_call_item(call, i) for i, call in enumerate(wire.get("tool_calls") or ())]
    usage = wire.get("usage") or {"input_tokens": 0, "output_tokens": 0}
    text_config = wire.get("text") or {"format": {"type": "text"}}
    text_config.setdefault("verbosity", "medium")
    if text_config.get("format") is None:
        text_config["format"] = {"type": "text"}
    conversation = wire.get("conversation_id")
    return {
        "id": stored.public_id,
        "object": "response",
        "created_at": wire.get("created_at"),
        "status": status,
        "completed_at": wire.get("completed_at"),
        "background": False,
        "error": wire.get("error"),
        "incomplete_details": {"reason": "max_output_tokens"}
        if status == "incomplete" and wire.get("finish_reason") == "length"
        else None,
        "instructions": wire.get("instructions"),
        "max_output_tokens": wire.get("max_output_tokens"),
        "max_tool_calls": None,
        "model": stored.model,
        "output": output,
        "parallel_tool_calls": wire.get("parallel_tool_calls") is not False,
        "previous_response_id": wire.get("previous_response_id"),
        "conversation": {"id": conversation} if conversation else None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": wire.get("store", True),
        "temperature": wire.get("temperature") if wire.get("temperature") is not None else 1.0,
        "text": text_config,
        "tool_choice": wire.get("tool_choice") or "auto",
        "tools": [{"type": "function", **tool} for tool in wire.get("tools") or ()],
        "top_p": wire.get("top_p") if wire.get("top_p") is not None else 1.0,
        "truncation": wire.get("truncation") or "disabled",
        "usage": {
            "input_tokens": usage["input_tokens"],
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": usage["output_tokens"],
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": usage["input_tokens"] + usage["output_tokens"],
        },
        "user": wire.get("user"),
        "metadata": stored.metadata or {},
        "citations": stored.citations,
    }


async def _history(request: ResponsesRequest, owner_id: int):
    """The stored answer or conversation the request continues, and its turns so far."""
    if request.previous_response_id:
        previous = await sync_to_async(answer_find)(
            owner_id=owner_id, public_id=request.previous_response_id, prefix=PREFIX
        )
        if previous is None:
            raise response_not_found(request.previous_response_id, "previous_response_id")
        turns = await sync_to_async(history_turns)(previous.conversation, up_to=previous)
        return None, previous, turns
    if request.conversation_id:
        conversation = await sync_to_async(conversation_find)(
            owner_id=owner_id, public_id=request.conversation_id
        )
        if conversation is None:
            raise ApiError(
                404,
                f"No conversation found with id '{request.conversation_id[:100]}'.",
                code="not_found",
                param="conversation",
            )
        return conversation, None, await sync_to_async(history_turns)(conversation)
    return None, None, []


async def response_start(request: ResponsesRequest, record: RequestRecord) -> ResponseRun:
    """Prepares the answer and starts its engine: everything that can fail before a byte."""
    if not model_exists(request.model):
        raise model_not_found(request.model)
    sent = passthrough(request)
    conversation, previous, history = await _history(request, record.api_key.user_id)
    turns, inputs = input_turns(request)
    if request.instructions:
        turns.insert(0, Turn("system", request.instructions))
    turns = history + turns
    if not any(t.role == "user" for t in turns):
        raise invalid("'input' must contain a message with role 'user'.", param="input")
    record.model = request.model
    record.question = next((t.content for t in reversed(turns) if t.role == "user"), "")
    record.prompt_tokens = sum(count_tokens(t.content) for t in turns)
    try:
        prepared = await answer_aprepare(turns=turns, model=request.model)
    except IndexMissing as exc:
        raise ApiError(
            503,
            "The law index is not built yet; the operator must run import_laws.",
            code="index_unavailable",
        ) from exc
    run = ResponseRun(
        request, prepared, record, inputs, conversation=conversation, previous=previous
    )
    options = AnswerOptions(
        sampling={k: getattr(request, k) for k in SAMPLING if getattr(request, k) is not None},
        max_tokens=request.max_output_tokens,
        paced=bool(request.stream),
        tool_deltas=bool(request.stream),
        passthrough=sent,
    )
    try:
        run.deltas = await engine_open(prepared, options, run.finish)
    except AnswerError as error:
        raise api_error(error) from error
    return run


async def _store(run: ResponseRun, text: str) -> None:
    """Keeps the response for the key's owner (unless `store: false`); the answer was served, so
    a database failure here is logged, not raised."""
    if not run.store:
        return
    try:
        await asyncio.shield(
            sync_to_async(api_answer_store)(
                api_key=run.record.api_key,
                inputs=run.inputs,
                answer=run.answer(text),
                question=run.prepared.question,
                conversation=run.conversation,
                previous=run.previous,
            )
        )
    except DatabaseError:
        logger.warning("response %s could not be stored", run.id)


def _ended(run: ResponseRun) -> None:
    run.status = "incomplete" if run.finish.reason == "length" else "completed"


async def response_complete(run: ResponseRun) -> dict:
    try:
        text = "".join([piece async for piece in answer_deltas(run) if isinstance(piece, str)])
    except AnswerError as error:
        raise api_error(error) from error
    _ended(run)
    await _store(run, text)
    return response_json(run.answer(text))


async def response_events(run: ResponseRun) -> AsyncIterator[bytes]:
    """The SSE body of a streamed response; the request log is written however it ends."""
    record = run.record
    pieces: list[str] = []
    started = run.answer("")
    started.wire["status"] = "in_progress"
    try:
        yield run.event("response.created", response=response_json(started) | {"output": []})
        yield run.event("response.in_progress", response=response_json(started) | {"output": []})
        item = output_message(run.item_id, "", [], "in_progress") | {"content": []}
        yield run.event("response.output_item.added", output_index=0, item=item)
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        where = {"item_id": run.item_id, "output_index": 0, "content_index": 0}
        yield run.event("response.content_part.added", **where, part=part)
        # Each tool call is an output item of its own, after the message (output_index 0),
        # opened when its first piece arrives and given its arguments piece by piece.
        opened: dict[int, dict] = {}  # the call's index → where its events go
        async with aclosing(answer_deltas(run)) as deltas:
            async for piece in deltas:
                if isinstance(piece, ToolCallDelta):
                    if piece.index not in opened:
                        call = {"id": piece.id, "function": {"name": piece.name, "arguments": ""}}
                        call_item = function_call_item(call, piece.index)
                        index = len(opened) + 1
                        opened[piece.index] = {"item_id": call_item["id"], "output_index": index}
                        yield run.event(
                            "response.output_item.added",
                            output_index=index,
                            item=call_item | {"status": "in_progress"},
                        )
                    if piece.arguments:
                        yield run.event(
                            "response.function_call_arguments.delta",
                            **opened[piece.index],
                            delta=piece.arguments,
                        )
                    continue
                pieces.append(piece)
                yield run.event("response.output_text.delta", **where, delta=piece, logprobs=[])
        _ended(run)
        text = "".join(pieces)
        done = output_message(run.item_id, text, run.citations, "completed")
        for index, annotation in enumerate(done["content"][0]["annotations"]):
            yield run.event(
                "response.output_text.annotation.added",
                **where,
                annotation_index=index,
                annotation=annotation,
            )
        yield run.event("response.output_text.done", **where, text=text, logprobs=[])
        yield run.event("response.content_part.done", **where, part=done["content"][0])
        yield run.event("response.output_item.done", output_index=0, item=done)
        for number, call in enumerate(run.finish.tool_calls):
            call_item = function_call_item(call, number)
            call_where = opened.get(number)
            if call_where is None:  # never relayed in pieces (its name never came): whole
                index = len(opened) + 1
                call_where = opened[number] = {"item_id": call_item["id"], "output_index": index}
                yield run.event(
                    "response.output_item.added",
                    output_index=index,
                    item=call_item | {"status": "in_progress", "arguments": ""},
                )
                yield run.event(
                    "response.function_call_arguments.delta",
                    **call_where,
                    delta=call_item["arguments"],
                )
            index = call_where["output_index"]
            yield run.event(
                "response.function_call_arguments.done",
                **call_where,
                name=call_item["name"],
                arguments=call_item["arguments"],
            )
            yield run.event("response.output_item.done", output_index=index, item=call_item)
        final = run.answer(text)
        await _store(run, text)
        kind = "response.incomplete" if run.status == "incomplete" else "response.completed"
        yield run.event(kind, response=response_json(final))
    except (asyncio.CancelledError, GeneratorExit):
        record.client_closed = True
        run.status = "incomplete"
        await _store(run, "".join(pieces))
        raise
    except Exception as failure:
        if isinstance(failure, AnswerError):
            error = api_error(failure)
        else:
            logger.exception("stream %s failed", record.request_id)
            error = internal_error()
        record.fail(error)
        run.status = "failed"
        # OpenAI's response.error.code is one of a fixed few; Lawbot's own code is in `error`.
        code = "rate_limit_exceeded" if error.status == 429 else "server_error"
        run.error = {"code": code, "message": error.message}
        yield run.event("error", code=error.code, message=error.message, param=error.param)
        failed = run.answer("".join(pieces))
        await _store(run, "".join(pieces))
        yield run.event("response.failed", response=response_json(failed))
    finally:
        await asyncio.shield(record.save())
