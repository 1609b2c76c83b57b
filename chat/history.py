"""Answers stored over the API (`store`): chat completions and responses kept as conversations of
the key's owner, the same conversations the chat page lists. An answer is one assistant Message
with a public id (chatcmpl-…, resp_…); the messages its request sent are its `inputs`.

Every read is scoped to the owner: another user's id finds nothing, exactly as an unknown id."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from chat.answering.turns import ROLES, Turn
from chat.models import Conversation, Message
from chat.page.conversations import title_from


@dataclass
class StoredInput:
    role: str
    content: str
    public_id: str
    wire: dict = field(default_factory=dict)  # e.g. the content parts as sent


@dataclass
class StoredAnswer:
    public_id: str
    content: str
    model: str
    status: str  # a Message.Status
    citations: list
    metadata: dict
    wire: dict
    error: str = ""


def storable(value):
    """`value` as PostgreSQL can store it: text and JSON cannot hold NUL nor a lone surrogate,
    which a request may carry anywhere; kept as U+FFFD and ? rather than failing the store."""
    if isinstance(value, str):
        if "\x00" not in value and value.isascii():
            return value
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


def lookup_text(value: str) -> str:
    """A value a request looks something up by (an id, a cursor, a filter), read as a stored value
    would have been kept (NUL as U+FFFD): PostgreSQL refuses NUL in a query as in a row, and
    what nothing stored holds must find nothing, not fail."""
    return storable(value)


def answers_of(owner_id: int, prefix: str):
    """The owner's stored answers whose public id starts with `prefix` (chatcmpl-, resp_)."""
    return Message.objects.filter(
        conversation__owner_id=owner_id,
        role=Message.Role.ASSISTANT,
        input_of__isnull=True,
        public_id__startswith=prefix,
    )


def answer_find(*, owner_id: int, public_id: str, prefix: str) -> Message | None:
    if not public_id.startswith(prefix):
        return None
    return (
        answers_of(owner_id, prefix)
        .select_related("conversation")
        .filter(public_id=lookup_text(public_id))
        .first()
    )


def with_metadata(messages, metadata: dict[str, str]):
    """Filters on metadata[key] == value for each pair; a key is one key, never a path."""
    for i, (key, value) in enumerate(metadata.items()):
        key, value = lookup_text(key), lookup_text(value)
        # Cast: compared bare, the value would be read as JSON ("1" as the number 1).
        text = Cast(KeyTextTransform(key, "metadata"), TextField())
        messages = messages.alias(**{f"meta_{i}": text}).filter(**{f"meta_{i}": value})
    return messages


def conversation_find(*, owner_id: int, public_id: str) -> Conversation | None:
    return Conversation.objects.filter(owner_id=owner_id, public_id=lookup_text(public_id)).first()


def history_turns(conversation: Conversation, *, up_to: Message | None = None) -> list[Turn]:
    """The conversation as turns, up to and including `up_to` (the whole of it by default):
    what an answer continuing it over the API sees."""
    messages = conversation.messages.exclude(status=Message.Status.STREAMING)
    if up_to is not None:
        messages = messages.filter(id__lte=up_to.id)
    turns: list[Turn] = []
    for m in messages.only("role", "content", "wire"):
        wire = m.wire if isinstance(m.wire, dict) else {}
        # An answer that called the caller's functions: the calls go with it, so that the
        # function results in the next request follow them (as an upstream LLM requires).
        calls = tuple(wire.get("tool_calls") or ()) if m.role == Message.Role.ASSISTANT else ()
        if m.role == "tool":  # a function's result sent over the API
            turns.append(Turn("tool", m.content, tool_call_id=wire.get("tool_call_id", "")))
        elif calls and not m.content and turns and turns[-1].tool_calls and not turns[-1].content:
            # function_call input items, one row each: one assistant turn, as they were sent.
            turns[-1] = Turn("assistant", "", (*turns[-1].tool_calls, *calls))
        elif m.role in ROLES and (m.content or calls):
            turns.append(Turn(m.role, m.content, calls))
    return turns


def _fork(previous: Message) -> Conversation:
    """A new conversation holding the original's messages up to `previous`: an answer that
    continues from an earlier answer than the last branches off (as OpenAI's responses do)."""
    original = previous.conversation
    conversation = Conversation.objects.create(
        owner_id=original.owner_id,
        title=original.title,
        source=Conversation.Source.API,
        api_key_id=original.api_key_id,
    )
    copies = [
        Message(
            conversation=conversation,
            role=m.role,
            content=m.content,
            model=m.model,
            status=m.status,
            citations=m.citations,
            wire=m.wire,
            created=m.created,
            updated=m.updated,
        )
        for m in original.messages.filter(id__lte=previous.id)
    ]
    Message.objects.bulk_create(copies)
    return conversation


def _target(
    *, api_key, conversation: Conversation | None, previous: Message | None, question: str
) -> Conversation:
    if previous is not None:
        previous = Message.objects.select_related("conversation").filter(pk=previous.pk).first()
    if previous is not None:
        last = previous.conversation.messages.aggregate(last=Max("id"))["last"]
        return previous.conversation if last == previous.id else _fork(previous)
    if conversation is not None and Conversation.objects.filter(pk=conversation.pk).exists():
        return conversation
    return Conversation.objects.create(
        owner_id=api_key.user_id,
        title=storable(title_from(question)) or "API",
        source=Conversation.Source.API,
        api_key=api_key,
    )


@transaction.atomic
def api_answer_store(
    *,
    api_key,
    inputs: list[StoredInput],
    answer: StoredAnswer,
    question: str,
    conversation: Conversation | None = None,
    previous: Message | None = None,
) -> Message:
    """Saves the request's messages and its answer: appended to `conversation`, or after the
    answer `previous` (a new branch when it is no longer the last), or in a new conversation."""
    target = _target(
        api_key=api_key, conversation=conversation, previous=previous, question=question
    )
    now = timezone.now()
    saved = Message.objects.bulk_create(
        [
            Message(
                conversation=target,
                role=i.role,
                content=storable(i.content),
                public_id=i.public_id,
                wire=storable(i.wire),
                created=now,
                updated=now,
            )
            for i in inputs
        ]
    )
    stored = Message.objects.create(
        conversation=target,
        role=Message.Role.ASSISTANT,
        content=storable(answer.content),
        model=answer.model,
        status=answer.status,
        citations=answer.citations,
        error=storable(answer.error),
        public_id=answer.public_id,
        metadata=storable(answer.metadata),
        wire=storable(answer.wire),
        created=now,
        updated=now,
    )
    Message.objects.filter(pk__in=[m.pk for m in saved if m.pk]).update(input_of=stored)
    if not all(m.pk for m in saved):  # backends that do not return ids from bulk_create
        Message.objects.filter(
            conversation=target, public_id__in=[i.public_id for i in inputs]
        ).update(input_of=stored)
    Conversation.objects.filter(pk=target.pk).update(updated=now)
    return stored


@transaction.atomic
def api_answer_delete(*, answer: Message) -> None:
    """Deletes the answer and the messages its request sent, on the page too; a conversation
    left empty goes with them."""
    conversation_id = answer.conversation_id
    answer.delete()  # its inputs cascade
    if not Message.objects.filter(conversation_id=conversation_id).exists():
        Conversation.objects.filter(pk=conversation_id).delete()


def api_answer_update_metadata(*, answer: Message, metadata: dict[str, str]) -> None:
    answer.metadata = metadata
    answer.save(update_fields=["metadata"])


def api_conversations_purge(*, older_than_days: int, batch_size: int = 5000) -> int:
    """Deletes conversations stored over the API that nobody kept and nobody touched for
    `older_than_days`, in batches; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(
            Conversation.objects.expired(cutoff)
            .order_by("updated")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        Conversation.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
