"""Conversations and their messages: the chat page's, and the completions and responses stored
over the API (`store`), which are the same conversations (SPEC: history is one thing)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConversationQuerySet(models.QuerySet):
    def for_owner(self, user) -> "ConversationQuerySet":
        return self.filter(owner=user)

    def sidebar(self, user) -> "ConversationQuerySet":
        return (
            self.for_owner(user)
            .select_related("api_key")
            .only("id", "title", "updated", "source", "api_key__name")
            .order_by("-updated", "-id")
        )

    def expired(self, cutoff) -> "ConversationQuerySet":
        """Stored over the API, not kept by their owner, untouched since `cutoff`."""
        return self.filter(source=Conversation.Source.API, kept=False, updated__lt=cutoff)

    def matching(self, user, query: str) -> "ConversationQuerySet":
        """The user's own conversations whose title or any current message contains `query`."""
        words = query.split()
        found = self.sidebar(user)
        for word in words:
            found = found.filter(
                models.Q(title__icontains=word)
                | models.Q(messages__content__icontains=word, messages__archived=False)
            )
        return found.distinct()


def conversation_public_id() -> str:
    return "conv_" + secrets.token_hex(16)


class Conversation(models.Model):
    class Source(models.TextChoices):
        PAGE = "page"
        API = "api"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("owner"),
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    created = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    updated = models.DateTimeField(default=timezone.now, verbose_name=_("updated"))
    # A read-only link for anyone who has it; revoking clears it, sharing again makes a new one.
    share_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, verbose_name=_("share link token")
    )
    # The id the Responses API knows it by (`conversation`), so that any conversation can be
    # continued over the API.
    public_id = models.CharField(max_length=40, unique=True, default=conversation_public_id)
    source = models.CharField(
        max_length=4, choices=Source.choices, default=Source.PAGE, verbose_name=_("source")
    )
    api_key = models.ForeignKey(
        "api_keys.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        help_text="the key that stored it over the API",
        verbose_name=_("API key"),
    )
    # Stored over the API, a conversation is deleted after LAWBOT_LOG_RETENTION_DAYS unless kept.
    kept = models.BooleanField(default=False, verbose_name=_("kept"))

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["owner", "-updated"], name="conversation_sidebar")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("chat-conversation", args=[self.pk])


class MessageQuerySet(models.QuerySet):
    @staticmethod
    def stale_cutoff():
        return timezone.now() - timedelta(seconds=settings.LAWBOT_STREAM_STALE_SECONDS)

    def current(self) -> "MessageQuerySet":
        """The conversation as it reads now: without the versions that edits and regenerating
        replaced."""
        return self.filter(archived=False)

    def stale(self) -> "MessageQuerySet":
        """Answers still marked streaming that nobody has written for too long: a dead worker's."""
        return self.filter(status=Message.Status.STREAMING, updated__lt=self.stale_cutoff())


class Message(models.Model):
    class Role(models.TextChoices):
        SYSTEM = "system"
        DEVELOPER = "developer"
        USER = "user"
        ASSISTANT = "assistant"

    class Status(models.TextChoices):
        STREAMING = "streaming"
        COMPLETE = "complete"
        STOPPED = "stopped"
        INTERRUPTED = "interrupted"
        ERROR = "error"

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    role = models.CharField(max_length=10, choices=Role.choices, verbose_name=_("role"))
    content = models.TextField(blank=True, verbose_name=_("content"))
    model = models.CharField(max_length=50, blank=True, verbose_name=_("model"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.COMPLETE, verbose_name=_("status")
    )
    citations = models.JSONField(default=list, blank=True, verbose_name=_("citations"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    # Why it failed, for the page to explain in the reader's language (AnswerError codes).
    error_code = models.CharField(max_length=40, blank=True, verbose_name=_("error code"))
    # Versions: a regenerated answer or an edited question replaces an earlier message, which is
    # kept (archived) and shown as an earlier version of its replacement.
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    archived = models.BooleanField(default=False, verbose_name=_("archived"))
    feedback = models.SmallIntegerField(
        choices=[(1, "👍"), (-1, "👎")], null=True, blank=True, verbose_name=_("rating")
    )
    feedback_note = models.TextField(blank=True, verbose_name=_("note"))
    # Set by the stop POST on any worker; the generating worker sees it on its next save.
    stop_requested = models.BooleanField(default=False, verbose_name=_("stop requested"))
    # An answer stored over the API: its id there (chatcmpl-…, resp_…), its metadata, and what
    # the API shows of it beyond the text (usage, finish reason, request fields, tool calls).
    public_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    metadata = models.JSONField(default=dict, blank=True)
    wire = models.JSONField(default=dict, blank=True)
    # The messages an API request sent point at the answer they got (its input items).
    input_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="inputs"
    )
    created = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    updated = models.DateTimeField(default=timezone.now, verbose_name=_("updated"))

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["conversation", "id"], name="message_conversation"),
            models.Index(fields=["status", "updated"], name="message_status"),
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.pk}"

    @property
    def is_streaming(self) -> bool:
        return self.status == self.Status.STREAMING

    def earlier_versions(self) -> list["Message"]:
        """The messages this one replaced (regenerated answers, edited questions), newest first."""
        versions, seen, earlier = [], {self.pk}, self.replaces
        while earlier is not None and earlier.pk not in seen:
            versions.append(earlier)
            seen.add(earlier.pk)
            earlier = earlier.replaces
        return versions

    def answer_after(self) -> "Message | None":
        """The answer that followed this question (for an earlier version of a question)."""
        return (
            Message.objects.filter(conversation_id=self.conversation_id, id__gt=self.pk)
            .filter(role=self.Role.ASSISTANT)
            .order_by("id")
            .first()
        )
