"""The upstream LLM engine: lawbot-pro answered by any OpenAI-compatible server (vLLM, Ollama,
llama.cpp server, OpenAI) over the retrieved articles, relayed delta by delta."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

import httpx
from django.conf import settings

from chat.answering.engines.prompt import prompt_messages
from chat.answering.engines.upstream_http import (
    UpstreamReported,
    sse_objects,
    upstream_failure,
    upstream_post,
)
from chat.answering.errors import AnswerError
from chat.answering.stopping import Finish, ToolCallDelta
from chat.answering.verification import citations_acheck, flag_text
from chat.answering.waiting import slow_wait_begins
from laws.search import SearchResult

if TYPE_CHECKING:  # the pipeline imports the engines; they only read what it prepared
    from chat.answering.pipeline import PreparedAnswer

FINISH_REASONS = {"stop", "length", "content_filter", "tool_calls"}
NOT_SENT = {"parallel_tool_calls"}  # meaningless without tools, and OpenAI rejects it alone


def upstream_configured() -> bool:
    return bool(settings.LAWBOT_LLM_BASE_URL)


def _usage(usage: dict) -> dict | None:
    try:
        prompt, completion = int(usage["prompt_tokens"]), int(usage["completion_tokens"])
    except (KeyError, TypeError, ValueError):
        return None
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


class _ToolCalls:
    """The upstream's calls of the caller's functions, from their deltas (OpenAI sends each
    call's name first, then its arguments in pieces, keyed by `index`): kept whole for the final
    message, and turned into ToolCallDelta pieces to relay as they come."""

    def __init__(self) -> None:
        self.calls: dict[object, dict] = {}  # by the upstream's index, in order of appearance
        self.announced: set[object] = set()

    def add(self, deltas: list) -> list[ToolCallDelta]:
        relayed = []
        for position, delta in enumerate(deltas):
            index = delta.get("index", position)
            call = self.calls.get(index)
            if call is None:
                call = self.calls[index] = {
                    "id": "",
                    "type": "function",
                    "function": {"name": "", "arguments": ""},
                }
            if delta.get("id"):
                call["id"] = delta["id"]
            function = delta.get("function") or {}
            name = function.get("name") or ""
            arguments = function.get("arguments") or ""
            call["function"]["name"] += name
            call["function"]["arguments"] += arguments
            number = list(self.calls).index(index)
            if index not in self.announced and call["function"]["name"]:
                # Announced once its name is known, with the arguments so far.
                self.announced.add(index)
                call["id"] = call["id"] or "call_" + secrets.token_hex(12)
                relayed.append(
                    ToolCallDelta(
                        number,
                        call["function"]["arguments"],
                        id=call["id"],
                        name=call["function"]["name"],
                    )
                )
            elif index in self.announced and arguments:
                relayed.append(ToolCallDelta(number, arguments))
        return relayed

    def whole(self) -> list[dict]:
        for call in self.calls.values():
            # A call needs an id: the caller's answer to it names it (tool_call_id).
            call["id"] = call["id"] or "call_" + secrets.token_hex(12)
        return list(self.calls.values())


async def _relay(
    response: httpx.Response, finish: Finish, *, tool_deltas: bool = False
) -> AsyncIterator[str | ToolCallDelta]:
    """The text pieces of the upstream's stream (and its tool-call pieces, with tool_deltas),
    each event read with json.loads; only its content is looked at."""
    reason = None
    calls = _ToolCalls()
    try:
        async for chunk in sse_objects(response):
            usage = chunk.get("usage")
            if usage:
                finish.usage = _usage(usage)
            for choice in chunk.get("choices") or ():
                delta = choice.get("delta") or {}
                content = delta.get("content")
                if isinstance(content, str) and content:
                    yield content
                if delta.get("tool_calls"):
                    for piece in calls.add(delta["tool_calls"]):
                        if tool_deltas:
                            yield piece
                if choice.get("finish_reason"):
                    reason = choice["finish_reason"]
    except (httpx.HTTPError, UpstreamReported, ValueError, TypeError, AttributeError) as error:
        # ValueError: an event that is not JSON; TypeError, AttributeError: one of the wrong shape.
        raise upstream_failure(error, started=True) from error
    finally:
        # Runs on client disconnect too (CancelledError, or aclose): closing the response drops
        # the connection, which is how vLLM and Ollama learn to stop generating.
        await response.aclose()
    if reason is None:
        raise AnswerError(
            502,
            "The upstream LLM's stream ended before the answer was finished.",
            code="upstream_error",
        )
    finish.reason = reason if reason in FINISH_REASONS else "stop"
    finish.tool_calls = calls.whole()
    if finish.tool_calls:
        finish.reason = "tool_calls"


async def _checked(
    relay: AsyncIterator[str | ToolCallDelta], prepared: PreparedAnswer, finish: Finish
) -> AsyncIterator[str | ToolCallDelta]:
    """The relay, then (once the model has finished) a note flagging every citation it wrote
    that does not stand; their number goes to finish.unverified for the request log."""
    pieces: list[str] = []
    try:
        async for piece in relay:
            if isinstance(piece, str):
                pieces.append(piece)
            yield piece
    finally:
        await relay.aclose()
    unverified = await citations_acheck("".join(pieces), prepared.cited, prepared.lexicon)
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
    tool_deltas: bool = False,
) -> AsyncIterator[str | ToolCallDelta]:
    """Sends the request and waits for the upstream's response headers, so that a refusal or an
    HTTP error raises here (before the caller has sent a byte); returns the relayed deltas.
    tool_deltas: relay the upstream's tool calls piece by piece (ToolCallDelta) among them."""
    options: dict = {}
    if stop:
        options["stop"] = list(stop)
    if max_tokens is not None:
        options[settings.LAWBOT_LLM_MAX_TOKENS_PARAM] = max_tokens
    slow_wait_begins()  # the upstream may take long to answer: let other requests start
    # The caller's sampling parameters go as given, so that one Lawbot does not know still
    # reaches the upstream.
    response = await upstream_post(
        {
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
        }
    )
    return _checked(_relay(response, finish, tool_deltas=tool_deltas), prepared, finish)


def upstream_owner() -> str:
    return f"upstream:{settings.LAWBOT_LLM_MODEL}"
