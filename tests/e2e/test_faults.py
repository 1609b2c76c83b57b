"""Faults around the server: the database going away and coming back."""

import os
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.e2e.conftest import maintenance_url, manage
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e
POSTGRES = (
    os.environ.get("LAWBOT_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def database_behind_proxy(lawbot_server_factory):
    try:
        psycopg.connect(maintenance_url(POSTGRES), connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip("needs the PostgreSQL server on 127.0.0.1:5432 (CI has it)")
    proxy = TcpProxy(5432)
    proxy.start()
    url = maintenance_url(POSTGRES).replace(":5432/", f":{proxy.port}/")
    server = lawbot_server_factory(_database_via=url)
    yield server, proxy
    proxy.stop()


def ask(server) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {server.secret}"},
        json={"model": "lawbot-lite", "messages": [{"role": "user", "content": "勞基法第17條"}]},
        timeout=30,
    )


def test_database_outage_gives_503_and_recovers_by_itself(database_behind_proxy):
    server, proxy = database_behind_proxy
    assert ask(server).status_code == 200

    proxy.stop()
    down = ask(server)
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "database_unavailable"
    assert down.json()["error"]["type"] == "server_error"
    health = httpx.get(f"{server.url}/healthz", timeout=10)
    assert health.status_code == 503 and health.json()["database"] == "unavailable"

    proxy.start()
    # The connection pool replaces its dead connections by itself, retrying with a backoff of a
    # few seconds: within a bounded number of probes, the server is healthy again.
    statuses = []
    for _ in range(30):
        statuses.append(httpx.get(f"{server.url}/healthz", timeout=10).status_code)
        if statuses[-1] == 200:
            break
        time.sleep(1)
    assert statuses[-1] == 200, statuses
    assert ask(server).status_code == 200


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_clients_that_never_read_keep_memory_bounded(lawbot_server):
    import json
    import socket
    import time

    body = json.dumps(
        {
            "model": "lawbot-pro",
            "stream": True,
            "messages": [{"role": "user", "content": "勞基法第17條的資遣費"}],
        }
    ).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {lawbot_server.secret}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    host, port = lawbot_server.url.removeprefix("http://").split(":")
    before = rss_mib(lawbot_server.process.pid)
    logged = lawbot_server.query("select count(*) from api_keys_requestlog where streamed")[0][0]
    sockets = []
    for _ in range(40):
        sock = socket.create_connection((host, int(port)))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a reader that barely reads
        sock.sendall(head + body)
        sockets.append(sock)
    try:
        # Every answer is produced in full into its unread socket, and logged at its end.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = lawbot_server.query("select count(*) from api_keys_requestlog where streamed")[
                0
            ][0]
            if done - logged >= 40:
                break
            time.sleep(0.1)
        assert done - logged >= 40
        assert rss_mib(lawbot_server.process.pid) - before < 64
        ok = httpx.get(f"{lawbot_server.url}/healthz", timeout=10)
        assert ok.status_code == 200  # the server keeps serving others
    finally:
        for sock in sockets:
            sock.close()


def test_redis_outage_keeps_the_server_answering_with_per_process_limits(lawbot_server_factory):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it)")
    proxy = TcpProxy(6379)
    proxy.start()
    try:
        server = lawbot_server_factory(REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0")
        secret = manage(server.env, "create_api_key", "--user", "r", "--name", "r", "--rpm", "3")
        secret = secret.strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {secret}"}
        body = {"model": "lawbot-lite", "messages": [{"role": "user", "content": "勞基法第17條"}]}
        url = f"{server.url}/v1/chat/completions"
        assert httpx.post(url, json=body, headers=headers, timeout=30).status_code == 200

        proxy.stop()
        answered = [
            httpx.post(url, json=body, headers=headers, timeout=30).status_code for _ in range(4)
        ]
        # Still answering; the limit now holds in the process, counting afresh: 3 pass, then 429.
        assert answered == [200, 200, 200, 429]
        log = (server.var_dir / "daphne.log").read_text()
        assert "Redis is unavailable" in log
    finally:
        proxy.stop()
