"""Answers for the chat page, generated server-side independent of any connection.

A background task runs the pipeline for one assistant message, publishes every delta on the
channel layer (group per message, so a stream on any worker can follow) and saves the text to the
database every SAVE_SECONDS and at the end. The database row is the record; the channel layer only
carries what was written since the last save."""

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError
from django.utils import timezone

from chat.completions import RETRIEVED, citation
from chat.engines import engine_deltas
from chat.errors import ApiError
from chat.models import Message
from chat.validation import Message as EngineMessage
from laws.index import IndexMissing
from laws.search import search

logger = logging.getLogger(__name__)
SAVE_SECONDS = 0.25
HISTORY_TURNS = 6
_running: dict[int, asyncio.Task] = {}  # strong references: the loop keeps only weak ones


def group_name(message_id: int) -> str:
    return f"answer.{message_id}"


async def publish(message_id: int, event: dict) -> None:
    await get_channel_layer().group_send(group_name(message_id), event)


def answer_start(message: Message) -> asyncio.Task:
    """Starts generating `message` (an assistant message with status streaming) on this loop."""
    task = asyncio.get_running_loop().create_task(answer_generate(message_id=message.pk))
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
        saved = await Message.objects.filter(pk=self.message_id, stop_requested=False).aupdate(
            content=self.text, updated=timezone.now()
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
                continue
            if not saved:
                self.stopped = True
                consumer.cancel()
                return


def _engine_messages(history: list[Message], question: str) -> list[EngineMessage]:
    turns = [
        EngineMessage(m.role, m.content)
        for m in history[-HISTORY_TURNS * 2 :]
        if m.content and m.status in (Message.Status.COMPLETE, Message.Status.STOPPED)
    ]
    return [*turns, EngineMessage("user", question)]


async def _answer(writer: Writer, message: Message) -> None:
    """The pipeline: retrieve (citations are saved at once), then the engine's deltas."""
    earlier = [
        m
        async for m in Message.objects.filter(
            conversation_id=message.conversation_id, id__lt=message.pk
        ).order_by("id")
    ]
    question = earlier[-1].content if earlier else ""
    previous = [m.content for m in earlier[:-1] if m.role == Message.Role.USER]
    result = await sync_to_async(search)(
        question, limit=RETRIEVED, history=previous[-HISTORY_TURNS:]
    )
    await Message.objects.filter(pk=message.pk).aupdate(
        citations=[citation(hit) for hit in result.hits], updated=timezone.now()
    )
    deltas = engine_deltas(
        model=message.model,
        messages=_engine_messages(earlier[:-1], question),
        result=result,
        sampling={},
    )
    # The stop flag is checked on every piece as well as by cancelling this task: a library
    # awaited inside (the Redis channel layer's client) may absorb a cancellation.
    try:
        async for delta in deltas:
            if writer.stopped:
                return
            if delta:
                await writer.append(delta)
    finally:
        if hasattr(deltas, "aclose"):  # closes an upstream request at once
            await deltas.aclose()


async def answer_generate(*, message_id: int) -> None:
    message = await Message.objects.filter(pk=message_id).afirst()
    if message is None:
        return
    writer = Writer(message_id)
    status, error = Message.Status.COMPLETE, ""
    try:
        # The saver runs from the start, so a stop or a slow retrieval is handled like the rest.
        consumer = asyncio.ensure_future(_answer(writer, message))
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
    except ApiError as exc:
        status, error = Message.Status.ERROR, exc.message
    except IndexMissing:
        status, error = Message.Status.ERROR, "The law index is not built yet."
    except asyncio.CancelledError:
        # The server is shutting down: keep what was written and say it was cut short.
        status = Message.Status.INTERRUPTED
        await asyncio.shield(_finish(writer, status, ""))
        raise
    except Exception:
        logger.exception("answer %s failed", message_id)
        status, error = Message.Status.ERROR, "The server had an error while answering."
    await _finish(writer, status, error)


async def _finish(writer: Writer, status: str, error: str) -> None:
    message = await Message.objects.filter(pk=writer.message_id).afirst()
    if message is None:  # the conversation was deleted meanwhile
        return
    message.content, message.status, message.error = writer.text, status, error
    message.updated = timezone.now()
    await message.asave(update_fields=["content", "status", "error", "updated"])
    with contextlib.suppress(Exception):
        await publish(writer.message_id, {"type": "answer.end", "status": status})
