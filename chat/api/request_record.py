"""What one API request did, recorded as a RequestLog row however it ended."""

import logging
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError

from api_keys.limits import Lease
from api_keys.models import ApiKey, RequestLog
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

    def mark_first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()

    def fail(self, error: ApiError) -> None:
        self.error = error
        self.status = error.status

    async def save(self) -> None:
        if self.saved:
            return
        self.saved = True
        try:
            await self._write()
        except DatabaseError:
            # The answer was served; losing its log row must not turn it into an error.
            logger.warning("request %s: the request log could not be written", self.request_id)
        finally:
            # After the log row: a token counter seeded meanwhile then already includes it.
            if self.lease:
                await self.lease.release(tokens=self.prompt_tokens + self.completion_tokens)

    async def _write(self) -> None:
        log_content = settings.LAWBOT_LOG_CONTENT
        # PostgreSQL text cannot hold NUL, which a request may carry anywhere.
        text = str.maketrans({"\x00": "\ufffd"})
        await RequestLog.objects.acreate(
            request_id=self.request_id,
            api_key=self.api_key,
            user_id=self.api_key.user_id if self.api_key else None,
            path=self.path[:200].translate(text),
            model=self.model[:100],
            status_code=self.status,
            streamed=self.streamed,
            client_closed=self.client_closed,
            finish_reason=self.finish_reason,
            latency_ms=round((time.perf_counter() - self.started) * 1000),
            first_token_ms=(
                round((self.first_token_at - self.started) * 1000) if self.first_token_at else None
            ),
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            unverified_citations=self.unverified_citations,
            error_code=(self.error.code or "") if self.error else "",
            error_message=self.error.message.translate(text) if self.error else "",
            question=self.question.translate(text) if log_content else "",
            answer=self.answer.translate(text) if log_content else "",
        )
