"""Reliability figures on a live server: connections and descriptors kept across many chat answers,
page requests and API requests; /healthz while a 1 MiB question is answered; chat answers
through a Redis cut.

usage: .venv/bin/python bench/leaks.py [--answers 1000] [--pages 10000] [--api 1000]
       [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--redis-cut 10] [--workers 2]
Starts its own daphne on 127.0.0.1 in a temporary folder on the synthetic corpus (SQLite, or a
fresh PostgreSQL database with its own private redis-server when --postgres is given), prints
the figures and stops everything. With --workers N it serves as `manage.py serve --workers N`
does (N daphne processes on one socket); descriptors and sockets are then summed over them, and
the chat answers and page requests run side by side."""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.stall import healthz_probes  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    free_port,
    manage,
    postgres_database,
    postgres_databases_drop,
    server_env,
    signed_in,
    start_server,
)
from tests.e2e.tcp_proxy import TcpProxy  # noqa: E402

PASSWORD = "bench-pass-123"


def sockets_to(pid: int, port: int) -> int:
    """The process's open TCP connections to a local port (PostgreSQL's, Redis's)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[9] in inodes:
                count += 1
    return count


def sqlite_fds(pid: int) -> int:
    total = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            total += "lawbot.sqlite3" in os.readlink(fd)
    return total


def all_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def worker_pids(pid: int) -> list[int]:
    """The daphne processes serving: the process itself, or the children `serve` started."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children] or [pid]


class Counters:
    def __init__(self, env: dict, pid: int, redis_port: int | None):
        self.env, self.pid, self.redis_port = env, pid, redis_port
        # One connection of our own, opened now, so that counting opens none.
        self.redis = redis.Redis(port=redis_port) if redis_port else None

    def _pg_count(self, query: str) -> int | None:
        """query's one figure for the server's database (its name the one parameter), read
        from the maintenance database; None on SQLite."""
        url = self.env.get("DATABASE_URL")
        if not url:
            return None
        name = url.rsplit("/", 1)[-1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            return c.execute(query, (name,)).fetchone()[0]

    def pg_sessions(self) -> int | None:
        """Connections ever opened to the server's database (pg_stat_database.sessions)."""
        return self._pg_count("SELECT sessions FROM pg_stat_database WHERE datname = %s")

    def pg_activity(self) -> int | None:
        """Connections open to the server's database now (pg_stat_activity)."""
        return self._pg_count("SELECT count(*) FROM pg_stat_activity WHERE datname = %s")

    def redis_connections_received(self) -> int | None:
        if self.redis is None:
            return None
        return self.redis.info("stats")["total_connections_received"]

    def snapshot(self) -> dict:
        pids, postgres = worker_pids(self.pid), bool(self.env.get("DATABASE_URL"))
        return {
            "fds": sum(all_fds(pid) for pid in pids),
            "sqlite fds": sum(sqlite_fds(pid) for pid in pids),
            "pg open": sum(sockets_to(pid, 5432) for pid in pids) if postgres else None,
            "pg_stat_activity": self.pg_activity(),
            "pg opened": self.pg_sessions(),
            "redis opened": self.redis_connections_received(),
        }


def difference(before: dict, after: dict) -> str:
    parts = []
    for name, value in after.items():
        if value is not None:
            parts.append(f"{name} {before[name]} → {value} ({value - before[name]:+d})")
    return "; ".join(parts)


def answer(client: httpx.Client, url: str, question: str) -> str:
    asked = client.post(f"{url}/api/ui/ask", json={"question": question})
    if asked.status_code != 200:
        return f"ask {asked.status_code}"
    message_id = asked.json()["message_id"]
    with client.stream("GET", f"{url}/api/ui/messages/{message_id}/stream") as stream:
        for line in stream.iter_lines():
            if line.startswith("data: ") and '"status"' in line:
                return json.loads(line[6:])["status"]
    return "no end"


def run_answers(client, url, counters, n: int) -> None:
    for _ in range(5):
        answer(client, url, "勞基法第17條的資遣費")
    before, started = counters.snapshot(), time.perf_counter()
    statuses = [answer(client, url, f"資遣費怎麼算？第{i}次") for i in range(n)]
    seconds = time.perf_counter() - started
    time.sleep(1)  # the last request's connection is closed just after its last byte
    bad = [s for s in statuses if s != "complete"]
    print(f"chat answers: {n} in {seconds:.0f} s, {len(bad)} not complete")
    print(f"  {difference(before, counters.snapshot())}")


def run_pages(client, url, counters, n: int) -> None:
    for _ in range(5):
        client.get(f"{url}/")
    before, started = counters.snapshot(), time.perf_counter()
    failed = sum(client.get(f"{url}/").status_code != 200 for _ in range(n))
    seconds = time.perf_counter() - started
    time.sleep(1)
    print(f"page requests: {n} in {seconds:.0f} s, {failed} failed")
    print(f"  {difference(before, counters.snapshot())}")


def run_answers_and_pages(url, counters, answers: int, pages: int, warm_up: bool = True) -> None:
    """Both at once (two signed-in clients), counted across the whole of it; after a warm-up
    of the same side by side (the pools grow to what two at once need, once)."""
    if warm_up:
        run_answers_and_pages(url, counters, 20, 200, warm_up=False)
    clients = [signed_in(url, "bench-page", PASSWORD) for _ in range(2)]
    for client in clients:
        client.timeout = httpx.Timeout(120)
    results: dict = {}

    def ask() -> None:
        statuses = [answer(clients[0], url, f"資遣費怎麼算？第{i}次") for i in range(answers)]
        results["answers"] = [s for s in statuses if s != "complete"]

    def browse() -> None:
        results["pages"] = sum(clients[1].get(f"{url}/").status_code != 200 for _ in range(pages))

    before, started = counters.snapshot(), time.perf_counter()
    threads = [threading.Thread(target=ask), threading.Thread(target=browse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    time.sleep(1)
    print(
        f"{'warm-up: ' if not warm_up else ''}"
        f"chat answers and page requests side by side: {answers} answers, {pages} pages in "
        f"{seconds:.0f} s; {len(results['answers'])} answers not complete "
        f"{results['answers'][:5]}, {results['pages']} pages failed"
    )
    print(f"  {difference(before, counters.snapshot())}")


def run_api(url, secret, counters, n: int) -> None:
    body = {"model": "lawbot-lite", "messages": [{"role": "user", "content": "勞基法第17條"}]}
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(timeout=60) as client:
        for _ in range(5):
            client.post(f"{url}/v1/chat/completions", json=body, headers=headers)
        before, started = counters.snapshot(), time.perf_counter()
        failed = sum(
            client.post(f"{url}/v1/chat/completions", json=body, headers=headers).status_code != 200
            for _ in range(n)
        )
        seconds = time.perf_counter() - started
    time.sleep(1)
    print(f"API requests: {n} in {seconds:.0f} s, {failed} failed")
    print(f"  {difference(before, counters.snapshot())}")


def run_large_question(url, secret, rounds: int = 3) -> None:
    question = "月薪4萬5 " * 86_000
    body = json.dumps(
        {"model": "lawbot-lite", "messages": [{"role": "user", "content": question}]},
        ensure_ascii=False,
    ).encode()
    for n in range(rounds):
        result = {}

        def ask(result=result) -> None:
            started = time.perf_counter()
            response = httpx.post(
                f"{url}/v1/chat/completions",
                content=body,
                headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
                timeout=120,
            )
            result.update(status=response.status_code, seconds=time.perf_counter() - started)

        latencies = healthz_probes(url, ask)
        print(
            f"1 MiB question #{n + 1}: {result['status']} in {result['seconds'] * 1000:.0f} ms; "
            f"/healthz meanwhile: {len(latencies)} probes, p50 {statistics.median(latencies):.1f} "
            f"ms, max {max(latencies):.1f} ms"
        )


def run_redis_cut(client, url, proxy: TcpProxy, seconds: float) -> None:
    proxy.stop()
    cut_ends, statuses = time.monotonic() + seconds, []
    while time.monotonic() < cut_ends:
        statuses.append(answer(client, url, f"特休幾天？{len(statuses)}"))
    proxy.start()
    after = [answer(client, url, f"加班費？{n}") for n in range(3)]
    bad = [s for s in statuses + after if s != "complete"]
    print(
        f"Redis cut {seconds:.0f} s: {len(statuses)} chat answers during it, {len(after)} after; "
        f"{len(bad)} not complete {bad[:5]}"
    )


def start_workers(env: dict, log_path: Path, workers: int) -> tuple[str, subprocess.Popen]:
    """`manage.py serve --workers N`, ready when each worker has answered /healthz."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--workers", str(workers), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited: {log_path.read_text()}")
        with contextlib.suppress(httpx.TransportError, FileNotFoundError):
            # New connections each, so that the kernel hands some to every worker.
            if len(worker_pids(process.pid)) == workers and all(
                httpx.get(f"{url}/healthz", timeout=1).status_code == 200 for _ in range(8)
            ):
                return url, process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"serve did not become ready: {log_path.read_text()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--api", type=int, default=1000)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--redis-cut", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-prefix", default="lawbot_bench", help="of the database's name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = server_env(var, LAWBOT_COMPOSER_DELAY_MS="0")
        databases: list[str] = []
        redis_server, proxy, redis_port = None, None, None
        if args.postgres:
            env["DATABASE_URL"] = postgres_database(args.postgres, databases, args.database_prefix)
            redis_port = free_port()
            redis_server = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                cwd=tmp,
                stdout=subprocess.DEVNULL,
            )
            proxy = TcpProxy(redis_port)
            proxy.start()
            env.update(REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0")
        manage(env, "migrate", "-v0")
        manage(env, "import_laws", "--no-progress", *write_corpus(var / "corpus"))
        secret = manage(env, "create_api_key", "--user", "bench", "--name", "b").split()[-1]
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user('bench-page', password={PASSWORD!r})",
        )
        if args.workers > 1:
            url, process = start_workers(env, var / "serve.log", args.workers)
        else:
            url, process = start_server(env, var / "daphne.log")
        try:
            print(
                f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; "
                f"redis: {'private redis-server' if args.postgres else 'no'}; "
                f"workers: {args.workers}; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            counters = Counters(env, process.pid, redis_port)
            client = signed_in(url, "bench-page", PASSWORD)
            client.timeout = httpx.Timeout(120)
            if args.workers > 1:
                run_answers_and_pages(url, counters, args.answers, args.pages)
            else:
                if args.answers:
                    run_answers(client, url, counters, args.answers)
                if args.pages:
                    run_pages(client, url, counters, args.pages)
            if args.api:
                run_api(url, secret, counters, args.api)
            run_large_question(url, secret)
            if proxy and args.redis_cut:
                run_redis_cut(client, url, proxy, args.redis_cut)
        finally:
            process.terminate()
            process.wait()
            if proxy:
                proxy.stop()
            if redis_server:
                redis_server.terminate()
                redis_server.wait()
            postgres_databases_drop(args.postgres, databases)


if __name__ == "__main__":
    if not shutil.which("redis-server") and "--postgres" in sys.argv:
        sys.exit("the PostgreSQL run needs redis-server for its private Redis")
    main()
