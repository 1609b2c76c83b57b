"""Answers generated independent of any connection, and the stream that replays and follows them."""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from chat.answering.errors import AnswerError
from chat.models import Message
from chat.page import answer_worker
from chat.page.answer_stream import Follower, answer_events
from chat.page.answer_worker import answer_generate, answer_start
from chat.page.conversations import conversation_ask, message_stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
QUESTION = "請說明勞動基準法中的資遣費計算方式"


async def ask(owner, question: str = QUESTION) -> Message:
    asked = await sync_to_async(conversation_ask)(
        owner=owner, conversation_id=None, question=question, model="lawbot-lite"
    )
    return asked.answer


async def render_end(message: Message) -> dict:
    return {"status": message.status}


def parse(frame: bytes) -> tuple[str | None, str, dict]:
    fields = dict(line.split(": ", 1) for line in frame.decode().strip().split("\n"))
    return fields.get("id"), fields["event"], json.loads(fields["data"])


async def read(message_id: int, sent: int, limit: int | None = None) -> list[tuple]:
    frames = []
    stream = answer_events(message_id, sent, heartbeat=5, render_end=render_end)
    async for frame in stream:
        frames.append(parse(frame))
        if frames[-1][1] == "end" or (limit and len(frames) >= limit):
            break
    await stream.aclose()
    return frames


def text_of(frames: list[tuple]) -> str:
    return "".join(data["text"] for _, event, data in frames if event == "delta")


async def test_answer_is_saved_complete_with_citations(owner, corpus):
    message = await ask(owner)
    await answer_generate(message_id=message.pk)
    await message.arefresh_from_db()
    assert message.status == "complete"
    assert "資遣費" in message.content
    assert message.citations[0]["url"].startswith("https://law.moj.gov.tw/")


async def test_stream_follows_a_live_answer_exactly_once(owner, corpus, settings):
    settings.LAWBOT_COMPOSER_DELAY_MS = 2
    message = await ask(owner)
    task = answer_start(message)
    frames = await read(message.pk, 0)
    await task
    await message.arefresh_from_db()
    assert len(frames) > 5  # it arrived in pieces, not at once
    assert text_of(frames) == message.content
    ids = [int(seq) for seq, event, _ in frames if event == "delta"]
    assert ids == sorted(ids) and ids[-1] == len(message.content)
    assert frames[-1][1:] == ("end", {"status": "complete"})


async def test_reconnecting_mid_answer_continues_where_it_left_off(owner, corpus, settings):
    settings.LAWBOT_COMPOSER_DELAY_MS = 2
    message = await ask(owner)
    task = answer_start(message)
    first = await read(message.pk, 0, limit=5)
    last_id = int(first[-1][0])
    rest = await read(message.pk, last_id)
    await task
    await message.arefresh_from_db()
    assert text_of(first) + text_of(rest) == message.content
    assert rest[-1][1] == "end"


async def test_replay_after_the_end_sends_the_missing_text_then_end(owner, corpus):
    message = await ask(owner)
    await answer_generate(message_id=message.pk)
    await message.arefresh_from_db()
    frames = await read(message.pk, 10)
    assert text_of(frames) == message.content[10:]
    assert [event for _, event, _ in frames] == ["delta", "end"]


async def test_stop_keeps_the_text_written_so_far(owner, corpus, settings):
    settings.LAWBOT_COMPOSER_DELAY_MS = 5
    message = await ask(owner)
    task = answer_start(message)
    await read(message.pk, 0, limit=3)
    await sync_to_async(message_stop)(message=message)
    await asyncio.wait_for(task, timeout=5)
    await message.arefresh_from_db()
    assert message.status == "stopped"
    assert message.content
    await answer_generate(message_id=(await ask(owner)).pk)  # a full answer, to compare
    full = await Message.objects.filter(role="assistant").alatest("id")
    assert len(message.content) < len(full.content)
    assert await Message.objects.filter(role="user", conversation=message.conversation_id).aexists()


async def test_upstream_failure_is_saved_as_a_readable_error(owner, corpus, monkeypatch):
    async def failing():
        yield "Partial "
        raise AnswerError(503, "The upstream model is unavailable.", code="upstream_unavailable")

    async def engine_open(prepared, options, finish):
        return failing()

    monkeypatch.setattr(answer_worker, "engine_open", engine_open)
    message = await ask(owner)
    await answer_generate(message_id=message.pk)
    await message.arefresh_from_db()
    assert (message.status, message.error) == ("error", "The upstream model is unavailable.")
    assert message.content == "Partial "
    frames = await read(message.pk, 0)
    assert frames[-1][2] == {"status": "error"}


async def test_an_answer_abandoned_by_a_dead_worker_ends_as_interrupted(owner, corpus):
    message = await ask(owner)
    await Message.objects.filter(pk=message.pk).aupdate(
        content="寫到一半", updated=timezone.now() - timedelta(minutes=5)
    )
    frames = await read(message.pk, 0)
    assert text_of(frames) == "寫到一半"
    assert frames[-1][2] == {"status": "interrupted"}


async def test_silence_sends_a_named_heartbeat(owner, corpus):
    message = await ask(owner)
    stream = answer_events(message.pk, 0, heartbeat=0.05, render_end=render_end)
    assert parse(await anext(stream))[1] == "heartbeat"
    await stream.aclose()


async def test_follower_sends_each_character_once_and_waits_out_gaps():
    follower = Follower(sent=3)
    assert follower.take(0, "abcdef") == "def"
    assert follower.take(4, "ef") == ""
    assert follower.take(8, "ij") == ""  # a gap: "gh" not seen yet
    assert follower.take(6, "gh") + follower.take_pending() == "ghij"
    assert follower.sent == 10


async def test_a_database_outage_mid_follow_waits_for_the_ending(owner, corpus, monkeypatch):
    """A reader following an answer through a database cut got no end event: the read's
    DatabaseError ended the stream (bench/outages.py: 5 of 5 followers), though the answer's
    ending was saved once the database was back."""
    from django.db import OperationalError

    from chat.page import answer_stream

    message = await ask(owner)
    await answer_generate(message_id=message.pk)
    await message.arefresh_from_db()
    reads = []
    real_read = answer_stream._message_read

    def flaky_read(message_id):
        reads.append(message_id)
        if len(reads) <= 2:  # the database is away for the first two reads
            raise OperationalError("server closed the connection unexpectedly")
        return real_read(message_id)

    monkeypatch.setattr(answer_stream, "_message_read", flaky_read)
    monkeypatch.setattr(answer_stream, "SAVE_SECONDS", 0.01)
    frames = await read(message.pk, 0)
    assert len(reads) == 3
    assert text_of(frames) == message.content
    assert frames[-1][1:] == ("end", {"status": "complete"})
