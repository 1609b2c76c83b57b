"""A conversation as the engines see it: turns of (role, content), and the rule that the
user/assistant turns sent to an upstream alternate."""

from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("system", "developer", "user", "assistant")
INSTRUCTION_ROLES = ("system", "developer")


@dataclass(frozen=True)
class Turn:
    role: str  # one of ROLES, or "tool" (a function's result, for an upstream LLM's tools)
    content: str
    # An assistant turn that called the caller's functions (OpenAI `tool_calls`), and the call a
    # "tool" turn answers: relayed to an upstream LLM as they are.
    tool_calls: tuple[dict, ...] = ()
    tool_call_id: str = ""


def question_of(turns: Iterable[Turn]) -> str:
    """The last user turn's text: what the answer answers."""
    return next((t.content for t in reversed(list(turns)) if t.role == "user"), "")


def earlier_questions(turns: Iterable[Turn]) -> list[str]:
    users = [t.content for t in turns if t.role == "user"]
    return users[:-1]


def alternating(turns: Iterable[Turn]) -> list[Turn]:
    """The user/assistant turns, starting with the user and alternating: consecutive turns of one
    role are merged (strict chat templates, e.g. some vLLM models, answer 400 to two user turns
    in a row), empty turns dropped, and a leading assistant turn dropped. Instructions (system,
    developer) are not turns of the dialogue and are left out."""
    merged: list[Turn] = []
    for turn in turns:
        if turn.role not in ("user", "assistant") or not turn.content.strip():
            continue
        if not merged and turn.role == "assistant":
            continue
        if merged and merged[-1].role == turn.role:
            merged[-1] = Turn(turn.role, f"{merged[-1].content}\n\n{turn.content}")
        else:
            merged.append(turn)
    return merged
