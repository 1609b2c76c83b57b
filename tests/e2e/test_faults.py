"""Faults around the server: the database going away and coming back."""

import os

import httpx
import psycopg
import pytest

from tests.e2e.conftest import maintenance_url
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
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert ask(server).status_code == 200
