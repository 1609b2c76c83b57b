"""Nothing a request or an answer opens outlives it: database connections (PostgreSQL) and file
descriptors (SQLite) are counted on a live server across many answers and page requests."""

import os
import time
from pathlib import Path

import pytest
from httpx_sse import connect_sse

from tests.e2e.conftest import manage, signed_in

pytestmark = pytest.mark.e2e
PASSWORD = "leaks-pass-123"
# On PostgreSQL a process keeps a pool of connections that grows with concurrency, up to its
# size: a small pool makes a leak show (past the size, or as answers that wait for a connection
# and fail), where counting "none gained" would take the pool's growth for one.
POOL_SIZE = 4


@pytest.fixture(scope="module")
def server(lawbot_server_factory):
    server = lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="0", LAWBOT_DB_POOL_SIZE=str(POOL_SIZE))
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('erin', password={PASSWORD!r})",
    )
    return server


def database_handles(server) -> int:
    """PostgreSQL connections to the server's database, or its open SQLite files."""
    url = server.env.get("DATABASE_URL")
    if url:
        name = url.rsplit("/", 1)[-1]
        rows = server.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()",
            (name,),
        )
        return rows[0][0]
    fds = Path(f"/proc/{server.process.pid}/fd")
    return sum("lawbot.sqlite3" in os.readlink(fd) for fd in fds.iterdir() if fd.exists())


def slack(server) -> int:
    """SQLite defers closing a connection's descriptor while another connection of the process
    holds a lock on the file, and reuses it at the next open: one descriptor comes and goes."""
    return 0 if server.env.get("DATABASE_URL") else 1


def settled(server, before: int) -> int:
    """Handles gained, once the last request has finished on the server (its connection is
    closed just after its last byte is sent): polled for a few seconds, never assumed. On
    PostgreSQL, the connections beyond what the pool may hold."""
    pooled = bool(server.env.get("DATABASE_URL"))
    deadline = time.monotonic() + 5
    while True:
        handles = database_handles(server)
        gained = max(0, handles - POOL_SIZE) if pooled else handles - before
        if gained <= slack(server) or time.monotonic() > deadline:
            return gained
        time.sleep(0.05)


def answer(client, url: str, question: str) -> str:
    asked = client.post(f"{url}/api/ui/ask", json={"question": question})
    assert asked.status_code == 200, asked.text
    message_id = asked.json()["message_id"]
    with connect_sse(client, "GET", f"{url}/api/ui/messages/{message_id}/stream") as events:
        for event in events.iter_sse():
            if event.event == "end":
                return event.data
    raise AssertionError("the stream ended without an end event")


def test_answers_on_the_chat_page_keep_no_connection(server):
    client = signed_in(server.url, "erin", PASSWORD)
    for _ in range(5):  # warm-up: the pool (PostgreSQL) and the shared thread's connection
        answer(client, server.url, "勞基法第17條的資遣費")
    before = database_handles(server)
    for n in range(40):
        assert '"complete"' in answer(client, server.url, f"資遣費怎麼算？第{n}次")
    assert settled(server, before) <= slack(server)


def test_page_requests_keep_no_file_descriptor(server):
    client = signed_in(server.url, "erin", PASSWORD)
    for _ in range(5):
        assert client.get(f"{server.url}/").status_code == 200
    before = database_handles(server)
    for _ in range(300):
        assert client.get(f"{server.url}/").status_code == 200
    assert settled(server, before) <= slack(server)
