"""Time-paced composer output (chat.answering.engines.pacing): a steady chunk rate per stream, the same
reading pace however late the event loop runs. The clock is simulated; nothing here waits."""

import pytest

from chat.answering.engines.pacing import paced

pytestmark = pytest.mark.asyncio
PIECES = [f"第{i}段，" for i in range(125)]  # 125 pieces at 8 ms: one second of text


class SimulatedLoop:
    """A clock that each sleep advances by what was asked, times `lag` (a busy event loop
    wakes its sleepers late)."""

    def __init__(self, lag: float = 1.0):
        self.now, self.lag, self.sleeps = 0.0, lag, []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds * self.lag


async def chunks(loop: SimulatedLoop, *, interval=0.008, tick=0.05) -> list[tuple[float, str]]:
    return [
        (loop.now, chunk)
        async for chunk in paced(
            PIECES, interval=interval, tick=tick, clock=loop.clock, sleep=loop.sleep
        )
    ]


async def test_at_most_one_chunk_per_tick_and_the_text_whole():
    loop = SimulatedLoop()
    sent = await chunks(loop)
    assert "".join(text for _, text in sent) == "".join(PIECES)
    assert all(seconds >= 0.05 for seconds in loop.sleeps)
    assert len(sent) <= 1 + 125 * 0.008 / 0.05 + 1  # ~21, where pacing by piece sent 125
    assert len(sent) > 10  # the reader still sees it grow


async def test_a_late_loop_gets_fewer_larger_chunks_at_the_same_reading_pace():
    steady, late = SimulatedLoop(), SimulatedLoop(lag=4.0)
    on_time, behind = await chunks(steady), await chunks(late)
    assert "".join(text for _, text in behind) == "".join(PIECES)
    assert len(behind) < len(on_time) / 2
    # The answer ends when its text falls due plus one late wake-up, not four times later.
    assert late.now <= 125 * 0.008 + 0.05 * 4


async def test_pieces_slower_than_the_tick_come_one_by_one():
    loop = SimulatedLoop()
    sent = await chunks(loop, interval=0.1, tick=0.05)
    assert [text for _, text in sent] == PIECES
    assert [at for at, _ in sent] == pytest.approx([i * 0.1 for i in range(125)])


async def test_no_interval_sends_piece_by_piece_without_pauses():
    loop = SimulatedLoop()
    sent = await chunks(loop, interval=0)
    assert [text for _, text in sent] == PIECES
    assert loop.now == 0.0
