"""Server-Sent Events: the one encoder (the API's `data:` chunks and the page's named events) and
the one heartbeat, for every stream Lawbot sends."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable

PING = b": ping\n\n"


async def with_heartbeat(
    source: AsyncIterator[bytes], interval: float, ping: Callable[[], bytes] = lambda: PING
) -> AsyncIterator[bytes]:
    """Yields `ping()` (by default a `: ping` comment) while source is silent for `interval`
    seconds."""
    iterator = aiter(source)
    pending: asyncio.Future | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield ping()
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


def frame(event: str, data: dict, seq: int | None = None) -> bytes:
    """A named event (the chat page's stream), with an id when it moves the resume point."""
    lines = [] if seq is None else [f"id: {seq}"]
    payload = json.dumps(data, ensure_ascii=False)
    if "\x85" in payload or "\u2028" in payload or "\u2029" in payload:
        payload = payload.translate(LINE_BREAKS)
    lines += [f"event: {event}", "data: " + payload]
    return ("\n".join(lines) + "\n\n").encode()
