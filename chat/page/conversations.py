"""What a person does on the chat page: plain functions the views call."""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat.answering.catalogue import DEFAULT_MODEL, MODELS, upstream_serves
from chat.models import Conversation, Message

TITLE_LENGTH = 60
QUESTION_LIMIT = 8000
NOTE_LIMIT = 2000


class Refused(Exception):
    """The action does not apply now (e.g. asking while an answer streams)."""


def title_from(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


def clean_question(question: str, model: str) -> tuple[str, str]:
    question = (question or "").strip()
    if not question:
        raise Refused("empty_question")
    if len(question) > QUESTION_LIMIT:
        raise Refused("question_too_long")
    return question, model if model in MODELS else DEFAULT_MODEL


@dataclass
class Asked:
    conversation: Conversation
    question: Message
    answer: Message  # empty, status streaming, for the generator to fill
    created: bool


@transaction.atomic
def conversation_ask(*, owner, conversation_id: int | None, question: str, model: str) -> Asked:
    """Saves the question (in a new conversation titled by it, or in `conversation_id`) and an
    empty answer for the generator to fill."""
    question, model = clean_question(question, model)
    if conversation_id is None:
        conversation = Conversation.objects.create(owner=owner, title=title_from(question))
    else:
        conversation = Conversation.objects.get(pk=conversation_id, owner=owner)
        if conversation.messages.filter(status=Message.Status.STREAMING).exists():
            raise Refused("answer_streaming")
    asked = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, content=question
    )
    answer = _new_answer(conversation, model)
    return Asked(conversation, asked, answer, created=conversation_id is None)


def _new_answer(conversation: Conversation, model: str, **fields) -> Message:
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(updated=now)
    return Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        model=model,
        status=Message.Status.STREAMING,
        created=now,
        updated=now,
        **fields,
    )


def answer_can_vary(message: Message) -> bool:
    """Whether regenerating could give a different answer: an unfinished one, or one that an LLM
    wrote (the built-in composer answers the same question the same way every time)."""
    return message.status != Message.Status.COMPLETE or upstream_serves(message.model)


@transaction.atomic
def conversation_regenerate(*, conversation: Conversation, model: str | None = None) -> Message:
    """A new answer to the last question; the one it replaces is kept as an earlier version."""
    last = conversation.messages.current().order_by("-id").first()
    if last is None or last.role != Message.Role.ASSISTANT:
        raise Refused("nothing_to_regenerate")
    if last.is_streaming:
        raise Refused("answer_streaming")
    model = model if model in MODELS else last.model
    if model == last.model and not answer_can_vary(last):
        raise Refused("answer_would_not_change")
    Message.objects.filter(pk=last.pk).update(archived=True)
    return _new_answer(conversation, model, replaces=last)


@dataclass
class Edited:
    question: Message
    answer: Message
    replaced: list[int]  # the ids of the messages that no longer belong to the conversation


@transaction.atomic
def question_edit(*, question: Message, text: str, model: str) -> Edited:
    """Asks an edited question in place of `question`: it and every later turn are kept as an
    earlier version, and a new answer is generated."""
    text, model = clean_question(text, model)
    conversation = question.conversation
    if question.role != Message.Role.USER or question.archived:
        raise Message.DoesNotExist
    if conversation.messages.filter(status=Message.Status.STREAMING).exists():
        raise Refused("answer_streaming")
    later = conversation.messages.current().filter(id__gte=question.pk)
    replaced = list(later.values_list("id", flat=True))
    later.update(archived=True)
    now = timezone.now()
    asked = Message.objects.create(
        conversation=conversation,
        role=Message.Role.USER,
        content=text,
        created=now,
        replaces=question,
    )
    return Edited(asked, _new_answer(conversation, model), replaced)


def message_rate(*, message: Message, rating: int | None, note: str = "") -> None:
    if message.role != Message.Role.ASSISTANT or rating not in (1, -1, None):
        raise Refused("invalid_feedback")
    message.feedback = rating
    message.feedback_note = (note or "").strip()[:NOTE_LIMIT] if rating else ""
    message.save(update_fields=["feedback", "feedback_note"])


def conversation_share(*, conversation: Conversation) -> str:
    """The conversation's read-only link token (made on first use)."""
    if not conversation.share_token:
        conversation.share_token = secrets.token_urlsafe(24)
        conversation.save(update_fields=["share_token"])
    return conversation.share_token


def conversation_unshare(*, conversation: Conversation) -> None:
    conversation.share_token = None
    conversation.save(update_fields=["share_token"])


def conversation_rename(*, conversation: Conversation, title: str) -> None:
    title = " ".join((title or "").split())[:200]
    if title:
        conversation.title = title
        conversation.save(update_fields=["title"])


def conversation_delete(*, conversation: Conversation) -> None:
    Message.objects.filter(conversation=conversation, status=Message.Status.STREAMING).update(
        stop_requested=True
    )
    conversation.delete()


def message_stop(*, message: Message) -> None:
    """Asks the generating worker, whichever it is, to stop; it keeps the text written so far."""
    Message.objects.filter(pk=message.pk, status=Message.Status.STREAMING).update(
        stop_requested=True
    )


def messages_interrupt_stale(*, conversation: Conversation | None = None) -> int:
    """Marks answers abandoned by a dead worker as interrupted (their text so far is kept)."""
    stale = Message.objects.stale()
    if conversation is not None:
        stale = stale.filter(conversation=conversation)
    return stale.update(status=Message.Status.INTERRUPTED, updated=timezone.now())


def messages_interrupt_abandoned(
    *, watch_seconds: float, sleep: Callable[[float], None] = time.sleep
) -> int:
    """At start-up: marks as interrupted the answers a dead process left streaming, at once
    rather than LAWBOT_STREAM_STALE_SECONDS later. A live answer's row changes every
    SAVE_SECONDS (its worker saves it, on whichever process), so an answer whose row has not
    changed for `watch_seconds` has nobody writing it. A live one marked by mistake (a database
    slower than that) is set right by its worker's next save and its ending."""
    streaming = Message.objects.filter(status=Message.Status.STREAMING)
    seen = list(streaming.values_list("id", "updated"))
    if not seen:
        return 0
    sleep(watch_seconds)
    marked = 0
    for start in range(0, len(seen), 100):
        unchanged = reduce(or_, (Q(pk=pk, updated=updated) for pk, updated in seen[start:][:100]))
        marked += streaming.filter(unchanged).update(
            status=Message.Status.INTERRUPTED, updated=timezone.now()
        )
    return marked


def message_interrupt_if_stale(message: Message) -> bool:
    if not message.is_streaming or message.updated >= Message.objects.stale_cutoff():
        return False  # the common case, without a write
    return (
        Message.objects.stale()
        .filter(pk=message.pk)
        .update(status=Message.Status.INTERRUPTED, updated=timezone.now())
        == 1
    )
