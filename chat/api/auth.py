"""API key authentication for the API views, and the throttle on failed keys.

Failed keys are counted per client address in the cache (shared by the workers, one counter per
clock minute), not written to the request log. An address past LAWBOT_KEY_FAILURES failures in a
minute gets 429 for the rest of that minute for every key it sends, the right one included
(otherwise a guesser would still tell right from wrong at full speed). Each worker remembers the
addresses it refused, so that a refused request costs neither the cache nor the database."""

import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from api_keys.limits import rate_limited
from api_keys.models import ApiKey
from api_keys.services import api_key_for_secret, api_key_touch
from chat.api.errors import ApiError, api_error

# Keys are URL-safe base64; anything else (NUL, non-ASCII, 100 KB) is refused before the lookup,
# which PostgreSQL would fail on with a NUL in the prefix.
KEY_SHAPE = re.compile(r"[A-Za-z0-9_\-]{1,200}")
INVALID_KEY = (
    "Incorrect API key provided. Send 'Authorization: Bearer <key>' with a key from your "
    "API keys page or your administrator."
)


_refused_until: dict[str, float] = {}  # address → the end of its refused minute (time.time())


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _refusal(until: float, now: float) -> ApiError:
    error = api_error(
        rate_limited(
            "Too many requests with an invalid API key from your address; "
            f"try again in {math.ceil(until - now)} seconds.",
            until - now,
        )
    )
    error.code = "too_many_invalid_keys"
    return error


async def _count_failure(address: str) -> None:
    limit = settings.LAWBOT_KEY_FAILURES
    if not limit:
        return
    now = time.time()
    key = f"lawbot:keyfail:{address}:{int(now // 60)}"
    await cache.aadd(key, 0, timeout=120)
    try:
        failures = await cache.aincr(key)
    except ValueError:  # expired between add and incr
        return
    if failures >= limit:
        _refused_until[address] = (now // 60 + 1) * 60
        if len(_refused_until) > 10_000:  # many addresses: forget the ones whose minute is over
            for stale in [a for a, until in _refused_until.items() if until <= now]:
                del _refused_until[stale]


async def authenticate(request: HttpRequest) -> ApiKey:
    return await authenticate_header(
        request.headers.get("Authorization", ""), address=_address(request)
    )


async def authenticate_header(header: str, *, address: str) -> ApiKey:
    """The usable key an Authorization header carries; ApiError 401 otherwise, and 429 for an
    address that sent too many invalid keys this minute (counted, not logged row by row)."""
    until = _refused_until.get(address)
    if until is not None:
        now = time.time()
        if now < until:
            raise _refusal(until, now)
        del _refused_until[address]
    try:
        return await _key_of(header)
    except ApiError:
        await _count_failure(address)
        raise


async def _key_of(header: str) -> ApiKey:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            code="invalid_api_key",
        )
    secret = secret.strip()
    api_key = await api_key_for_secret(secret) if KEY_SHAPE.fullmatch(secret) else None
    if api_key is None:
        raise ApiError(401, INVALID_KEY, code="invalid_api_key")
    await api_key_touch(api_key)
    return api_key
