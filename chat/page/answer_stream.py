"""The chat page's stream: replays an answer from a given point, then follows it live.

An event's id (`seq`) is the length of the answer text, in characters, once the client has applied
it. The database holds a prefix of the text (saved every fraction of a second) and the channel
layer carries each delta with its start offset, so from any offset the stream can send exactly the
missing text: nothing twice, nothing skipped, whichever worker generates the answer."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from channels.layers import get_channel_layer

from chat.models import Message
from chat.page.answer_worker import SAVE_SECONDS, group_name
from chat.page.conversations import message_interrupt_if_stale
from chat.sse import frame, with_heartbeat


class Follower:
    def __init__(self, sent: int):
        self.sent = sent  # characters the client has
        self.pending: list[tuple[int, str]] = []  # live deltas that start past `sent` (a gap)

    def take(self, start: int, text: str) -> str:
        """The part of a piece of text at offset `start` that the client does not have yet."""
        end = start + len(text)
        if start <= self.sent < end:
            new = text[self.sent - start :]
            self.sent = end
            return new
        if start > self.sent:
            self.pending.append((start, text))
        return ""

    def take_pending(self) -> str:
        out, waiting = "", sorted(self.pending)
        self.pending = []
        for start, text in waiting:
            out += self.take(start, text)
        return out


def answer_events(
    message_id: int,
    sent: int,
    *,
    heartbeat: float,
    render_end: Callable[[Message], Awaitable[dict]],
    render_citations: Callable[[Message], Awaitable[dict]] | None = None,
) -> AsyncIterator[bytes]:
    """The stream from character `sent` on, with a named heartbeat event (which, unlike a
    comment, reaches the page's script) after `heartbeat` seconds of silence."""
    follower = Follower(sent)
    return with_heartbeat(
        _answer_frames(
            message_id,
            follower,
            recheck=heartbeat,
            render_end=render_end,
            render_citations=render_citations,
        ),
        heartbeat,
        ping=lambda: frame("heartbeat", {"sent": follower.sent}),
    )


async def _answer_frames(
    message_id: int,
    follower: Follower,
    *,
    recheck: float,
    render_end: Callable[[Message], Awaitable[dict]],
    render_citations: Callable[[Message], Awaitable[dict]] | None,
) -> AsyncIterator[bytes]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    group = group_name(message_id)
    await layer.group_add(group, channel)
    subscribed = time.monotonic()
    receiving: asyncio.Future | None = None
    citations_sent = render_citations is None
    try:
        reload, last_reload = True, 0.0
        while True:
            if reload:
                last_reload = time.monotonic()
                # Subscribed before reading, so every delta is saved, soon saved, or on its way.
                message = await Message.objects.aget(pk=message_id)
                if await message_interrupt_if_stale(message):
                    message = await Message.objects.aget(pk=message_id)
                if not citations_sent and message.citations and message.is_streaming:
                    citations_sent = True
                    yield frame("citations", await render_citations(message))
                text = follower.take(0, message.content) + follower.take_pending()
                if text:
                    yield frame("delta", {"text": text}, follower.sent)
                if not message.is_streaming:
                    yield frame("end", await render_end(message), follower.sent)
                    return
                reload = False
            if receiving is None:
                receiving = asyncio.ensure_future(layer.receive(channel))
            # A delta sent before this stream subscribed but not yet saved reaches it only
            # through the next save: read the row again once that save has happened, even if
            # nothing else arrives (an upstream that paused after a burst).
            settling = time.monotonic() - subscribed < 2 * SAVE_SECONDS
            wait = SAVE_SECONDS if follower.pending or settling else recheck
            done, _ = await asyncio.wait({receiving}, timeout=wait)
            if not done:
                reload = True  # a gap waits for the next save; a silence is checked for staleness
                continue
            event, receiving = receiving.result(), None
            if event["type"] == "answer.delta":
                text = follower.take(event["start"], event["text"]) + follower.take_pending()
                if text:
                    yield frame("delta", {"text": text}, follower.sent)
                elif follower.pending and time.monotonic() - last_reload >= SAVE_SECONDS:
                    reload = True
            else:
                reload = True
    finally:
        if receiving is not None:
            receiving.cancel()
            with contextlib.suppress(BaseException):
                await receiving
        with contextlib.suppress(Exception):
            await asyncio.shield(layer.group_discard(group, channel))
