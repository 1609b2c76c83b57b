"""A worker killed mid-answer (SIGKILL: no chance to clean up): every request in flight is on record,
the text written so far is kept, and the next start-up marks it all interrupted, at once."""

import json
import signal
import socket
import time

import pytest

from tests.e2e.conftest import manage, signed_in, start_server

pytestmark = pytest.mark.e2e
PASSWORD = "killed-pass-123"
API_STREAMS = 50
CHAT_STREAMS = 10


def open_stream(url: str, secret: str) -> socket.socket:
    """A streamed completion whose client reads nothing (the server keeps writing into it)."""
    body = json.dumps(
        {
            "model": "lawbot-lite",
            "stream": True,
            "messages": [{"role": "user", "content": "勞基法第17條的資遣費怎麼算"}],
        }
    ).encode()
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        (
            f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {secret}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    return sock


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_killed_worker_leaves_every_request_on_record_and_marked_at_start_up(
    lawbot_server_factory,
):
    # A slow composer, so that every answer is still being written when the worker dies; the
    # staleness rule is left at its 60 s: only the start-up can mark them in time.
    server = lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="500")
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('dana', password={PASSWORD!r})",
    )
    client = signed_in(server.url, "dana", PASSWORD)
    answers = []
    for n in range(CHAT_STREAMS):
        asked = client.post(f"{server.url}/api/ui/ask", json={"question": f"勞基法第17條？{n}"})
        assert asked.status_code == 200, asked.text
        answers.append((asked.json()["conversation"]["id"], asked.json()["message_id"]))
    streams = [open_stream(server.url, server.secret) for _ in range(API_STREAMS)]
    ids = ",".join(str(message_id) for _, message_id in answers)

    def written() -> list[tuple]:
        return server.query(f"SELECT status, content FROM chat_message WHERE id IN ({ids})")

    def logged(condition: str) -> int:
        return server.query(f"SELECT count(*) FROM api_keys_requestlog WHERE {condition}")[0][0]

    try:
        wait_for(lambda: logged("streamed") == API_STREAMS, "every API stream to be on record")
        wait_for(lambda: all(content for _, content in written()), "every answer to be written")
        partial = {content for _, content in written()}
        assert {status for status, _ in written()} == {"streaming"}

        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    finally:
        for sock in streams:
            sock.close()
    assert logged("status_code = 0") == API_STREAMS  # nobody was left to finish them

    url, process = start_server(server.env, server.var_dir / "daphne-after.log")
    try:
        # Serving means the start-up is done: everything is marked now, not a minute later.
        assert logged("streamed AND status_code = 500 AND error_code = 'interrupted'") == (
            API_STREAMS
        )
        assert logged("streamed AND prompt_tokens > 0") == API_STREAMS  # counted toward the day
        assert {status for status, _ in written()} == {"interrupted"}
        kept = {content for _, content in written()}
        assert all(any(k.startswith(p) for k in kept) for p in partial)  # the text is kept
        again = signed_in(url, "dana", PASSWORD)
        page = again.get(f"{url}/c/{answers[0][0]}/")
        assert 'data-status="interrupted"' in page.text
        # The conversation takes a new question at once (it answered 409 for a minute).
        asked = again.post(
            f"{url}/api/ui/ask", json={"question": "再問一次", "conversation": answers[0][0]}
        )
        assert asked.status_code == 200, asked.text
    finally:
        process.terminate()
        process.wait(timeout=10)
