from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("user"),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    # "lb-" and the first 8 characters of the secret: tells keys apart, useless on its own.
    prefix = models.CharField(max_length=16, db_index=True, verbose_name=_("prefix"))
    secret_hash = models.CharField(
        max_length=64,
        help_text=_("SHA-256 of the secret, never the secret"),
        verbose_name=_("secret hash"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))
    allowed_models = models.JSONField(
        default=list,
        blank=True,
        help_text=_("empty: every model"),
        verbose_name=_("allowed models"),
    )
    rpm_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("requests per minute; empty: unlimited"),
        verbose_name=_("requests per minute"),
    )
    tpd_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("tokens (prompt + completion) per day; empty: unlimited"),
        verbose_name=_("tokens per day"),
    )
    max_concurrent = models.PositiveIntegerField(
        null=True,
        blank=True,
        # The check costs the same whatever the count (api_keys.limits); a bound keeps it sane.
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("requests in progress at once (streamed or not); empty: unlimited"),
        verbose_name=_("at once"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
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
    request_id = models.CharField(max_length=64, db_index=True, verbose_name=_("request id"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("time"))
    # The local date (TIME_ZONE) of created_at, stored so that usage groups by a plain column.
    day = models.DateField(editable=False, verbose_name=_("day"))
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("API key")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("user"),
    )
    path = models.CharField(max_length=200, verbose_name=_("path"))
    model = models.CharField(max_length=100, blank=True, verbose_name=_("model"))
    status_code = models.PositiveSmallIntegerField(verbose_name=_("status"))
    streamed = models.BooleanField(default=False, verbose_name=_("streamed"))
    client_closed = models.BooleanField(default=False, verbose_name=_("client closed"))
    finish_reason = models.CharField(max_length=20, blank=True, verbose_name=_("finish reason"))
    latency_ms = models.PositiveIntegerField(default=0, verbose_name=_("latency (ms)"))
    first_token_ms = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("first token (ms)")
    )
    prompt_tokens = models.PositiveIntegerField(default=0, verbose_name=_("prompt tokens"))
    completion_tokens = models.PositiveIntegerField(default=0, verbose_name=_("completion tokens"))
    # Citations an upstream LLM wrote that are not among the retrieved articles or do not exist
    # (flagged in the answer too).
    unverified_citations = models.PositiveIntegerField(
        default=0, verbose_name=_("unverified citations")
    )
    error_code = models.CharField(max_length=64, blank=True, verbose_name=_("error code"))
    error_message = models.TextField(blank=True, verbose_name=_("error message"))
    question = models.TextField(blank=True, verbose_name=_("question"))
    answer = models.TextField(blank=True, verbose_name=_("answer"))
    # The server process (api_keys.workers) of a request in progress, whose status_code is then
    # IN_PROGRESS: a start-up marks the rows of processes that died as interrupted.
    worker = models.CharField(max_length=64, blank=True, verbose_name=_("worker"))

    IN_PROGRESS = 0

    objects = RequestLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request log")
        verbose_name_plural = _("request logs")
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
