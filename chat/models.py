"""Conversations of the chat page and their messages."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ConversationQuerySet(models.QuerySet):
    def for_owner(self, user) -> "ConversationQuerySet":
        return self.filter(owner=user)

    def sidebar(self, user) -> "ConversationQuerySet":
        return self.for_owner(user).only("id", "title", "updated").order_by("-updated", "-id")


class Conversation(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["owner", "-updated"], name="conversation_sidebar")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("chat-conversation", args=[self.pk])


class MessageQuerySet(models.QuerySet):
    @staticmethod
    def stale_cutoff():
        return timezone.now() - timedelta(seconds=settings.LAWBOT_STREAM_STALE_SECONDS)

    def stale(self) -> "MessageQuerySet":
        """Answers still marked streaming that nobody has written for too long: a dead worker's."""
        return self.filter(status=Message.Status.STREAMING, updated__lt=self.stale_cutoff())


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    class Status(models.TextChoices):
        STREAMING = "streaming"
        COMPLETE = "complete"
        STOPPED = "stopped"
        INTERRUPTED = "interrupted"
        ERROR = "error"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(blank=True)
    model = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COMPLETE)
    citations = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # Set by the stop POST on any worker; the generating worker sees it on its next save.
    stop_requested = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
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
