"""The stream's bytes on the wire, compression, heartbeats and client disconnects."""

import json
import socket
import time

import httpx
import pytest
from httpx_sse import connect_sse

pytestmark = pytest.mark.e2e
SEED = "請說明勞動基準法中的資遣費計算方式"


def payload(**extra) -> dict:
    return {"model": "lawbot-pro", "messages": [{"role": "user", "content": SEED}], **extra}


def test_raw_bytes_match_the_contract_and_are_never_compressed(lawbot_server):
    headers = {"Authorization": f"Bearer {lawbot_server.secret}", "Accept-Encoding": "gzip, br"}
    with httpx.stream(
        "POST",
        f"{lawbot_server.url}/v1/chat/completions",
        json=payload(stream=True, stream_options={"include_usage": True}),
        headers=headers,
        timeout=30,
    ) as response:
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert "content-encoding" not in response.headers
        raw = b"".join(response.iter_raw())
    frames = raw.decode().split("\n\n")
    assert frames[-1] == "" and frames[-2] == "data: [DONE]"
    chunks = [json.loads(f.removeprefix("data: ")) for f in frames[:-2]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop" and chunks[-2]["citations"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert len({c["id"] for c in chunks}) == 1


def test_events_arrive_over_time(lawbot_server):
    headers = {"Authorization": f"Bearer {lawbot_server.secret}"}
    arrivals = []
    with (
        httpx.Client(timeout=30) as client,
        connect_sse(
            client,
            "POST",
            f"{lawbot_server.url}/v1/chat/completions",
            json=payload(stream=True),
            headers=headers,
        ) as source,
    ):
        for event in source.iter_sse():
            arrivals.append(time.monotonic())
            if event.data == "[DONE]":
                break
    # The composer sends what fell due every LAWBOT_COMPOSER_TICK_MS (10 ms on the test server):
    # several chunks however late a busy machine wakes it, not one burst at the end.
    assert len(arrivals) > 6
    assert arrivals[-1] - arrivals[0] > 0.05  # spread out, not one burst


@pytest.fixture(scope="module")
def slow_server(lawbot_server_factory):
    """A composer paced at 100 ms a piece (the answer takes seconds), so the client surely leaves
    before it ends: at the test servers' 3 ms, a loaded machine may send it all first."""
    return lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="100")


def test_client_disconnect_is_logged_with_the_partial_answer(slow_server):
    body = json.dumps(payload(model="lawbot-lite", stream=True)).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {slow_server.secret}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    host, port = slow_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while received.count(b"data: ") < 5:
            received += sock.recv(4096)
    deadline = time.monotonic() + 10
    row = None
    while time.monotonic() < deadline and row is None:
        rows = slow_server.query(
            "select status_code, client_closed, answer, completion_tokens from api_keys_requestlog where client_closed"
        )
        row = rows[0] if rows else None
        time.sleep(0.1)
    assert row is not None, "no log row for the disconnected stream"
    status, closed, answer, tokens = row
    assert closed and status == 200
    assert answer and tokens > 0
    assert "以上為法律資訊" not in answer  # partial: generation stopped when the client left
