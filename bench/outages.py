"""Chat answers through a Redis cut and a PostgreSQL cut (issue 17's "degrade, don't fail").

usage: .venv/bin/python bench/outages.py [--seconds 10] [--in-flight 5]
       [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--database-prefix lawbot_bench]
Starts one daphne on 127.0.0.1 in a temporary folder on the synthetic corpus, its PostgreSQL
database (a fresh one) and a private redis-server each behind a TCP proxy (tests/e2e/tcp_proxy.py),
and prints:
- the Redis cut: chat answers asked and followed during it and just after, and how they ended;
- the PostgreSQL cut: answers already being written when it starts (does each still end as
  `complete` once the database is back?), and what new questions get meanwhile (a clear 503
  `database_unavailable`, or anything else)."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    LiveServer,
    free_port,
    maintenance_url,
    manage,
    postgres_database,
    postgres_databases_drop,
    server_env,
    signed_in,
    start_server,
)
from tests.e2e.tcp_proxy import TcpProxy  # noqa: E402

PASSWORD = "bench-pass-123"


def followed(
    client: httpx.Client, url: str, message_id: int, reading: threading.Event | None = None
) -> str:
    """The status the answer's stream ends with ("no end" if it ends without one); `reading`
    is set once its first event has arrived."""
    try:
        with client.stream("GET", f"{url}/api/ui/messages/{message_id}/stream") as stream:
            if stream.status_code != 200:
                return f"stream {stream.status_code}"
            for line in stream.iter_lines():
                if reading and line.startswith("data: "):
                    reading.set()
                if line.startswith("data: ") and '"status"' in line:
                    return json.loads(line[6:])["status"]
    except httpx.HTTPError as exc:
        return f"stream {type(exc).__name__}"
    return "no end"


def asked(client: httpx.Client, url: str, question: str) -> tuple[int, str, int | None]:
    """The ask's status, its error code (if any) and the answer's message id."""
    try:
        response = client.post(f"{url}/api/ui/ask", json={"question": question})
    except httpx.HTTPError as exc:
        return 0, type(exc).__name__, None
    if response.status_code == 200:
        return 200, "", response.json()["message_id"]
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "not OpenAI error JSON"
    return response.status_code, code, None


def redis_cut(client, url, proxy: TcpProxy, seconds: float) -> None:
    proxy.stop()
    ends, during = time.monotonic() + seconds, []
    while time.monotonic() < ends:
        status, code, message_id = asked(client, url, f"特休幾天？{len(during)}")
        during.append(followed(client, url, message_id) if message_id else f"ask {status} {code}")
    proxy.start()
    after = []
    for n in range(3):
        status, code, message_id = asked(client, url, f"加班費？{n}")
        after.append(followed(client, url, message_id) if message_id else f"ask {status} {code}")
    print(
        f"Redis cut {seconds:.0f} s: {len(during)} chat answers asked and followed during it: "
        f"{dict(Counter(during))}; {len(after)} just after: {dict(Counter(after))}"
    )


def postgres_cut(server: LiveServer, client, proxy: TcpProxy, seconds: float, n: int) -> None:
    ids = []
    for i in range(n):
        status, code, message_id = asked(client, server.url, f"勞基法第17條的資遣費？{i}")
        assert message_id, (status, code)
        ids.append(message_id)
    listed = ",".join(map(str, ids))
    deadline = time.monotonic() + 60
    while not all(
        content
        for (content,) in server.query(f"SELECT content FROM chat_message WHERE id IN ({listed})")
    ):
        assert time.monotonic() < deadline, "the answers did not start"
        time.sleep(0.05)
    # Followers on the page, as a reader would have them open through the outage.
    ends: dict[int, str] = {}
    reading = {m: threading.Event() for m in ids}

    def follow(m: int) -> None:
        with httpx.Client(timeout=120, cookies=client.cookies) as own:
            ends[m] = followed(own, server.url, m, reading[m])

    followers = [threading.Thread(target=follow, args=(m,), daemon=True) for m in ids]
    for thread in followers:
        thread.start()
    for event in reading.values():
        assert event.wait(60), "a follower did not start"
    proxy.stop()
    cut_ends, during = time.monotonic() + seconds, Counter()
    with httpx.Client(timeout=30, cookies=client.cookies, headers=client.headers) as asker:
        while time.monotonic() < cut_ends:
            status, code, _ = asked(asker, server.url, "又一題")
            during[f"{status} {code}".strip()] += 1
            time.sleep(0.2)
    proxy.start()
    deadline = time.monotonic() + 180
    while True:
        rows = server.query(f"SELECT status FROM chat_message WHERE id IN ({listed})")
        if all(status != "streaming" for (status,) in rows) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for thread in followers:
        thread.join(timeout=60)
    saved = Counter(status for (status,) in rows)
    print(
        f"PostgreSQL cut {seconds:.0f} s: {n} answers in flight saved as {dict(saved)}, their "
        f"followers' ends {dict(Counter(ends.values()))}; new questions during it: {dict(during)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--in-flight", type=int, default=5)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-prefix", default="lawbot_bench")
    args = parser.parse_args()
    databases: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        redis_port = free_port()
        redis_server = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
        )
        redis_proxy, pg_proxy = TcpProxy(redis_port), TcpProxy(5432)
        redis_proxy.start()
        pg_proxy.start()
        via = maintenance_url(args.postgres).replace(":5432/", f":{pg_proxy.port}/")
        # Slow enough (60 ms a piece) that the answers are still being written through the cut.
        env = server_env(
            var,
            DATABASE_URL=postgres_database(via, databases, args.database_prefix),
            REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
            LAWBOT_COMPOSER_DELAY_MS="60",
        )
        process = None
        try:
            manage(env, "migrate", "-v0")
            manage(env, "import_laws", "--no-progress", *write_corpus(var / "corpus"))
            secret = manage(env, "create_api_key", "--user", "b", "--name", "b").split()[-1]
            manage(
                env,
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; "
                f"get_user_model().objects.create_user('bench-page', password={PASSWORD!r})",
            )
            url, process = start_server(env, var / "daphne.log")
            server = LiveServer(url, secret, var, env, process)
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            client = signed_in(url, "bench-page", PASSWORD)
            client.timeout = httpx.Timeout(120)
            status, _, message_id = asked(client, url, "勞基法第17條")
            assert followed(client, url, message_id) == "complete"
            redis_cut(client, url, redis_proxy, args.seconds)
            postgres_cut(server, client, pg_proxy, args.seconds, args.in_flight)
        finally:
            if process:
                process.terminate()
                process.wait()
            redis_proxy.stop()
            pg_proxy.stop()
            redis_server.terminate()
            redis_server.wait()
            postgres_databases_drop(args.postgres, databases)


if __name__ == "__main__":
    if not shutil.which("redis-server"):
        sys.exit("needs redis-server for its private Redis")
    main()
