"""API key authentication for the API views."""

from django.http import HttpRequest

from api_keys.models import ApiKey
from api_keys.services import api_key_for_secret, api_key_touch
from chat.errors import ApiError

INVALID_KEY = (
    "Incorrect API key provided. Send 'Authorization: Bearer <key>' with a key from your "
    "API keys page or your administrator."
)


async def authenticate(request: HttpRequest) -> ApiKey:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            code="invalid_api_key",
        )
    api_key = await api_key_for_secret(secret.strip())
    if api_key is None:
        raise ApiError(401, INVALID_KEY, code="invalid_api_key")
    await api_key_touch(api_key)
    return api_key
