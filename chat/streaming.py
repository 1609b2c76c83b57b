"""Small async generators that the answer stream is piped through, and the SSE encoder."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from laws.text import TOKEN_RE, count_tokens


@dataclass
class Finish:
    """How an answer ended, filled in by the engine and the pipeline as it goes."""

    reason: str = "stop"  # "stop" or "length" ("content_filter" from an upstream)
    usage: dict | None = None  # an upstream LLM's own token counts, when it sent them


async def stop_at(
    deltas: AsyncIterator[str], stops: list[str], finish: Finish
) -> AsyncIterator[str]:
    """Ends the text before the first occurrence of any stop sequence, even across deltas."""
    if not stops:
        async for delta in deltas:
            yield delta
        return
    hold = max(len(s) for s in stops) - 1
    buffer = ""
    async for delta in deltas:
        buffer += delta
        hits = [i for i in (buffer.find(s) for s in stops) if i >= 0]
        if hits:
            if buffer[: min(hits)]:
                yield buffer[: min(hits)]
            finish.reason = "stop"
            return
        if len(buffer) > hold:
            cut = len(buffer) - hold
            yield buffer[:cut]
            buffer = buffer[cut:]
    if buffer:
        yield buffer


def _joins(left: str, right: str) -> bool:
    # Two runs of ASCII letters/digits that touch count as one token.
    return bool(
        left
        and right
        and left[-1].isascii()
        and left[-1].isalnum()
        and right[0].isascii()
        and right[0].isalnum()
    )


async def limit_tokens(
    deltas: AsyncIterator[str], limit: int | None, finish: Finish
) -> AsyncIterator[str]:
    """Ends the text once it holds `limit` tokens (by count_tokens) → finish_reason "length"."""
    if limit is None:
        async for delta in deltas:
            yield delta
        return
    used, last = 0, ""
    async for delta in deltas:
        cost = count_tokens(delta) - (1 if _joins(last, delta) else 0)
        if used + cost <= limit:
            used += cost
            last = delta
            yield delta
            if used == limit:
                finish.reason = "length"
                return
            continue
        # Take tokens from this delta one by one until the limit.
        room = limit - used + (1 if _joins(last, delta) else 0)
        cut = 0
        for token in TOKEN_RE.finditer(delta):
            if room == 0:
                break
            cut = token.end()
            room -= 1
        if delta[:cut]:
            yield delta[:cut]
        finish.reason = "length"
        return


async def with_heartbeat(source: AsyncIterator[bytes], interval: float) -> AsyncIterator[bytes]:
    """Yields `: ping` comments while source is silent for `interval` seconds."""
    iterator = aiter(source)
    pending: asyncio.Future | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield b": ping\n\n"
                continue
            task, pending = pending, None
            try:
                item = task.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        if pending is not None:
            pending.cancel()
            # Let the source finish its own clean-up (closing an upstream, writing the log).
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        with contextlib.suppress(RuntimeError):
            await iterator.aclose()


# JSON leaves these raw, and str.splitlines() (httpx's iter_lines, many hand-written SSE readers)
# breaks a line at them; escaped, every event stays one line for every reader.
LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def sse(payload: dict | str) -> bytes:
    if isinstance(payload, str):
        data = payload
    else:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        # translate() walks every character (11 µs for a chunk of Chinese, ⅓ of a chunk's cost);
        # the check is a fast scan and these characters are rare.
        if "\x85" in data or "\u2028" in data or "\u2029" in data:
            data = data.translate(LINE_BREAKS)
    return f"data: {data}\n\n".encode()


__all__ = ["Finish", "count_tokens", "limit_tokens", "sse", "stop_at", "with_heartbeat"]
