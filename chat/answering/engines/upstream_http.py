"""The upstream LLM over plain HTTP: one pooled httpx client per event loop, the streamed POST,
its Server-Sent Events read as JSON objects, and every way it can fail mapped to the AnswerError
the caller is shown. No SDK objects: the openai SDK turned each chunk into a pydantic model and
cost ~3 ms a request in its `post` alone (bench/RESULTS.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import AsyncIterator

import httpx
from django.conf import settings

from chat.answering.errors import AnswerError

NO_RETRY = {"x-should-retry": "false"}
ERROR_BODY_BYTES = 65536  # of an error response read for its message
# As the openai SDK's defaults: 1,000 simultaneous relayed streams must not queue for the pool.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
logger = logging.getLogger(__name__)
# One client (and connection pool) per event loop: pooled connections cannot cross loops.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class UpstreamStatus(Exception):
    """The upstream answered an HTTP error; `message` is what its body says."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class UpstreamReported(Exception):
    """The upstream sent an `error` event in the middle of its stream."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def upstream_client() -> httpx.AsyncClient:
    config = (settings.LAWBOT_LLM_TIMEOUT,)
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if config not in per_loop:
        # Nothing is retried (httpx never retries a request): a retry would repeat paid work.
        # HTTPS_PROXY / NO_PROXY are honoured, as the openai SDK did.
        per_loop[config] = httpx.AsyncClient(timeout=settings.LAWBOT_LLM_TIMEOUT, limits=LIMITS)
    return per_loop[config]


def _readable(text: str) -> str:
    return " ".join(text.split())[:500]  # an HTML error page from a proxy stays readable


def _error_message(raw: bytes, status: int) -> str:
    """The message an error body carries: OpenAI's {"error": {"message"}}, or its text."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw.decode("utf-8", "replace")
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return _readable(inner["message"])
        if isinstance(inner, str) and inner:
            return _readable(inner)
        return _readable(json.dumps(body, ensure_ascii=False))
    if isinstance(body, str) and body.strip():
        return _readable(body)
    return f"Error code: {status}"


def upstream_failure(error: Exception, *, started: bool) -> AnswerError:
    """The API error that tells the caller what went wrong with the upstream LLM."""
    logger.warning("upstream LLM %s failed: %r", settings.LAWBOT_LLM_BASE_URL, error)
    if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
        return AnswerError(
            504,
            f"The upstream LLM did not respond within {settings.LAWBOT_LLM_TIMEOUT:g} seconds.",
            code="upstream_timeout",
        )
    if isinstance(error, httpx.TransportError | httpx.InvalidURL):
        if started:
            return AnswerError(
                502,
                "The upstream LLM closed the connection in the middle of the answer.",
                code="upstream_error",
            )
        return AnswerError(
            503,
            "The upstream LLM is unavailable (cannot connect to it); try again later.",
            code="upstream_unavailable",
        )
    if isinstance(error, UpstreamStatus) and error.status in (401, 403):
        # Its message may quote Lawbot's own upstream key; the caller is told only what to do.
        return AnswerError(
            502,
            f"The upstream LLM refused Lawbot's credentials (HTTP {error.status}); "
            "the operator must check LAWBOT_LLM_API_KEY.",
            code="upstream_error",
            headers=NO_RETRY,
        )
    if isinstance(error, UpstreamStatus):
        return AnswerError(
            502,
            f"The upstream LLM answered HTTP {error.status}: {error.message}",
            code="upstream_error",
            # The upstream refusing this request (context too long…) will refuse it again.
            headers=NO_RETRY if error.status < 500 else None,
        )
    if isinstance(error, UpstreamReported):
        return AnswerError(
            502,
            f"The upstream LLM reported an error: {error.message}",
            code="upstream_error",
        )
    # json.JSONDecodeError is a ValueError; a chunk of the wrong shape fails on access.
    logger.warning("garbled stream from the upstream LLM: %r", error)
    return AnswerError(502, "The upstream LLM sent a malformed stream.", code="upstream_error")


def _headers() -> dict[str, str]:
    # Local servers (Ollama, vLLM without --api-key) need no key; they ignore the header.
    return {
        "Authorization": f"Bearer {settings.LAWBOT_LLM_API_KEY or 'none'}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
    }


async def upstream_post(body: dict) -> httpx.Response:
    """POSTs a streamed chat completion and returns the response once its headers are in (so a
    refusal or an HTTP error raises here, as AnswerError); the caller closes it."""
    url = settings.LAWBOT_LLM_BASE_URL.rstrip("/") + "/chat/completions"
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    client = upstream_client()
    try:
        request = client.build_request("POST", url, content=content, headers=_headers())
        response = await client.send(request, stream=True)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise upstream_failure(error, started=False) from error
    if response.status_code >= 400:
        raw = b""
        try:
            async for part in response.aiter_raw():
                raw += part
                if len(raw) >= ERROR_BODY_BYTES:
                    break
        except httpx.HTTPError:
            pass  # the status says enough
        finally:
            await response.aclose()
        error = UpstreamStatus(response.status_code, _error_message(raw, response.status_code))
        raise upstream_failure(error, started=False) from error
    return response


async def sse_objects(response: httpx.Response) -> AsyncIterator[object]:
    """The JSON value of each event's `data` until `[DONE]`; an `error` event raises
    UpstreamReported, a malformed one ValueError (both for upstream_failure). Comments (`: ping`,
    OpenRouter's `: PROCESSING`), `event:` and `id:` lines are skipped."""
    buffer = b""
    data: list[bytes] = []
    async for part in response.aiter_bytes():
        buffer += part
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
                continue
            if line or not data:
                continue  # a field Lawbot does not read, or a blank line after nothing
            payload = data[0] if len(data) == 1 else b"\n".join(data)
            data = []
            if payload == b"[DONE]":
                return
            parsed = json.loads(payload)
            if isinstance(parsed, dict) and parsed.get("error"):
                raise UpstreamReported(_reported(parsed["error"]))
            yield parsed


def _reported(error: object) -> str:
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return _readable(error["message"])
    return _readable(error if isinstance(error, str) else json.dumps(error, ensure_ascii=False))
