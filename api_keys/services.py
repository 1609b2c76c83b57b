"""API key operations: creation (the secret exists only in the return value), lookup, revocation."""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from api_keys.models import ApiKey, RequestLog
from api_keys.workers import FOREIGN_GRACE_HOURS, is_alive, is_local

KEY_PREFIX = "lb-"
VISIBLE_CHARS = 8


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def visible_prefix(secret: str) -> str:
    return secret[: len(KEY_PREFIX) + VISIBLE_CHARS]


def api_key_issue_secret(*, api_key: ApiKey) -> str:
    """A new secret for an unsaved key: sets its prefix and hash, returns the only copy."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key.prefix = visible_prefix(secret)
    api_key.secret_hash = hash_secret(secret)
    return secret


@transaction.atomic
def api_key_create(
    *,
    user,
    name: str,
    rpm_limit: int | None = None,
    tpd_limit: int | None = None,
    max_concurrent: int | None = None,
    allowed_models: list[str] | None = None,
    expires_in_days: int | None = None,
) -> CreatedKey:
    api_key = ApiKey(
        user=user,
        name=name,
        rpm_limit=rpm_limit,
        tpd_limit=tpd_limit,
        max_concurrent=max_concurrent,
        allowed_models=allowed_models or [],
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    secret = api_key_issue_secret(api_key=api_key)
    api_key.save()
    return CreatedKey(api_key=api_key, secret=secret)


def api_key_revoke(*, api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    recent_keys.clear()


def api_keys_revoke(*, keys) -> int:
    """Revokes the still-active keys among `keys` (a queryset); returns how many."""
    revoked = keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    recent_keys.clear()
    return revoked


def user_get_or_create(*, username: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    return user


class RecentKeys:
    """Keys found by secret in the last LAWBOT_KEY_CACHE_SECONDS, in this process: a burst of
    requests with one key reads it from the database once a second, not once per request.

    A key revoked, expired by an edit, restricted or deactivated (its user) in this process
    (admin, key page, these services) is dropped at once: saving a key or a user clears the
    cache. Changes made elsewhere (another worker, `manage.py revoke_api_key`, SQL) take effect
    within LAWBOT_KEY_CACHE_SECONDS. Expiry by the clock is checked on every request. Only keys
    that were found are kept, so unknown secrets cannot fill it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._found: dict[str, tuple[float, ApiKey]] = {}

    def get(self, digest: str) -> ApiKey | None:
        entry = self._found.get(digest)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, digest: str, api_key: ApiKey) -> None:
        seconds = settings.LAWBOT_KEY_CACHE_SECONDS
        if seconds <= 0:
            return
        now = self.clock()
        if len(self._found) >= 1000:
            self._found = {d: e for d, e in self._found.items() if e[0] > now}
        self._found[digest] = (now + seconds, api_key)

    def clear(self) -> None:
        self._found.clear()


recent_keys = RecentKeys()


async def api_key_for_secret(secret: str) -> ApiKey | None:
    """The usable key whose secret this is: lookup by visible prefix, then a constant-time
    comparison of hashes (or the same key found within the last second: RecentKeys)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) < len(KEY_PREFIX) + VISIBLE_CHARS + 8:
        return None
    wanted = hash_secret(secret)
    recent = recent_keys.get(wanted)
    if recent is not None:
        return recent if recent.is_usable else None
    async for candidate in ApiKey.objects.select_related("user").filter(
        prefix=visible_prefix(secret)
    ):
        if hmac.compare_digest(candidate.secret_hash, wanted) and candidate.is_usable:
            recent_keys.put(wanted, candidate)
            return candidate
    return None


async def api_key_touch(api_key: ApiKey) -> None:
    # Writing on every request would serialise SQLite writers; a minute's precision is enough.
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(seconds=60):
        api_key.last_used_at = now
        await ApiKey.objects.filter(pk=api_key.pk).aupdate(last_used_at=now)


def request_logs_purge(*, older_than_days: int, batch_size: int = 5000) -> int:
    """Deletes request logs older than the cutoff in batches (short write locks, so the server
    keeps logging meanwhile); returns how many were deleted."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(
            RequestLog.objects.filter(created_at__lt=cutoff)
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += RequestLog.objects.filter(pk__in=ids).delete()[0]


INTERRUPTED_MESSAGE = "The server stopped before the request finished (a crash or a restart)."


def request_logs_interrupt_orphaned() -> int:
    """Marks as interrupted (500) the rows in progress of server processes that died: those of
    this machine whose process is gone, and any left in progress for more than a day. Their
    tokens stay counted."""
    in_progress = RequestLog.objects.filter(status_code=RequestLog.IN_PROGRESS)
    workers = set(in_progress.values_list("worker", flat=True).distinct())
    dead = [worker for worker in workers if is_local(worker) and not is_alive(worker)]
    cutoff = timezone.now() - timedelta(hours=FOREIGN_GRACE_HOURS)
    orphaned = in_progress.filter(worker__in=dead) | in_progress.filter(created_at__lt=cutoff)
    return orphaned.update(
        status_code=500,
        error_code="interrupted",
        error_message=INTERRUPTED_MESSAGE,
        finish_reason="interrupted",
        worker="",
    )
