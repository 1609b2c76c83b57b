"""The upstream LLM engine: lawbot-pro answered by any OpenAI-compatible server (vLLM, Ollama,
llama.cpp server, OpenAI) over the retrieved articles, relayed delta by delta."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

import httpx2
import openai
from asgiref.sync import sync_to_async
from django.conf import settings
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from chat.answering.engines.prompt import prompt_messages
from chat.answering.errors import AnswerError
from chat.answering.stopping import Finish
from chat.answering.verification import citations_check, flag_text
from chat.answering.waiting import slow_wait_begins
from laws.search import SearchResult

if TYPE_CHECKING:  # the pipeline imports the engines; they only read what it prepared
    from chat.answering.pipeline import PreparedAnswer

FINISH_REASONS = {"stop", "length", "content_filter", "tool_calls"}
NO_RETRY = {"x-should-retry": "false"}
NOT_SENT = {"parallel_tool_calls"}  # meaningless without tools, and OpenAI rejects it alone
logger = logging.getLogger(__name__)
# One client (and connection pool) per event loop: pooled connections cannot cross loops.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def upstream_configured() -> bool:
    return bool(settings.LAWBOT_LLM_BASE_URL)


def upstream_client() -> openai.AsyncOpenAI:
    config = (
        settings.LAWBOT_LLM_BASE_URL,
        settings.LAWBOT_LLM_API_KEY,
        settings.LAWBOT_LLM_TIMEOUT,
    )
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if config not in per_loop:
        per_loop[config] = openai.AsyncOpenAI(
            base_url=settings.LAWBOT_LLM_BASE_URL,
            # Local servers (Ollama, vLLM without --api-key) need none, but the SDK wants one.
            api_key=settings.LAWBOT_LLM_API_KEY or "none",
            timeout=settings.LAWBOT_LLM_TIMEOUT,
            # Nothing is retried: a retry would repeat paid work and delay the error.
            max_retries=0,
        )
    return per_loop[config]


def _upstream_message(error: openai.APIError) -> str:
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"]
    elif isinstance(body, str) and body:
        message = body
    else:
        message = error.message
    return " ".join(message.split())[:500]  # an HTML error page from a proxy stays readable


def upstream_failure(error: openai.APIError, *, started: bool) -> AnswerError:
    """The API error that tells the caller what went wrong with the upstream LLM."""
    logger.warning("upstream LLM %s failed: %r", settings.LAWBOT_LLM_BASE_URL, error)
    cause = error.__cause__
    if isinstance(error, openai.APITimeoutError) and not isinstance(cause, httpx2.ConnectTimeout):
        return AnswerError(
            504,
            f"The upstream LLM did not respond within {settings.LAWBOT_LLM_TIMEOUT:g} seconds.",
            code="upstream_timeout",
        )
    if isinstance(error, openai.APIConnectionError):
        if started:
            return AnswerError(
                502,
                "The upstream LLM closed the connection in the middle of the answer.",
                code="upstream_error",
            )
        return AnswerError(
            503,
            "The upstream LLM is unavailable (cannot connect to it); try again later.",
            code="upstream_unavailable",
        )
    if isinstance(error, openai.APIStatusError) and error.status_code in (401, 403):
        # Its message may quote Lawbot's own upstream key; the caller is told only what to do.
        return AnswerError(
            502,
            f"The upstream LLM refused Lawbot's credentials (HTTP {error.status_code}); "
            "the operator must check LAWBOT_LLM_API_KEY.",
            code="upstream_error",
            headers=NO_RETRY,
        )
    if isinstance(error, openai.APIStatusError):
        return AnswerError(
            502,
            f"The upstream LLM answered HTTP {error.status_code}: {_upstream_message(error)}",
            code="upstream_error",
            # The upstream refusing this request (context too long…) will refuse it again.
            headers=NO_RETRY if error.status_code < 500 else None,
        )
    return AnswerError(
        502,
        f"The upstream LLM reported an error: {_upstream_message(error)}",
        code="upstream_error",
    )


def _usage(usage) -> dict | None:
    try:
        prompt, completion = int(usage.prompt_tokens), int(usage.completion_tokens)
    except (AttributeError, TypeError, ValueError):
        return None
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _merge_tool_calls(calls: dict[int, dict], deltas) -> None:
    """Adds a chunk's tool-call deltas (OpenAI sends each call's arguments in pieces, keyed by
    `index`) to the calls so far."""
    for delta in deltas:
        call = calls.setdefault(
            delta.index, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
        )
        if delta.id:
            call["id"] = delta.id
        if delta.function:
            call["function"]["name"] += delta.function.name or ""
            call["function"]["arguments"] += delta.function.arguments or ""


async def _relay(stream: openai.AsyncStream, finish: Finish) -> AsyncIterator[str]:
    reason = None
    calls: dict[int, dict] = {}
    try:
        async for chunk in stream:
            if chunk.usage:
                finish.usage = _usage(chunk.usage)
            for choice in chunk.choices or ():
                if choice.delta and isinstance(choice.delta.content, str) and choice.delta.content:
                    yield choice.delta.content
                if choice.delta and choice.delta.tool_calls:
                    _merge_tool_calls(calls, choice.delta.tool_calls)
                if choice.finish_reason:
                    reason = choice.finish_reason
    except openai.APIError as error:
        raise upstream_failure(error, started=True) from error
    except (ValueError, TypeError, AttributeError) as error:
        # json.JSONDecodeError is a ValueError; a chunk of the wrong shape fails on access.
        logger.warning("garbled stream from the upstream LLM: %r", error)
        raise AnswerError(
            502, "The upstream LLM sent a malformed stream.", code="upstream_error"
        ) from error
    finally:
        # Runs on client disconnect too (CancelledError, or aclose): closing the response drops
        # the connection, which is how vLLM and Ollama learn to stop generating.
        await stream.close()
    if reason is None:
        raise AnswerError(
            502,
            "The upstream LLM's stream ended before the answer was finished.",
            code="upstream_error",
        )
    finish.reason = reason if reason in FINISH_REASONS else "stop"
    finish.tool_calls = [calls[index] for index in sorted(calls)]
    if finish.tool_calls:
        finish.reason = "tool_calls"


async def _checked(
    relay: AsyncIterator[str], prepared: PreparedAnswer, finish: Finish
) -> AsyncIterator[str]:
    """The relay, then (once the model has finished) a note flagging every citation it wrote
    that does not stand; their number goes to finish.unverified for the request log."""
    pieces: list[str] = []
    try:
        async for piece in relay:
            pieces.append(piece)
            yield piece
    finally:
        await relay.aclose()
    unverified = await sync_to_async(citations_check)("".join(pieces), prepared.cited)
    finish.unverified = len(unverified)
    note = flag_text(unverified, english=prepared.english)
    if note:
        yield note


async def upstream_open(
    prepared: PreparedAnswer,
    *,
    sampling: dict,
    stop: Sequence[str],
    max_tokens: int | None,
    finish: Finish,
    passthrough: dict | None = None,
) -> AsyncIterator[str]:
    """Sends the request and waits for the upstream's response headers, so that a refusal or an
    HTTP error raises here (before the caller has sent a byte); returns the relayed deltas."""
    options: dict = {}
    if stop:
        options["stop"] = list(stop)
    if max_tokens is not None:
        options[settings.LAWBOT_LLM_MAX_TOKENS_PARAM] = max_tokens
    slow_wait_begins()  # the upstream may take long to answer: let other requests start
    try:
        # The SDK's generic post (its documented way to undocumented endpoints), not
        # chat.api.completion_wire.create: the body is JSON-ready already, and create() would walk it
        # against the SDK's parameter types first (0.3 ms of the relay's ~4 ms). The caller's
        # sampling parameters go as given, so that one the pinned SDK does not know still
        # reaches the upstream.
        stream = await upstream_client().post(
            "/chat/completions",
            body={
                "model": settings.LAWBOT_LLM_MODEL,
                "messages": prompt_messages(
                    prepared.turns,
                    # Numbered as the citations list: the model's [n] is citations[n - 1].
                    SearchResult(
                        hits=[cited.hit for cited in prepared.cited],
                        laws=prepared.result.laws,
                        missing=prepared.result.missing,
                    ),
                    budget=settings.LAWBOT_LLM_CONTEXT_TOKENS,
                    calculations=prepared.calculations,
                ),
                **{k: v for k, v in sampling.items() if k not in NOT_SENT or passthrough},
                **(passthrough or {}),
                **options,
                "stream": True,
                "stream_options": {"include_usage": True},
            },
            cast_to=ChatCompletion,
            stream=True,
            stream_cls=openai.AsyncStream[ChatCompletionChunk],
        )
    except openai.APIError as error:
        raise upstream_failure(error, started=False) from error
    return _checked(_relay(stream, finish), prepared, finish)


def upstream_owner() -> str:
    return f"upstream:{settings.LAWBOT_LLM_MODEL}"
