"""The one SSE encoder and heartbeat."""

import asyncio

import pytest

from chat.sse import frame, sse, with_heartbeat

pytestmark = pytest.mark.asyncio


async def source(*pieces: str):
    for piece in pieces:
        yield piece


async def collect(agen) -> list:
    return [item async for item in agen]


async def test_heartbeat_comments_fill_silence():
    async def slow():
        yield b"a"
        await asyncio.sleep(0.35)
        yield b"b"

    out = await collect(with_heartbeat(slow(), 0.1))
    assert out[0] == b"a" and out[-1] == b"b"
    assert out.count(b": ping\n\n") >= 2


async def test_heartbeat_closes_its_source_when_cancelled():
    closed = asyncio.Event()

    async def endless():
        try:
            while True:
                await asyncio.sleep(0.01)
                yield b"x"
        finally:
            closed.set()

    async def consume():
        async for _ in with_heartbeat(endless(), 1):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed.is_set()


async def test_sse_framing_keeps_newlines_inside_json():
    frame = sse({"content": "a\n\ndata: [DONE]\n\n"})
    assert frame.count(b"\n\n") == 1 and frame.endswith(b"\n\n")


def test_page_frames_escape_line_separators_and_carry_the_resume_point():
    raw = frame("delta", {"text": "第一行\u2028第二行"}, 12)
    assert raw == 'id: 12\nevent: delta\ndata: {"text": "第一行\\u2028第二行"}\n\n'.encode()
