"""What one API request did, recorded as a RequestLog row however it ended.

A request that gets as far as its answer has its row from the start (status IN_PROGRESS, with its
prompt tokens, which count toward the key's daily budget at once); its end updates it. A crash
cannot lose it: the next start-up marks it interrupted (api_keys.services). A request refused
before that (a bad body, a limit) is written once, at its end, a moment later."""

import asyncio
import contextvars
import logging
import secrets
import time
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connections

from api_keys.limits import Lease
from api_keys.models import ApiKey, RequestLog
from api_keys.workers import this_worker
from chat.api.errors import ApiError

logger = logging.getLogger(__name__)


@dataclass
class RequestRecord:
    path: str
    request_id: str = field(default_factory=lambda: "req_" + secrets.token_hex(12))
    started: float = field(default_factory=time.perf_counter)
    api_key: ApiKey | None = None
    model: str = ""
    streamed: bool = False
    client_closed: bool = False
    status: int = 200
    finish_reason: str = ""
    first_token_at: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    unverified_citations: int = 0
    error: ApiError | None = None
    question: str = ""
    answer: str = ""
    saved: bool = False
    lease: Lease | None = None
    row_id: int | None = None  # the row written at the start, if any

    def mark_first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()

    def fail(self, error: ApiError) -> None:
        self.error = error
        self.status = error.status

    async def open(self) -> None:
        """Writes the row of a request in progress (its question and prompt tokens known)."""
        await sync_to_async(self.open_row)()
        await self.opened()

    def open_row(self) -> None:
        """open's database part, for a caller already in the database thread (one trip for the
        row and the work after it); opened() must follow, back in async code."""
        try:
            row = RequestLog.objects.create(
                **self._fields(), status_code=RequestLog.IN_PROGRESS, worker=this_worker()
            )
        except DatabaseError:
            logger.warning("request %s: its log row could not be opened", self.request_id)
            return
        self.row_id = row.pk

    async def opened(self) -> None:
        """The prompt's tokens count toward the key's daily budget from the row's writing."""
        if self.row_id is not None and self.lease:
            await self.lease.count(self.prompt_tokens)

    async def save(self) -> None:
        if self.saved:
            return
        self.saved = True
        try:
            await self._write()
        except DatabaseError:
            # The answer was served; an outage must turn it neither into an error nor into a
            # lost row: the row is written once the database is back.
            logger.warning("request %s: the request log could not be written", self.request_id)
            _retry_later(self)
        finally:
            # After the log row: a token counter seeded meanwhile then already includes it.
            if self.lease:
                await self.lease.release(tokens=self.prompt_tokens + self.completion_tokens)

    async def _write(self) -> None:
        if self.row_id is not None:
            fields = self._fields()
            for name in ("request_id", "api_key", "user_id", "path", "question"):
                del fields[name]  # as the row has them
            await RequestLog.objects.filter(pk=self.row_id).aupdate(
                **fields, status_code=self.status, worker=""
            )
        else:
            await RequestLog.objects.acreate(**self._fields(), status_code=self.status)

    def _fields(self) -> dict:
        log_content = settings.LAWBOT_LOG_CONTENT
        return dict(
            request_id=self.request_id,
            api_key=self.api_key,
            user_id=self.api_key.user_id if self.api_key else None,
            path=_storable(self.path[:200]),
            model=self.model[:100],
            streamed=self.streamed,
            client_closed=self.client_closed,
            # A stream the client closed did not end by the answer's own reason.
            finish_reason="client_closed" if self.client_closed else self.finish_reason,
            latency_ms=round((time.perf_counter() - self.started) * 1000),
            first_token_ms=(
                round((self.first_token_at - self.started) * 1000) if self.first_token_at else None
            ),
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            unverified_citations=self.unverified_citations,
            error_code=(self.error.code or "") if self.error else "",
            error_message=_storable(self.error.message) if self.error else "",
            question=_storable(self.question) if log_content else "",
            answer=_storable(self.answer) if log_content else "",
        )


def _storable(text: str) -> str:
    """The text as PostgreSQL can store it: NUL, which a request may carry anywhere, as U+FFFD.
    str.replace, not str.translate: translate walks a 1 MiB question in ~25 ms of CPU holding the
    GIL, twice per request (its row opened and closed), which stalled every other request."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


RETRY_SECONDS = 120.0
RETRY_PAUSE = 1.0
_retrying: set[asyncio.Task] = set()  # strong references: the loop keeps only weak ones


def _retry_later(record: RequestRecord) -> None:
    # In a context of its own: the request's sync thread is gone by the time this runs.
    task = asyncio.get_running_loop().create_task(_retry(record), context=contextvars.Context())
    _retrying.add(task)
    task.add_done_callback(_retrying.discard)


async def _retry(record: RequestRecord) -> None:
    deadline = time.monotonic() + RETRY_SECONDS
    while time.monotonic() < deadline:
        await asyncio.sleep(RETRY_PAUSE)
        try:
            await record._write()
        except DatabaseError:
            await sync_to_async(close_broken_connections)()
            continue
        logger.warning("request %s: the request log was written late", record.request_id)
        return
    logger.error("request %s: the request log was lost", record.request_id)


def close_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
