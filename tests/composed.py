"""The built-in composer's whole answer to one question, through the one pipeline."""

from datetime import date

from chat.answering.engines.composer import answer_text
from chat.answering.pipeline import answer_prepare
from chat.answering.turns import Turn


def composed(question: str, *, today: date | None = None, model: str = "lawbot-lite") -> str:
    prepared = answer_prepare(turns=[Turn("user", question)], model=model, today=today)
    return answer_text(prepared)
