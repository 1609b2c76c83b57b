"""Calling the API from unit tests: a client that sends the key, and small request helpers."""

import json

import jsonschema
from django.test import AsyncClient

from chat.api.openapi import openapi_schema

SEED = "請說明勞動基準法中的資遣費計算方式"


def body(**extra) -> dict:
    return {"model": "lawbot-lite", "messages": [{"role": "user", "content": SEED}], **extra}


class KeyClient(AsyncClient):
    """An AsyncClient that sends the API key on every request."""

    def __init__(self, secret: str):
        super().__init__()
        self.auth = {"Authorization": f"Bearer {secret}"}

    def generic(self, *args, headers=None, **kwargs):
        return super().generic(*args, headers={**self.auth, **(headers or {})}, **kwargs)


async def post(client: AsyncClient, payload, path: str = "/v1/chat/completions"):
    return await client.post(path, json.dumps(payload), content_type="application/json")


async def events(response) -> list[str]:
    raw = b"".join([chunk async for chunk in response.streaming_content]).decode()
    assert raw.endswith("\n\n")
    return [frame for frame in raw.split("\n\n") if frame]


def assert_published(body: dict, path: str) -> None:
    """`body` is what /openapi.json says GET `path` returns (the fuzz run checks the same)."""
    document = openapi_schema()
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    jsonschema.Draft202012Validator(
        {**schema["schema"], "components": document["components"]}
    ).validate(body)
