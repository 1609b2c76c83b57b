"""The upstream's rewrite of a question into the statutes' words, before retrieval: it widens
what retrieval finds, is skipped when slow or failing, is cached, and never names articles."""

import time
import uuid

import pytest

from chat.answering.pipeline import answer_aprepare
from chat.answering.rewrite import _cleaned, question_rewrite
from chat.answering.turns import Turn

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
# Words no article of the synthetic corpus contains: retrieval alone finds nothing.
QUESTION = "外星人綁架了我的上司怎麼辦"
REWRITE = ["勞動基準法 ", "雇主 資遣費 ", "終止勞動契約"]


@pytest.fixture(autouse=True)
def _no_cached_rewrites(upstream, settings):
    # Rewrites are cached per model and question (in Redis in the scale-out run, shared with
    # other runs): a model name of its own keeps each test's cache empty.
    settings.LAWBOT_LLM_MODEL = f"standin-{uuid.uuid4().hex}"


@pytest.fixture
def rewriting(upstream, settings):
    settings.LAWBOT_LLM_REWRITE_SECONDS = 1.5
    upstream.reset(deltas=list(REWRITE))
    return upstream


async def test_the_rewrite_reaches_articles_the_question_alone_does_not(
    corpus, rewriting, settings
):
    prepared = await answer_aprepare(turns=[Turn("user", QUESTION)], model="lawbot-pro")
    assert rewriting.requests[0].body["messages"][1]["content"] == QUESTION
    assert [c["pcode"] for c in prepared.citations][:1] == ["N0030001"]
    settings.LAWBOT_LLM_REWRITE_SECONDS = 0  # off: the question alone
    alone = await answer_aprepare(turns=[Turn("user", QUESTION + "？")], model="lawbot-pro")
    assert "N0030001" not in [c["pcode"] for c in alone.citations]


async def test_lite_never_asks_the_upstream(corpus, rewriting):
    await answer_aprepare(turns=[Turn("user", QUESTION)], model="lawbot-lite")
    assert rewriting.requests == []


async def test_a_slow_upstream_is_skipped_within_the_budget(corpus, upstream, settings):
    settings.LAWBOT_LLM_REWRITE_SECONDS = 0.3
    upstream.reset(deltas=list(REWRITE), delay=5.0)
    started = time.monotonic()
    assert await question_rewrite(QUESTION) == ""
    assert time.monotonic() - started < 4.0  # well before the stand-in's first delta
    upstream.release()


async def test_a_failing_upstream_costs_the_rewrite_only(corpus, upstream, settings):
    settings.LAWBOT_LLM_REWRITE_SECONDS = 1.5
    upstream.reset(fail="status", status=503, message="loading model")
    assert await question_rewrite(QUESTION) == ""


async def test_each_question_is_rewritten_once(corpus, rewriting):
    first = await question_rewrite(QUESTION, ["先前的問題"])
    again = await question_rewrite(QUESTION, ["先前的問題"])
    assert first == again == "勞動基準法 雇主 資遣費 終止勞動契約"
    assert len(rewriting.requests) == 1


def test_article_numbers_the_model_names_are_dropped():
    assert _cleaned("勞動基準法第17條 資遣費 民法第184條之1 §17") == "勞動基準法 資遣費 民法"
