from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone


class ApiKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    # "lb-" and the first 8 characters of the secret: tells keys apart, useless on its own.
    prefix = models.CharField(max_length=16, db_index=True)
    secret_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the secret, never the secret"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    allowed_models = models.JSONField(default=list, blank=True, help_text="empty: every model")
    rpm_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="requests per minute; empty: unlimited",
    )
    tpd_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="tokens (prompt + completion) per day; empty: unlimited",
    )
    max_concurrent = models.PositiveIntegerField(
        null=True,
        blank=True,
        # Each slot is a cache key probed on every request: keep the count modest.
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="requests in progress at once (streamed or not); empty: unlimited",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="unique_key_name_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None or not self.user.is_active:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"

    def allows_model(self, model: str) -> bool:
        return not self.allowed_models or model in self.allowed_models


class RequestLogQuerySet(models.QuerySet):
    def usage_by_day(self, *, since: date) -> "RequestLogQuerySet":
        """Requests, tokens and errors per key per day, from `since` (a local date) on."""
        return (
            self.filter(day__gte=since)
            .values("api_key_id", "day")
            .annotate(
                requests=Count("id"),
                prompt_tokens=Sum("prompt_tokens"),
                completion_tokens=Sum("completion_tokens"),
                errors=Count("id", filter=Q(status_code__gte=400)),
            )
            .order_by("day", "api_key_id")
        )


class RequestLog(models.Model):
    request_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The local date (TIME_ZONE) of created_at, stored so that usage groups by a plain column.
    day = models.DateField(editable=False)
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    path = models.CharField(max_length=200)
    model = models.CharField(max_length=100, blank=True)
    status_code = models.PositiveSmallIntegerField()
    streamed = models.BooleanField(default=False)
    client_closed = models.BooleanField(default=False)
    finish_reason = models.CharField(max_length=20, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    first_token_ms = models.PositiveIntegerField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    # Citations an upstream LLM wrote that are not among the retrieved articles or do not exist
    # (flagged in the answer too).
    unverified_citations = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    question = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    # The server process (api_keys.workers) of a request in progress, whose status_code is then
    # IN_PROGRESS: a start-up marks the rows of processes that died as interrupted.
    worker = models.CharField(max_length=64, blank=True)

    IN_PROGRESS = 0

    objects = RequestLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["api_key", "created_at"]),
            models.Index(fields=["user", "created_at"]),
            # Covering indexes for usage: day-by-key sums are read from the index alone.
            models.Index(
                fields=["day", "api_key", "status_code", "prompt_tokens", "completion_tokens"],
                name="requestlog_usage_by_day",
            ),
            models.Index(
                fields=["api_key", "day", "status_code", "prompt_tokens", "completion_tokens"],
                name="requestlog_usage_by_key",
            ),
            # The few rows in progress, which a start-up reads.
            models.Index(
                fields=["worker"], condition=Q(status_code=0), name="requestlog_in_progress"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status_code}"

    def save(self, *args, **kwargs):
        if self.day is None:
            self.day = timezone.localdate(self.created_at)
        super().save(*args, **kwargs)
