"""A worker killed mid-answer (SIGKILL: no chance to clean up): the text written so far is kept,
and the answer shows as interrupted once the server is back, never as streaming for ever."""

import signal
import time

import pytest

from tests.e2e.conftest import manage, signed_in, start_server

pytestmark = pytest.mark.e2e
PASSWORD = "killed-pass-123"


def test_an_answer_cut_off_by_a_killed_worker_is_kept_and_marked_interrupted(
    lawbot_server_factory,
):
    # A slow composer, so the answer is still being written when the worker dies.
    server = lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="150", LAWBOT_STREAM_STALE_SECONDS="2")
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('dana', password={PASSWORD!r})",
    )
    client = signed_in(server.url, "dana", PASSWORD)
    asked = client.post(f"{server.url}/api/ui/ask", json={"question": "勞基法第17條的資遣費"})
    assert asked.status_code == 200, asked.text
    message_id = asked.json()["message_id"]

    def saved() -> tuple[str, str, int]:
        return server.query(
            "SELECT status, content, conversation_id FROM chat_message WHERE id = ?",
            (message_id,),
        )[0]

    deadline = time.monotonic() + 30
    while not saved()[1] and time.monotonic() < deadline:
        time.sleep(0.1)
    status, partial, conversation_id = saved()
    assert status == "streaming" and partial, "the answer should be half-written"

    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    assert saved()[0] == "streaming"  # nobody was left to say otherwise

    url, process = start_server(server.env, server.var_dir / "daphne-after.log")
    try:
        time.sleep(2.5)  # LAWBOT_STREAM_STALE_SECONDS: nobody has written it for that long
        page = signed_in(url, "dana", PASSWORD).get(f"{url}/c/{conversation_id}/")
        assert page.status_code == 200
        assert 'data-status="interrupted"' in page.text
        status, content, _ = saved()
        assert status == "interrupted"
        assert content.startswith(partial)  # the text written before the kill is kept
    finally:
        process.terminate()
        process.wait(timeout=10)
