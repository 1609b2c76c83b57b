"""How an answer ends: its finish reason, and the generators that cut it at a stop sequence or at
the token limit."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from laws.text import TOKEN_RE, count_tokens


@dataclass
class Finish:
    """How an answer ended, filled in by the engine and the pipeline as it goes."""

    reason: str = "stop"  # "stop" or "length" ("content_filter" from an upstream)
    usage: dict | None = None  # an upstream LLM's own token counts, when it sent them
    unverified: int = 0  # citations an upstream LLM wrote that do not stand (verification.py)
    # An upstream LLM's calls of the caller's functions (OpenAI `tool_calls`, complete).
    tool_calls: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class ToolCallDelta:
    """A piece of an upstream LLM's call of the caller's function, relayed as it arrives among
    the text pieces (only when the engine is asked to: AnswerOptions.tool_deltas). The first
    piece of a call carries its id and name; each later one a fragment of its arguments."""

    index: int  # the call's position among the answer's calls, from 0
    arguments: str
    id: str = ""
    name: str = ""  # set on the call's first piece only

    def chat_delta(self) -> dict:
        """The piece as a Chat Completions `delta.tool_calls` entry."""
        if self.name:
            return {
                "index": self.index,
                "id": self.id,
                "type": "function",
                "function": {"name": self.name, "arguments": self.arguments},
            }
        return {"index": self.index, "function": {"arguments": self.arguments}}


async def stop_at(
    deltas: AsyncIterator[str], stops: list[str], finish: Finish
) -> AsyncIterator[str]:
    """Ends the text before the first occurrence of any stop sequence, even across deltas
    (tool-call pieces pass through: stop sequences apply to the text)."""
    if not stops:
        async for delta in deltas:
            yield delta
        return
    hold = max(len(s) for s in stops) - 1
    buffer = ""
    async for delta in deltas:
        if not isinstance(delta, str):
            yield delta
            continue
        buffer += delta
        hits = [i for i in (buffer.find(s) for s in stops) if i >= 0]
        if hits:
            if buffer[: min(hits)]:
                yield buffer[: min(hits)]
            finish.reason = "stop"
            return
        if len(buffer) > hold:
            cut = len(buffer) - hold
            yield buffer[:cut]
            buffer = buffer[cut:]
    if buffer:
        yield buffer


def _joins(left: str, right: str) -> bool:
    # Two runs of ASCII letters/digits that touch count as one token.
    return bool(
        left
        and right
        and left[-1].isascii()
        and left[-1].isalnum()
        and right[0].isascii()
        and right[0].isalnum()
    )


async def limit_tokens(
    deltas: AsyncIterator[str], limit: int | None, finish: Finish
) -> AsyncIterator[str]:
    """Ends the text once it holds `limit` tokens (by count_tokens) → finish_reason "length"."""
    if limit is None:
        async for delta in deltas:
            yield delta
        return
    used, last = 0, ""
    async for delta in deltas:
        cost = count_tokens(delta) - (1 if _joins(last, delta) else 0)
        if used + cost <= limit:
            used += cost
            last = delta
            yield delta
            if used == limit:
                finish.reason = "length"
                return
            continue
        # Take tokens from this delta one by one until the limit.
        room = limit - used + (1 if _joins(last, delta) else 0)
        cut = 0
        for token in TOKEN_RE.finditer(delta):
            if room == 0:
                break
            cut = token.end()
            room -= 1
        if delta[:cut]:
            yield delta[:cut]
        finish.reason = "length"
        return
