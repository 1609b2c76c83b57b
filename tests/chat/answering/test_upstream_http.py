"""Reading an upstream's Server-Sent Events without an SDK: events cut anywhere by the network,
CRLF line ends, comments and named fields, multi-line data, `[DONE]`, and error events."""

import httpx
import pytest

from chat.answering.engines.upstream_http import (
    UpstreamReported,
    UpstreamStatus,
    _error_message,
    sse_objects,
    upstream_failure,
)


class Parts(httpx.AsyncByteStream):
    def __init__(self, parts: list[bytes]):
        self.parts = parts

    async def __aiter__(self):
        for part in self.parts:
            yield part


async def read(parts: list[bytes]) -> list:
    response = httpx.Response(200, stream=Parts(parts))
    return [event async for event in sse_objects(response)]


@pytest.mark.asyncio
async def test_events_cut_anywhere_are_read_whole():
    raw = b'data: {"a": "\xe5\x8b\x9e"}\n\ndata: {"b": 2}\n\ndata: [DONE]\n\n'
    whole = await read([raw])
    assert whole == [{"a": "勞"}, {"b": 2}]
    for cut in range(1, len(raw)):  # every split point, inside a UTF-8 character too
        assert await read([raw[:cut], raw[cut:]]) == whole


@pytest.mark.asyncio
async def test_crlf_comments_fields_and_multiline_data():
    raw = (
        b": OPENROUTER PROCESSING\r\n\r\n"
        b'event: message\r\nid: 7\r\ndata:{"x":\r\ndata: 1}\r\n\r\n'
        b"retry: 100\n\n"
        b'data: [DONE]\n\ndata: {"after": true}\n\n'
    )
    assert await read([raw]) == [{"x": 1}]  # nothing after [DONE]


@pytest.mark.asyncio
async def test_an_error_event_raises_with_its_message():
    raw = b'data: {"a": 1}\n\ndata: {"error": {"message": "CUDA  out\\nof memory"}}\n\n'
    response = httpx.Response(200, stream=Parts([raw]))
    seen = []
    with pytest.raises(UpstreamReported) as raised:
        async for event in sse_objects(response):
            seen.append(event)
    assert seen == [{"a": 1}] and raised.value.message == "CUDA out of memory"


@pytest.mark.asyncio
async def test_garbage_is_a_value_error():
    with pytest.raises(ValueError):
        await read([b"data: {this is not json\n\n"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"error": {"message": "context too long", "type": "invalid"}}', "context too long"),
        (b'{"error": "model not loaded"}', "model not loaded"),
        (b'{"detail": "Not Found"}', '{"detail": "Not Found"}'),
        (b"<html>\n<h1>502  Bad Gateway</h1></html>", "<html> <h1>502 Bad Gateway</h1></html>"),
        (b"", "Error code: 500"),
    ],
)
def test_error_bodies_become_readable_messages(raw, message):
    assert _error_message(raw, 500) == message


def test_failures_map_to_the_callers_errors(settings):
    settings.LAWBOT_LLM_TIMEOUT = 2
    assert upstream_failure(httpx.ReadTimeout("slow"), started=True).code == "upstream_timeout"
    refused = upstream_failure(httpx.ConnectTimeout("no"), started=False)
    assert (refused.status, refused.code) == (503, "upstream_unavailable")
    closed = upstream_failure(httpx.RemoteProtocolError("peer closed"), started=True)
    assert (closed.status, "closed the connection" in closed.message) == (502, True)
    refused_key = upstream_failure(UpstreamStatus(401, "bad key sk-1"), started=False)
    assert "sk-1" not in refused_key.message and refused_key.headers == {"x-should-retry": "false"}
    overloaded = upstream_failure(UpstreamStatus(503, "busy"), started=False)
    assert overloaded.headers == {} and "HTTP 503: busy" in overloaded.message
    assert "malformed" in upstream_failure(ValueError("x"), started=True).message
