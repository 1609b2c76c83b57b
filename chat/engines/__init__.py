"""Engines turn messages + retrieved articles into answer text deltas.

`engine_open` starts the engine that serves the model (the built-in composer, or an upstream LLM
for lawbot-pro when LAWBOT_LLM_BASE_URL is set); `engine_deltas` is the same as one async
generator, for callers that need no error before the first delta (the chat page)."""

from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing

from chat.calculators import Calculation
from chat.engines.composer import composer_deltas
from chat.engines.upstream import upstream_configured, upstream_open, upstream_owner
from chat.streaming import Finish, limit_tokens, stop_at
from chat.validation import Message
from laws.search import SearchResult

UPSTREAM_MODELS = {"lawbot-pro"}


def upstream_serves(model: str) -> bool:
    return model in UPSTREAM_MODELS and upstream_configured()


def engine_owner(model: str) -> str:
    """`owned_by` in GET /models: who generates the model's answers."""
    return upstream_owner() if upstream_serves(model) else "lawbot"


async def _stopped(relay: AsyncIterator[str], stops: Sequence[str], finish: Finish):
    # The upstream applies `stop` itself; stop_at guarantees it for servers that ignore it, and
    # aclosing ends the upstream request as soon as the text is cut.
    async with aclosing(relay):
        async for piece in stop_at(relay, list(stops), finish):
            yield piece


async def engine_open(
    *,
    model: str,
    messages: Sequence[Message],
    result: SearchResult,
    sampling: dict | None = None,
    stop: Sequence[str] = (),
    max_tokens: int | None = None,
    finish: Finish | None = None,
    paced: bool = True,
    calculations: Sequence[Calculation] | None = None,
) -> AsyncIterator[str]:
    """Starts the engine; failures before the first delta (an upstream that refuses or answers
    with an HTTP error) raise here as ApiError. `finish` receives the finish reason and, from an
    upstream, its usage. paced=False for an answer nobody watches grow (not streamed): the
    composer then writes without pauses. `calculations`: calculate(question), when the caller has
    it already and `result` holds its articles."""
    finish = finish if finish is not None else Finish()
    if upstream_serves(model):
        relay = await upstream_open(
            messages=messages,
            result=result,
            sampling=sampling or {},
            stop=stop,
            max_tokens=max_tokens,
            finish=finish,
            calculations=calculations,
        )
        # max_tokens is the upstream's to apply: its tokens are not Lawbot's count.
        return _stopped(relay, stop, finish)
    question = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return limit_tokens(
        stop_at(
            composer_deltas(question, result, paced=paced, calculations=calculations),
            list(stop),
            finish,
        ),
        max_tokens,
        finish,
    )


async def engine_deltas(
    *,
    model: str,
    messages: Sequence[Message],
    result: SearchResult,
    sampling: dict | None = None,
    stop: Sequence[str] = (),
    max_tokens: int | None = None,
    finish: Finish | None = None,
    paced: bool = True,
) -> AsyncIterator[str]:
    deltas = await engine_open(
        model=model,
        messages=messages,
        result=result,
        sampling=sampling,
        stop=stop,
        max_tokens=max_tokens,
        finish=finish,
        paced=paced,
    )
    async with aclosing(deltas):
        async for piece in deltas:
            yield piece
