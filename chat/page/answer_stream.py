"""The chat page's stream: replays an answer from a given point, then follows it live.

An event's id (`seq`) is the length of the answer text, in characters, once the client has applied
it. The database holds a prefix of the text (saved every fraction of a second) and the channel
layer carries each delta with its start offset, so from any offset the stream can send exactly the
missing text: nothing twice, nothing skipped, whichever worker generates the answer. Without the
channel layer (Redis away), the stream reads the saved text every SAVE_SECONDS instead."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError, close_old_connections, connection, connections

from chat.models import Message
from chat.page.answer_worker import PUBLISH_TIMEOUT, SAVE_SECONDS, group_name
from chat.page.conversations import message_interrupt_if_stale
from chat.sse import frame, with_heartbeat

logger = logging.getLogger(__name__)


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


def _message_read(message_id: int) -> Message:
    message = Message.objects.get(pk=message_id)
    if message_interrupt_if_stale(message):
        message = Message.objects.get(pk=message_id)
    # A stream waits between reads as long as the answer runs: a pooled connection goes back to
    # the pool meanwhile (a kept one, SQLite's, stays), so that followers do not hold the pool.
    if not connection.in_atomic_block:
        close_old_connections()
    return message


def _broken_connections_close() -> None:
    # On the thread that reads, so that the next read opens a new connection.
    for each in connections.all(initialized_only=True):
        each.close_if_unusable_or_obsolete()


async def _subscribe(layer, group: str) -> str | None:
    """A channel in the answer's group, or None when the channel layer is unavailable."""
    try:
        async with asyncio.timeout(PUBLISH_TIMEOUT):
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
    except Exception as exc:  # whatever the layer raises: it is only a helper
        logger.warning("channel layer unavailable (%r): following saved text", exc)
        return None
    return channel


async def _answer_frames(
    message_id: int,
    follower: Follower,
    *,
    recheck: float,
    render_end: Callable[[Message], Awaitable[dict]],
    render_citations: Callable[[Message], Awaitable[dict]] | None,
) -> AsyncIterator[bytes]:
    layer = get_channel_layer()
    group = group_name(message_id)
    channel = await _subscribe(layer, group)
    subscribed, subscribed_at = channel, time.monotonic()
    receiving: asyncio.Future | None = None
    citations_sent = render_citations is None
    try:
        reload, last_reload = True, 0.0
        while True:
            if reload:
                last_reload = time.monotonic()
                # Subscribed before reading, so every delta is saved, soon saved, or on its way.
                try:
                    message = await sync_to_async(_message_read)(message_id)
                except DatabaseError as exc:
                    # The database is the record, and it comes back: the answer's ending is
                    # saved then (answer_worker retries its writes). Live deltas wait in the
                    # channel layer meanwhile, and the heartbeat keeps the stream open.
                    logger.warning("answer %s: database unavailable (%r): waiting", message_id, exc)
                    await sync_to_async(_broken_connections_close)()
                    await asyncio.sleep(SAVE_SECONDS)
                    continue
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
            if channel is None:
                await asyncio.sleep(SAVE_SECONDS)  # no live deltas: the saved text, as it grows
                reload = True
                continue
            if receiving is None:
                receiving = asyncio.ensure_future(layer.receive(channel))
            # A delta sent before this stream subscribed but not yet saved reaches it only
            # through the next save: read the row again once that save has happened, even if
            # nothing else arrives (an upstream that paused after a burst).
            settling = time.monotonic() - subscribed_at < 2 * SAVE_SECONDS
            wait = SAVE_SECONDS if follower.pending or settling else recheck
            done, _ = await asyncio.wait({receiving}, timeout=wait)
            if not done:
                reload = True  # a gap waits for the next save; a silence is checked for staleness
                continue
            try:
                event = receiving.result()
            except Exception as exc:  # the layer went away mid-answer
                logger.warning("channel layer failed (%r): following saved text", exc)
                channel, receiving, reload = None, None, True
                continue
            receiving = None
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
        if subscribed is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(PUBLISH_TIMEOUT):
                    await asyncio.shield(layer.group_discard(group, subscribed))
