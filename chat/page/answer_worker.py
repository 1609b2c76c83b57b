"""Answers for the chat page, generated server-side independent of any connection.

A background task runs the pipeline for one assistant message, publishes every delta on the
channel layer (group per message, so a stream on any worker can follow) and saves the text to the
database every SAVE_SECONDS and at the end. The database row is the record; the channel layer only
carries what was written since the last save, so an outage of the channel layer (Redis) costs
followers their live deltas (they read the saved text instead), never the answer.

The task runs outside the request that started it, in a context of its own: inside the request's,
its database work went to the request's own sync thread, which asgiref replaces by a new one once
the request has ended, and each of those threads kept a connection nobody closed (one PostgreSQL
connection, or one SQLite file descriptor, per answer). In an empty context it goes to the
process's one sync thread, the API's, whose connection is kept and reused."""

import asyncio
import contextvars
import logging
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError, connections
from django.utils import timezone

from chat.answering.errors import AnswerError
from chat.answering.pipeline import AnswerOptions, answer_aprepare, engine_open
from chat.answering.stopping import Finish
from chat.answering.turns import Turn
from chat.models import Message
from laws.index import IndexMissing

logger = logging.getLogger(__name__)
SAVE_SECONDS = 0.25
HISTORY_TURNS = 6
# The last write (the answer's ending) is retried this long while the database is away.
FINISH_RETRY_SECONDS = 120.0
FINISH_RETRY_PAUSE = 0.5
# After a channel-layer failure, deltas are not published for this long (each would wait).
PUBLISH_PAUSE_SECONDS = 5.0
PUBLISH_TIMEOUT = 1.0
_running: dict[int, asyncio.Task] = {}  # strong references: the loop keeps only weak ones
_publish_down_until = 0.0


def group_name(message_id: int) -> str:
    return f"answer.{message_id}"


async def publish(message_id: int, event: dict) -> bool:
    """Sends an event to the answer's followers; False when the channel layer is unavailable
    (followers then read the text the database has)."""
    global _publish_down_until
    if time.monotonic() < _publish_down_until:
        return False
    try:
        async with asyncio.timeout(PUBLISH_TIMEOUT):
            await get_channel_layer().group_send(group_name(message_id), event)
    except Exception as exc:  # whatever the layer raises: it is only a helper
        if not _publish_down_until:
            logger.warning("channel layer unavailable (%r): followers read saved text", exc)
        _publish_down_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
        return False
    if _publish_down_until:
        logger.warning("channel layer is back")
        _publish_down_until = 0.0
    return True


def close_broken_connections() -> None:
    """Closes this thread's connections that an error left unusable, so that the next step
    reconnects. Django does it only between requests, and the answer task is in none."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def answer_start(message: Message) -> asyncio.Task:
    """Starts generating `message` (an assistant message with status streaming) on this loop."""
    task = asyncio.get_running_loop().create_task(
        answer_generate(message_id=message.pk), context=contextvars.Context()
    )
    _running[message.pk] = task
    task.add_done_callback(_done)
    return task


def _done(task: asyncio.Task) -> None:
    for message_id, running in list(_running.items()):
        if running is task:
            del _running[message_id]
    if not task.cancelled() and task.exception() is not None:
        logger.error("answer task failed", exc_info=task.exception())


def running_task(message_id: int) -> asyncio.Task | None:
    return _running.get(message_id)


class Writer:
    """The answer's text as it grows, saved periodically; notices a stop requested anywhere."""

    def __init__(self, message_id: int):
        self.message_id = message_id
        self.text = ""
        self.stopped = False

    async def append(self, delta: str) -> None:
        start = len(self.text)
        self.text += delta
        await publish(self.message_id, {"type": "answer.delta", "start": start, "text": delta})

    async def save(self) -> bool:
        """Saves the text so far; False when a stop was requested (the row then keeps its text)."""
        # status: an answer a start-up took for abandoned (its database slow) is live again.
        saved = await Message.objects.filter(pk=self.message_id, stop_requested=False).aupdate(
            content=self.text, updated=timezone.now(), status=Message.Status.STREAMING
        )
        return saved == 1

    async def save_periodically(self, consumer: asyncio.Task) -> None:
        # Saving also keeps `updated` fresh while an upstream is slow, so a live answer never
        # looks abandoned.
        while not consumer.done():
            await asyncio.sleep(SAVE_SECONDS)
            try:
                saved = await self.save()
            except DatabaseError:
                logger.warning("answer %s: saving failed; retrying", self.message_id)
                await sync_to_async(close_broken_connections)()
                continue
            if not saved:
                self.stopped = True
                consumer.cancel()
                return


def conversation_turns(earlier: list[Message]) -> list[Turn]:
    """The conversation so far as engine turns, the question (the last message) last. A question
    whose answer failed, was interrupted or is empty is left out with its answer, so that the
    turns alternate and the upstream is not asked a question twice."""
    *history, question = earlier
    # Instructions sent over the API (system, developer) are not turns of the dialogue.
    history = [m for m in history if m.role in (Message.Role.USER, Message.Role.ASSISTANT)]
    turns: list[Turn] = []
    for asked, answered in zip(history[::2], history[1::2], strict=False):
        if (
            asked.role == Message.Role.USER
            and answered.role == Message.Role.ASSISTANT
            and answered.content.strip()
            and answered.status in (Message.Status.COMPLETE, Message.Status.STOPPED)
        ):
            turns += [Turn("user", asked.content), Turn("assistant", answered.content)]
    return [*turns[-HISTORY_TURNS * 2 :], Turn("user", question.content)]


async def _answer(writer: Writer, message_id: int) -> None:
    """The pipeline: prepare (the citations are saved at once), then the engine's deltas."""
    message = await Message.objects.filter(pk=message_id).afirst()
    if message is None:  # the conversation was deleted meanwhile
        return
    earlier = [
        m
        async for m in Message.objects.current()
        .filter(conversation_id=message.conversation_id, id__lt=message.pk)
        .order_by("id")
    ]
    if not earlier:
        return
    prepared = await answer_aprepare(turns=conversation_turns(earlier), model=message.model)
    await Message.objects.filter(pk=message.pk).aupdate(
        citations=prepared.citations, updated=timezone.now()
    )
    # Followers reload the row and send the citations, so [n] markers link while they stream.
    await publish(writer.message_id, {"type": "answer.citations"})
    deltas = await engine_open(prepared, AnswerOptions(), Finish())
    # The stop flag is checked on every piece as well as by cancelling this task: a library
    # awaited inside (the Redis channel layer's client) may absorb a cancellation.
    try:
        async for delta in deltas:
            if writer.stopped:
                return
            if delta:
                await writer.append(delta)
    finally:
        await deltas.aclose()  # closes an upstream request at once


async def answer_generate(*, message_id: int) -> None:
    writer = Writer(message_id)
    status, error, code = Message.Status.COMPLETE, "", ""
    try:
        # The saver runs from the start, so a stop or a slow retrieval is handled like the rest.
        consumer = asyncio.ensure_future(_answer(writer, message_id))
        saver = asyncio.ensure_future(writer.save_periodically(consumer))
        try:
            await consumer
        except asyncio.CancelledError:
            if not writer.stopped:
                raise
        finally:
            saver.cancel()
        if writer.stopped:
            status = Message.Status.STOPPED
    except AnswerError as exc:
        status, error, code = Message.Status.ERROR, exc.message, exc.code or "upstream_error"
    except IndexMissing:
        status, error, code = (
            Message.Status.ERROR,
            "The law index is not built yet.",
            "index_missing",
        )
    except asyncio.CancelledError:
        # The server is shutting down: keep what was written and say it was cut short.
        status = Message.Status.INTERRUPTED
        await asyncio.shield(_finish(writer, status, ""))
        raise
    except DatabaseError:
        logger.exception("answer %s: the database failed", message_id)
        status, error = Message.Status.ERROR, "The database was unavailable while answering."
        code = "database_unavailable"
    except Exception:
        logger.exception("answer %s failed", message_id)
        status, error = Message.Status.ERROR, "The server had an error while answering."
        code = "server_error"
    await _finish(writer, status, error, code)


def _write_ending(message_id: int, text: str, status: str, error: str, code: str) -> None:
    Message.objects.filter(pk=message_id).update(
        content=text, status=status, error=error, error_code=code, updated=timezone.now()
    )


async def _finish(
    writer: Writer, status: str, error: str, code: str = "", *, deadline: float | None = None
) -> None:
    """Writes the answer's ending, retrying while the database is away: an answer in flight
    during an outage is kept, not left streaming. (A deleted conversation updates no row.)"""
    deadline = deadline or time.monotonic() + FINISH_RETRY_SECONDS
    while True:
        try:
            await sync_to_async(_write_ending)(writer.message_id, writer.text, status, error, code)
            break
        except DatabaseError:
            await sync_to_async(close_broken_connections)()
            if time.monotonic() >= deadline:
                logger.error("answer %s: its ending could not be saved", writer.message_id)
                return
            logger.warning("answer %s: saving its ending failed; retrying", writer.message_id)
            await asyncio.sleep(FINISH_RETRY_PAUSE)
    await publish(writer.message_id, {"type": "answer.end", "status": status})
