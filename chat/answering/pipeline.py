"""The one answer pipeline, for the API (streamed or not) and the chat page alike.

`answer_prepare` runs once per answer: the calculations, retrieval with the articles the
calculations rest on, the relevance floor and the next steps (selection.py), and the citations
in the order the answer numbers them: the text's markers [n] index `citations`. `engine_open`
then starts the engine that serves the model (the built-in composer, or an upstream LLM for
lawbot-pro when LAWBOT_LLM_BASE_URL is set), which only turns the prepared answer into deltas."""

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date

from asgiref.sync import sync_to_async
from django.conf import settings

from chat.answering.catalogue import upstream_serves
from chat.answering.citations import Cited, citation, with_calculation_articles
from chat.answering.engines.composer import composer_deltas
from chat.answering.engines.upstream import upstream_open
from chat.answering.rewrite import question_rewrite
from chat.answering.selection import Plan, answer_plan
from chat.answering.stopping import Finish, limit_tokens, stop_at
from chat.answering.turns import Turn, earlier_questions, question_of
from labour import Calculation, calculate
from laws.index import get_index
from laws.search import Lexicon, SearchResult, clip, lexicon, search
from laws.text import is_english

RETRIEVED = 10  # articles retrieved for one answer, before the relevance floor keeps up to 5
# Characters of a question the calculators read (its start and its end, as retrieval does): they
# parse every character (~10 µs each), and a 1 MiB question held the database thread 9 s.
CALCULATION_CHARS = 2000
logger = logging.getLogger(__name__)


@dataclass
class PreparedAnswer:
    """Everything an engine needs, and everything every surface shows about the answer."""

    model: str
    turns: list[Turn]  # the conversation, the question last (instructions included)
    question: str
    english: bool
    calculations: list[Calculation]
    result: SearchResult  # what retrieval found (with the calculations' articles first)
    plan: Plan  # what the answer cites, in the order it numbers them
    # The law names of the index it was prepared from, for checking an upstream's citations
    # without a trip to the database thread (None: that check loads them there).
    lexicon: Lexicon | None = None

    @property
    def cited(self) -> list[Cited]:
        return self.plan.cited

    @property
    def citations(self) -> list[dict]:
        """The one `citations` list every surface shows: marker [n] is entry n - 1."""
        return [citation(cited) for cited in self.plan.cited]


@dataclass
class AnswerOptions:
    """What the caller asked of the engine (the API's request fields; the page asks nothing)."""

    sampling: dict = field(default_factory=dict)  # passed to an upstream LLM as given
    stop: Sequence[str] = ()
    max_tokens: int | None = None
    paced: bool = True  # False for an answer nobody watches grow (not streamed)
    # response_format, tools, tool_choice: for an upstream LLM only (the API refuses them
    # without one), sent as given.
    passthrough: dict = field(default_factory=dict)
    # An upstream LLM's tool calls relayed piece by piece (chat.answering.stopping.ToolCallDelta
    # among the text pieces) as they arrive: for the streaming wires, which send each piece on.
    tool_deltas: bool = False


def _calculations(
    question: str, earlier: list[str], *, english: bool, today: date | None
) -> list[Calculation]:
    try:
        return calculate(question, english=english, today=today, earlier=earlier)
    except Exception:
        # A calculator bug must not cost the user the answer; the articles still stand.
        logger.exception("calculators failed on the question")
        return []


def answer_prepare(
    *, turns: Sequence[Turn], model: str, today: date | None = None, rewrite: str = ""
) -> PreparedAnswer:
    """Reads the index and the database: call it from async code through answer_aprepare.
    `rewrite`: the statutes' words for the question (chat/answering/rewrite.py), searched with
    it. Raises laws.index.IndexMissing when the corpus is not imported yet."""
    question = question_of(turns)
    # What retrieval and the plan read (the start and the end past laws.search.MAX_QUESTION):
    # each of their scans of the whole of a 1 MiB question is one call that holds the GIL for
    # tens of ms, stalling the event loop although this runs on the database thread.
    read = clip(question)
    earlier = earlier_questions(turns)
    english = is_english(read)
    calculations = _calculations(
        clip(question, CALCULATION_CHARS),
        [clip(turn, CALCULATION_CHARS) for turn in earlier],
        english=english,
        today=today,
    )
    query = f"{read}\n{rewrite}" if rewrite else read
    result = search(query, limit=RETRIEVED, history=earlier)
    result = with_calculation_articles(result, calculations)
    return PreparedAnswer(
        model=model,
        turns=list(turns),
        question=question,
        english=english,
        calculations=calculations,
        result=result,
        plan=answer_plan(question=read, result=result, calculations=calculations),
        lexicon=lexicon(get_index()),
    )


async def answer_aprepare(
    *,
    turns: Sequence[Turn],
    model: str,
    today: date | None = None,
    first: Callable[[], None] | None = None,
) -> PreparedAnswer:
    """answer_prepare in one trip to the database thread, after the upstream's rewrite of the
    question where an upstream serves the model (bounded; "" when skipped). `first`: database
    work of the caller's to run before all this (the request's log row), in the same trip when
    no rewrite comes between (each trip to the thread costs ~0.1-0.2 ms of CPU)."""
    rewrite = ""
    if upstream_serves(model) and settings.LAWBOT_LLM_REWRITE_SECONDS > 0:
        if first is not None:
            await sync_to_async(first)()
            first = None
        rewrite = await question_rewrite(question_of(turns), earlier_questions(turns))

    def prepare() -> PreparedAnswer:
        if first is not None:
            first()
        return answer_prepare(turns=turns, model=model, today=today, rewrite=rewrite)

    return await sync_to_async(prepare)()


async def _stopped(relay: AsyncIterator[str], stops: Sequence[str], finish: Finish):
    # The upstream applies `stop` itself; stop_at guarantees it for servers that ignore it, and
    # aclosing ends the upstream request as soon as the text is cut.
    async with aclosing(relay):
        async for piece in stop_at(relay, list(stops), finish):
            yield piece


async def engine_open(
    prepared: PreparedAnswer, options: AnswerOptions, finish: Finish
) -> AsyncIterator[str]:
    """Starts the engine; failures before the first delta (an upstream that refuses or answers
    with an HTTP error) raise here as chat.answering.errors.AnswerError. `finish` receives the
    finish reason and, from an upstream, its usage."""
    if upstream_serves(prepared.model):
        relay = await upstream_open(
            prepared,
            sampling=options.sampling,
            stop=options.stop,
            max_tokens=options.max_tokens,
            finish=finish,
            passthrough=options.passthrough,
            tool_deltas=options.tool_deltas,
        )
        # max_tokens is the upstream's to apply: its tokens are not Lawbot's count.
        return _stopped(relay, options.stop, finish)
    return limit_tokens(
        stop_at(composer_deltas(prepared, paced=options.paced), list(options.stop), finish),
        options.max_tokens,
        finish,
    )
