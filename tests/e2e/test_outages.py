"""Degrade, don't fail: Redis (the channel layer, the cache) and PostgreSQL cut under chat answers.
The database is the record; the channel layer and the cache are helpers."""

import os
import time

import httpx
import psycopg
import pytest
import redis
from httpx_sse import connect_sse

from tests.e2e.conftest import maintenance_url, manage, signed_in
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e
PASSWORD = "outage-pass-123"
POSTGRES = (
    os.environ.get("LAWBOT_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
)


def with_user(server) -> httpx.Client:
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('olive', password={PASSWORD!r})",
    )
    return signed_in(server.url, "olive", PASSWORD)


def followed(client: httpx.Client, url: str, message_id: int) -> tuple[str, str]:
    """The text a follower received and the status its end event gave."""
    text = ""
    with connect_sse(client, "GET", f"{url}/api/ui/messages/{message_id}/stream") as events:
        for event in events.iter_sse():
            if event.event == "delta":
                text += event.json()["text"]
            if event.event == "end":
                return text, event.json()["status"]
    raise AssertionError("the stream ended without an end event")


def saved(server, message_id: int) -> tuple[str, str]:
    return server.query("SELECT status, content FROM chat_message WHERE id = ?", (message_id,))[0]


def test_chat_answers_are_not_failed_by_a_redis_outage(lawbot_server_factory):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it)")
    proxy = TcpProxy(6379)
    proxy.start()
    try:
        server = lawbot_server_factory(REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0")
        client = with_user(server)
        asked = client.post(f"{server.url}/api/ui/ask", json={"question": "勞基法第17條"})
        assert followed(client, server.url, asked.json()["message_id"])[1] == "complete"

        proxy.stop()
        results = []
        for n in range(6):
            asked = client.post(f"{server.url}/api/ui/ask", json={"question": f"資遣費{n}"})
            assert asked.status_code == 200, asked.text
            message_id = asked.json()["message_id"]
            text, status = followed(client, server.url, message_id)
            results.append((status, text == saved(server, message_id)[1] and bool(text)))
        assert results == [("complete", True)] * 6
        assert "channel layer unavailable" in (server.var_dir / "daphne.log").read_text()

        proxy.start()
        for n in range(2):
            asked = client.post(f"{server.url}/api/ui/ask", json={"question": f"特休{n}"})
            assert followed(client, server.url, asked.json()["message_id"])[1] == "complete"
    finally:
        proxy.stop()


@pytest.fixture
def database_behind_proxy(lawbot_server_factory):
    try:
        psycopg.connect(maintenance_url(POSTGRES), connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip("needs the PostgreSQL server on 127.0.0.1:5432 (CI has it)")
    proxy = TcpProxy(5432)
    proxy.start()
    url = maintenance_url(POSTGRES).replace(":5432/", f":{proxy.port}/")
    # Slow enough that the answer is still being written through the whole outage.
    server = lawbot_server_factory(_database_via=url, LAWBOT_COMPOSER_DELAY_MS="60")
    yield server, proxy
    proxy.stop()


def test_a_database_outage_keeps_the_ending_of_an_answer_in_flight(database_behind_proxy):
    server, proxy = database_behind_proxy
    client = with_user(server)
    asked = client.post(f"{server.url}/api/ui/ask", json={"question": "勞基法第17條的資遣費"})
    message_id = asked.json()["message_id"]
    deadline = time.monotonic() + 30
    while not saved(server, message_id)[1]:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    proxy.stop()
    down = client.post(f"{server.url}/api/ui/ask", json={"question": "又一題"})
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "database_unavailable"
    assert "資料庫" in down.json()["error"]["message"]  # translated, as the page shows it
    outage_ends = time.monotonic() + 5
    while time.monotonic() < outage_ends:
        time.sleep(0.1)
    proxy.start()

    deadline = time.monotonic() + 120
    while saved(server, message_id)[0] == "streaming":
        assert time.monotonic() < deadline, "the answer's ending was lost"
        time.sleep(0.1)
    status, content = saved(server, message_id)
    assert status == "complete"
    # The composer is deterministic: the whole answer, as it is without an outage.
    again = client.post(f"{server.url}/api/ui/ask", json={"question": "勞基法第17條的資遣費"})
    assert followed(client, server.url, again.json()["message_id"]) == (content, "complete")
