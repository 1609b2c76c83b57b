"""API key authentication for the API views."""

import re

from django.http import HttpRequest

from api_keys.models import ApiKey
from api_keys.services import api_key_for_secret, api_key_touch
from chat.api.errors import ApiError

# Keys are URL-safe base64; anything else (NUL, non-ASCII, 100 KB) is refused before the lookup,
# which PostgreSQL would fail on with a NUL in the prefix.
KEY_SHAPE = re.compile(r"[A-Za-z0-9_\-]{1,200}")
INVALID_KEY = (
    "Incorrect API key provided. Send 'Authorization: Bearer <key>' with a key from your "
    "API keys page or your administrator."
)


async def authenticate(request: HttpRequest) -> ApiKey:
    return await authenticate_header(request.headers.get("Authorization", ""))


async def authenticate_header(header: str) -> ApiKey:
    """The usable key an Authorization header carries; ApiError 401 otherwise."""
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
