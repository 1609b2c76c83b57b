"""The answer pipeline shared by the API: retrieve → engine deltas → stop/length → chunks."""

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async

from chat.calculators import Calculation, calculate
from chat.calculators.articles import with_calculation_articles
from chat.engines import engine_open, engine_owner
from chat.errors import ApiError, internal_error
from chat.exchange import Exchange
from chat.streaming import Finish, sse
from chat.validation import ChatRequest
from laws.index import IndexMissing
from laws.search import SearchResult, search
from laws.text import count_tokens, is_english

MODELS = {
    "lawbot-pro": "Retrieval over Taiwan's laws + the configured LLM (the built-in composer without one)",
    "lawbot-lite": "Retrieval over Taiwan's laws + the built-in composer: deterministic, quotes articles",
}
MODELS_CREATED = 1732400000
SYSTEM_FINGERPRINT = "fp_lawbot_1"
RETRIEVED = 5
logger = logging.getLogger(__name__)


def model_card(model_id: str) -> dict:
    return {
        "id": model_id,
        "object": "model",
        "created": MODELS_CREATED,
        "owned_by": engine_owner(model_id),
    }


def citation(hit) -> dict:
    article = hit.article
    return {
        "law": article.law.name,
        "pcode": article.law.pcode,
        "article": article.number,
        "title": f"{article.law.name} 第 {article.number} 條",
        "url": article.url,
        "text": article.content,
    }


@dataclass
class Completion:
    """One answer in the making: the request, what retrieval found, and the chunk identity."""

    request: ChatRequest
    result: SearchResult
    exchange: Exchange
    id: str
    created: int
    deltas: AsyncIterator[str] | None = None  # the engine, started
    finish: Finish = field(default_factory=Finish)

    @property
    def citations(self) -> list[dict]:
        return [citation(hit) for hit in self.result.hits]

    def usage(self) -> dict:
        prompt = self.exchange.prompt_tokens
        completion = self.exchange.completion_tokens
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


def _retrieve(request: ChatRequest, calculations: list[Calculation]) -> SearchResult:
    """Retrieval and the articles the calculations rest on (cited even when retrieval ranked
    them low), in one trip to the database thread."""
    result = search(request.question, limit=RETRIEVED, history=request.earlier_questions)
    return with_calculation_articles(result, calculations)


async def completion_start(request: ChatRequest, exchange: Exchange) -> Completion:
    """Validates the model and retrieves the articles: everything that can fail before a byte."""
    if request.model not in MODELS:
        raise ApiError(
            404,
            f"The model '{request.model}' does not exist.",
            code="model_not_found",
            param="model",
        )
    exchange.model = request.model
    exchange.question = request.question
    exchange.prompt_tokens = sum(count_tokens(m.content) for m in request.messages)
    calculations = calculate(request.question, english=is_english(request.question))
    try:
        result = await sync_to_async(_retrieve)(request, calculations)
    except IndexMissing as exc:
        raise ApiError(
            503,
            "The law index is not built yet; the operator must run import_laws.",
            code="index_unavailable",
        ) from exc
    completion = Completion(
        request, result, exchange, "chatcmpl-" + secrets.token_hex(12), int(time.time())
    )
    # Started here, before the response: an upstream that refuses gets a proper HTTP error.
    completion.deltas = await engine_open(
        model=request.model,
        messages=request.messages,
        result=result,
        sampling=request.sampling,
        stop=request.stop,
        max_tokens=request.max_tokens,
        finish=completion.finish,
        paced=request.stream,
        calculations=calculations,
    )
    return completion


async def answer_deltas(completion: Completion) -> AsyncIterator[str]:
    """The answer text in pieces (cut by `stop` and the token limit), recorded on the exchange."""
    finish = completion.finish
    pieces: list[str] = []
    exchange = completion.exchange
    try:
        async with aclosing(completion.deltas) as deltas:
            async for piece in deltas:
                exchange.mark_first_token()
                pieces.append(piece)
                yield piece
    finally:
        exchange.answer = "".join(pieces)
        exchange.completion_tokens = count_tokens(exchange.answer)
        if finish.usage:  # the upstream's own counts, when an LLM answered
            exchange.prompt_tokens = finish.usage["prompt_tokens"]
            exchange.completion_tokens = finish.usage["completion_tokens"]
        exchange.finish_reason = finish.reason


async def completion_json(completion: Completion) -> dict:
    text = "".join([piece async for piece in answer_deltas(completion)])
    return {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": completion.request.model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": completion.finish.reason,
                "logprobs": None,
            }
        ],
        "usage": completion.usage(),
        "citations": completion.citations,
    }


async def completion_events(completion: Completion) -> AsyncIterator[bytes]:
    """The SSE body of a streamed answer; the request log is written however it ends."""
    exchange = completion.exchange
    try:
        yield sse(completion.chunk({"role": "assistant", "content": ""}))
        async with aclosing(answer_deltas(completion)) as deltas:  # the answer is recorded first
            async for piece in deltas:
                yield sse(completion.chunk({"content": piece}))
        yield sse(completion.chunk({}, completion.finish.reason, citations=completion.citations))
        if completion.request.include_usage:
            yield sse({**completion.chunk({}), "choices": [], "usage": completion.usage()})
        yield sse("[DONE]")
    except (asyncio.CancelledError, GeneratorExit):
        # GeneratorExit: the server closed the stream early, because the client went away
        # while a chunk was being sent rather than awaited.
        exchange.client_closed = True
        raise
    except ApiError as error:
        exchange.fail(error)
        yield sse(error.body())
        yield sse("[DONE]")
    except Exception:
        logger.exception("stream %s failed", exchange.request_id)
        error = internal_error()
        exchange.fail(error)
        yield sse(error.body())
        yield sse("[DONE]")
    finally:
        await asyncio.shield(exchange.save())
