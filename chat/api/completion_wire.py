"""Chat Completions on the wire: one answer from the pipeline as the OpenAI completion object or
as the chunks of its stream; the request record is completed however it ends."""

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field

from chat.answering.catalogue import model_exists
from chat.answering.errors import AnswerError
from chat.answering.pipeline import AnswerOptions, PreparedAnswer, answer_aprepare, engine_open
from chat.answering.stopping import Finish, ToolCallDelta
from chat.api.chat_request import ChatRequest
from chat.api.errors import ApiError, api_error, internal_error
from chat.api.request_record import RequestRecord
from chat.api.stored_completions import completion_store
from chat.models import Message
from chat.sse import LINE_BREAKS, sse
from laws.index import IndexMissing
from laws.text import count_tokens

SYSTEM_FINGERPRINT = "fp_lawbot_1"
logger = logging.getLogger(__name__)


def model_not_found(model: str) -> ApiError:
    return ApiError(
        404, f"The model '{model}' does not exist.", code="model_not_found", param="model"
    )


@dataclass
class Completion:
    """One answer in the making: the request, the prepared answer, and the chunk identity."""

    request: ChatRequest
    prepared: PreparedAnswer
    record: RequestRecord
    id: str
    created: int
    deltas: AsyncIterator[str] | None = None  # the engine, started
    finish: Finish = field(default_factory=Finish)
    _content_frame: tuple[bytes, bytes] | None = None  # content_sse's bytes around the text

    @property
    def citations(self) -> list[dict]:
        return self.prepared.citations

    def usage(self) -> dict:
        prompt = self.record.prompt_tokens
        completion = self.record.completion_tokens
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def chunk(self, delta: dict, finish_reason: str | None = None, **extra) -> dict:
        chunk = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.request.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
        if self.request.include_usage:
            chunk["usage"] = None
        chunk.update(extra)
        return chunk

    def content_sse(self, text: str) -> bytes:
        """sse(self.chunk({"content": text})), encoding only the text: the rest of a content
        chunk is the same for every piece (6 µs of a chunk's 7.5 µs was re-encoding it)."""
        if self._content_frame is None:
            mark = "\ufffe"  # a noncharacter: never in the id, the model or the fingerprint
            before, after = sse(self.chunk({"content": mark})).split(
                json.dumps(mark, ensure_ascii=False).encode()
            )
            self._content_frame = (before, after)
        data = json.dumps(text, ensure_ascii=False)
        if "\x85" in data or "\u2028" in data or "\u2029" in data:
            data = data.translate(LINE_BREAKS)
        before, after = self._content_frame
        return before + data.encode() + after


async def completion_start(request: ChatRequest, record: RequestRecord) -> Completion:
    """Prepares the answer and starts its engine: everything that can fail before a byte."""
    if not model_exists(request.model):
        raise model_not_found(request.model)
    record.model = request.model
    record.question = request.question
    record.prompt_tokens = sum(count_tokens(m.content) for m in request.messages)
    try:
        # The log row first (on record from here on, even if the server dies), in the same trip
        # to the database thread as the answer's preparation.
        prepared = await answer_aprepare(
            turns=request.messages, model=request.model, first=record.open_row
        )
    except IndexMissing as exc:
        raise ApiError(
            503,
            "The law index is not built yet; the operator must run import_laws.",
            code="index_unavailable",
        ) from exc
    finally:
        await record.opened()
    completion = Completion(
        request, prepared, record, "chatcmpl-" + secrets.token_hex(12), int(time.time())
    )
    options = AnswerOptions(
        passthrough=request.passthrough,
        sampling=request.sampling,
        stop=request.stop,
        max_tokens=request.max_tokens,
        paced=request.stream,
        tool_deltas=request.stream,
    )
    # Started here, before the response: an upstream that refuses gets a proper HTTP error.
    try:
        completion.deltas = await engine_open(prepared, options, completion.finish)
    except AnswerError as error:
        raise api_error(error) from error
    return completion


async def answer_deltas(completion: Completion) -> AsyncIterator[str | ToolCallDelta]:
    """The answer text in pieces (cut by `stop` and the token limit), recorded as it goes; and
    when the engine was asked for them, an upstream's tool-call pieces among them."""
    finish = completion.finish
    pieces: list[str] = []
    record = completion.record
    try:
        async with aclosing(completion.deltas) as deltas:
            async for piece in deltas:
                record.mark_first_token()
                if isinstance(piece, str):
                    pieces.append(piece)
                yield piece
    finally:
        record.answer = "".join(pieces)
        record.completion_tokens = count_tokens(record.answer)
        if finish.usage:  # the upstream's own counts, when an LLM answered
            record.prompt_tokens = finish.usage["prompt_tokens"]
            record.completion_tokens = finish.usage["completion_tokens"]
        record.finish_reason = finish.reason
        record.unverified_citations = finish.unverified


def _message(text: str, tool_calls: list[dict]) -> dict:
    message = {"role": "assistant", "content": text, "refusal": None}
    if tool_calls:  # an upstream LLM called the caller's functions
        message["content"] = text or None
        message["tool_calls"] = tool_calls
    return message


async def completion_json(completion: Completion) -> dict:
    try:
        text = "".join([piece async for piece in answer_deltas(completion)])
    except AnswerError as error:
        raise api_error(error) from error
    answer = {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": completion.request.model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": [
            {
                "index": 0,
                "message": _message(text, completion.finish.tool_calls),
                "finish_reason": completion.finish.reason,
                "logprobs": None,
            }
        ],
        "usage": completion.usage(),
        "citations": completion.citations,
    }
    if completion.request.store:
        await completion_store(completion, text=text, status=Message.Status.COMPLETE)
        answer["metadata"] = completion.request.metadata
    return answer


async def completion_events(completion: Completion) -> AsyncIterator[bytes]:
    """The SSE body of a streamed answer; the request log is written however it ends."""
    record = completion.record
    try:
        yield sse(completion.chunk({"role": "assistant", "content": ""}))
        relayed: set[int] = set()  # the tool calls whose pieces were relayed as they came
        async with aclosing(answer_deltas(completion)) as deltas:  # the answer is recorded first
            async for piece in deltas:
                if isinstance(piece, ToolCallDelta):
                    relayed.add(piece.index)
                    yield sse(completion.chunk({"tool_calls": [piece.chat_delta()]}))
                else:
                    yield completion.content_sse(piece)
        calls = [
            {"index": i, **call}
            for i, call in enumerate(completion.finish.tool_calls)
            if i not in relayed
        ]
        if calls:
            # A call never relayed in pieces (its name never came): whole, once the stream has
            # ended (the SDKs accumulate deltas by index, so one delta per call is valid).
            yield sse(completion.chunk({"tool_calls": calls}))
        yield sse(completion.chunk({}, completion.finish.reason, citations=completion.citations))
        if completion.request.include_usage:
            yield sse({**completion.chunk({}), "choices": [], "usage": completion.usage()})
        yield sse("[DONE]")
    except (asyncio.CancelledError, GeneratorExit):
        # GeneratorExit: the server closed the stream early, because the client went away
        # while a chunk was being sent rather than awaited.
        record.client_closed = True
        raise
    except AnswerError as failure:
        error = api_error(failure)
        record.fail(error)
        yield sse(error.body())
        yield sse("[DONE]")
    except Exception:
        logger.exception("stream %s failed", record.request_id)
        error = internal_error()
        record.fail(error)
        yield sse(error.body())
        yield sse("[DONE]")
    finally:
        if completion.request.store:
            status = Message.Status.COMPLETE
            if record.client_closed:
                status = Message.Status.INTERRUPTED
            elif record.error:
                status = Message.Status.ERROR
            await completion_store(completion, text=record.answer, status=status)
        await asyncio.shield(record.save())
