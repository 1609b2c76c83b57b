import pytest

from chat.answering.stopping import Finish, limit_tokens, stop_at
from laws.text import count_tokens

pytestmark = pytest.mark.asyncio


async def source(*pieces: str):
    for piece in pieces:
        yield piece


async def collect(agen) -> list:
    return [item async for item in agen]


async def test_stop_sequence_split_across_deltas_ends_the_text_before_it():
    finish = Finish()
    out = await collect(stop_at(source("第一段。", "第二", "段END", "不該出現"), ["END"], finish))
    assert "".join(out) == "第一段。第二段"
    assert finish.reason == "stop"


async def test_no_stop_passes_everything():
    assert "".join(await collect(stop_at(source("a", "b"), ["zz"], Finish()))) == "ab"


async def test_token_limit_cuts_exactly_and_reports_length():
    finish = Finish()
    out = "".join(await collect(limit_tokens(source("勞動基準", "法第十七條", "規定"), 6, finish)))
    assert out == "勞動基準法第"
    assert count_tokens(out) == 6
    assert finish.reason == "length"


async def test_token_limit_counts_a_word_split_across_deltas_once():
    finish = Finish()
    out = "".join(await collect(limit_tokens(source("Labor Sta", "ndards Act"), 3, finish)))
    assert out == "Labor Standards Act"
    assert finish.reason == "length"


async def test_under_the_limit_finishes_with_stop():
    finish = Finish()
    assert "".join(await collect(limit_tokens(source("短"), 10, finish))) == "短"
    assert finish.reason == "stop"
