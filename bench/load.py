"""Load on one (or more) daphne workers: concurrent streams and non-streaming throughput.

usage: .venv/bin/python bench/load.py [--streams 1000] [--requests 300] [--workers 1]
       [--corpus ChLaw.json.zip,ChOrder.json.zip] [--postgres URL --redis URL]
       [--compare [--imported DIR] [--pg-imported DIR]]
Starts its own server(s) on 127.0.0.1 in a temporary folder (synthetic corpus unless --corpus),
sends bounded load, prints percentiles, and stops everything. Targets only 127.0.0.1.

--compare also counts the connections the PostgreSQL + Redis workers open during the measured
rounds (after the warm-up): PostgreSQL's from pg_stat_database.sessions of the workers' database
(every connection ever made to it), Redis's from INFO total_connections_received (the whole
server's, so other users of a shared Redis add to it) and from the new clients on the workers'
Redis database (CLIENT LIST), and the sockets each worker holds at the end."""

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import corpus_load, cpu_seconds, start_daphne  # noqa: E402
from bench.leaks import sockets_to  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    manage,
    postgres_database,
    postgres_databases_drop,
    server_env,
)
from tests.standin_llm import StandInLLM  # noqa: E402

QUESTION = "請說明勞動基準法中的資遣費計算方式"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def one_stream(
    host: str, port: int, secret: str, model: str = "lawbot-lite"
) -> tuple[float, list[float], bool]:
    """One streamed request over a raw connection: (time to first chunk, gaps between chunks,
    whether it ended with [DONE]). A raw client keeps the client's own overhead out of the figures."""
    body = json.dumps(
        {
            "model": model,
            "stream": True,
            "messages": [{"role": "user", "content": QUESTION}],
        }
    ).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {secret}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    writer.write(head + body)
    await writer.drain()
    arrivals, buffer, done = [], b"", False
    try:
        while not done:
            chunk = await reader.read(65536)
            if not chunk:
                break
            now = time.perf_counter()
            buffer += chunk
            # daphne sends the body chunked: count the events themselves, not their framing.
            events = buffer.count(b"data: {") + buffer.count(b"data: [DONE]")
            arrivals.extend([now] * (events - len(arrivals)))
            done = b"data: [DONE]" in buffer
    finally:
        writer.close()
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False) if b > a]
    first = arrivals[0] if arrivals else time.perf_counter()
    return first - started, gaps, done


async def streams(url: str, secret: str, count: int, model: str = "lawbot-lite") -> None:
    host, port = url.removeprefix("http://").split(":")
    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(
            *(one_stream(host, int(port), secret, model) for _ in range(count)),
            return_exceptions=True,
        ),
        600,
    )
    wall = time.perf_counter() - started
    ok = [r for r in results if not isinstance(r, BaseException) and r[2]]
    errors = [repr(r)[:200] for r in results if isinstance(r, BaseException)]
    for error in sorted(set(errors))[:5]:
        print(f"  failure: {error} (x{errors.count(error)})")
    ttfc = [r[0] * 1000 for r in ok]
    gaps = [g * 1000 for r in ok for g in r[1]] or [0.0]
    print(
        f"{count} simultaneous streams: {len(ok)} complete, {count - len(ok)} failed, wall {wall:.1f} s"
    )
    if ok:
        print(
            f"  time to first chunk p50 {percentile(ttfc, 50):.0f} ms, p99 {percentile(ttfc, 99):.0f} ms; "
            f"gap between chunks p50 {percentile(gaps, 50):.1f} ms, p99 {percentile(gaps, 99):.1f} ms"
        )


class RawClient:
    """HTTP/1.1 POSTs over one kept-alive connection, parsed by hand: a fraction of httpx's CPU
    (1.2-1.8 ms a request, on the cores the servers use), so the load generator takes less from
    the servers it measures."""

    def __init__(self, url: str):
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, limit=1 << 22
            )
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status_line = await self.reader.readline()
        fields = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:  # the body ends with the connection
            await self.reader.read()
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def throughput(
    urls: list[str],
    secret: str,
    total: int,
    concurrency: int = 32,
    label: str = "",
    raw: bool = False,
) -> float:
    body = {"model": "lawbot-lite", "messages": [{"role": "user", "content": QUESTION}]}
    encoded = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {secret}"}
    latencies: list[float] = []
    failures = 0
    queue = iter(range(total))

    async def worker(client: httpx.AsyncClient, n: int) -> None:
        nonlocal failures
        own = RawClient(urls[n % len(urls)]) if raw else None
        try:
            for i in queue:
                started = time.perf_counter()
                if own is not None:
                    status = await own.post("/v1/chat/completions", encoded, headers)
                else:
                    response = await client.post(
                        f"{urls[(i + n) % len(urls)]}/v1/chat/completions",
                        json=body,
                        headers=headers,
                    )
                    status = response.status_code
                latencies.append(time.perf_counter() - started)
                failures += status != 200
        finally:
            if own is not None:
                own.close()

    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(concurrency)))
        wall = time.perf_counter() - started
    print(
        f"{label}{total} non-streaming lawbot-lite requests, {concurrency} at a time, {len(urls)} worker(s): "
        f"{total / wall:.1f} req/s, latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms, {failures} failed"
    )
    return total / wall


def prepare(var: Path, args, postgres: str, redis: str, databases: list[str], extra: dict):
    """A database with the corpus and an API key: (server environment, key)."""
    env = server_env(
        var, LAWBOT_COMPOSER_DELAY_MS=args.delay_ms, LAWBOT_COMPOSER_TICK_MS=args.tick_ms, **extra
    )
    imported = args.imported
    if postgres and args.pg_imported:  # the database --postgres names already holds the corpus
        env["DATABASE_URL"] = postgres
        imported = args.pg_imported
    elif postgres:
        env["DATABASE_URL"] = postgres_database(postgres, databases)
    if redis:
        env.update(REDIS_URL=redis, LAWBOT_REDIS_PREFIX=f"bench-{var.name}")
    sources = args.corpus.split(",") if args.corpus else write_corpus(var / "corpus")
    corpus_load(env, var, sources, imported)
    # --key-limits: limits high enough never to refuse, so that every request still checks and
    # counts them in the cache (Redis), as a deployment with limits does.
    limits = ["--rpm", "1000000", "--tpd", "1000000000", "--max-concurrent", "64"]
    out = manage(
        env,
        "create_api_key",
        "--user",
        "bench",
        "--name",
        f"bench-{var.name}",
        *(limits if args.key_limits else []),
    )
    return env, out.strip().splitlines()[-1]


class ConnectionCount:
    """Connections the PostgreSQL + Redis workers open, counted from outside them."""

    def __init__(self, database_url: str, redis_url: str, pids: list[int]):
        self.database = database_url.rsplit("/", 1)[-1]
        self.maintenance = database_url.rsplit("/", 1)[0] + "/postgres"
        # One connection of our own for every reading, opened now, so that reading opens none.
        self.redis = redis.Redis.from_url(redis_url)
        self.redis_db = self.redis.connection_pool.connection_kwargs.get("db", 0)
        self.pids = pids
        self.own_id = self.redis.client_id()

    def snapshot(self) -> dict:
        with psycopg.connect(self.maintenance, autocommit=True) as connection:
            sessions, backends = connection.execute(
                "SELECT sessions, numbackends FROM pg_stat_database WHERE datname = %s",
                (self.database,),
            ).fetchone()
        clients = [
            c
            for c in self.redis.client_list()
            if int(c["db"]) == self.redis_db and int(c["id"]) != self.own_id
        ]
        return {
            "pg sessions": sessions,
            "pg backends": backends,
            "pg sockets": sum(sockets_to(pid, 5432) for pid in self.pids),
            "redis received": self.redis.info("stats")["total_connections_received"],
            "redis clients": {int(c["id"]) for c in clients},
            "redis sockets": sum(sockets_to(pid, 6379) for pid in self.pids),
        }

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends now serving the workers' database (kept: the pools persist)."""
        with psycopg.connect(self.maintenance, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            ).fetchall()
        return [pid for (pid,) in rows]

    @staticmethod
    def report(before: dict, after: dict, requests: int) -> None:
        new_pg = after["pg sessions"] - before["pg sessions"]
        received = after["redis received"] - before["redis received"]
        new_clients = len(after["redis clients"] - before["redis clients"])
        print(
            f"connections during the {requests} measured PG+Redis requests: PostgreSQL "
            f"{new_pg} opened ({new_pg / requests:.3f} a request; backends {before['pg backends']}"
            f" → {after['pg backends']}, the workers' sockets {before['pg sockets']} → "
            f"{after['pg sockets']}); Redis {received} received by the whole server "
            f"({received / requests:.3f} a request), {new_clients} new clients on the workers' "
            f"database still open, the workers' sockets {before['redis sockets']} → "
            f"{after['redis sockets']}"
        )


CPU_PARTS = ("workers", "postgres", "redis", "load generator", "machine")


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine, all cores (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def cpu_parts(pids: list[int], pg_pids: list[int], redis_client) -> dict[str, float]:
    redis_cpu = 0.0
    if redis_client is not None:
        info = redis_client.info("cpu")
        redis_cpu = info["used_cpu_user"] + info["used_cpu_sys"]
    return {
        "workers": sum(cpu_seconds(pid) for pid in pids),
        "postgres": sum(cpu_seconds(pid) for pid in pg_pids if Path(f"/proc/{pid}").exists()),
        "redis": redis_cpu,
        "load generator": time.process_time(),
        "machine": machine_cpu_seconds(),
    }


def compare(args) -> None:
    """One SQLite worker against two PostgreSQL + Redis workers, in one run: rounds alternate."""
    databases: list[str] = []
    processes = []
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        try:
            lite_env, lite_key = prepare(Path(a), args, "", "", databases, {})
            pg_env, pg_key = prepare(Path(b), args, args.postgres, args.redis, databases, {})
            lite = [start_daphne(lite_env, Path(a) / "daphne.log")]
            pg = [start_daphne(pg_env, Path(b) / f"daphne-{n}.log") for n in range(2)]
            processes = [p for _, p in lite + pg]
            print(
                f"corpus: {'full snapshot' if args.corpus else 'synthetic'}; load average "
                f"{os.getloadavg()[0]:.1f} at the start"
            )
            asyncio.run(throughput([u for u, _ in lite], lite_key, 64, label="warm-up: "))
            asyncio.run(throughput([u for u, _ in pg], pg_key, 64, label="warm-up: "))
            count = ConnectionCount(pg_env["DATABASE_URL"], args.redis, [p.pid for _, p in pg])
            connections_before = count.snapshot()
            backends = count.backend_pids()
            sides = {
                "SQLite x1": ([u for u, _ in lite], lite_key, [p.pid for _, p in lite], []),
                "PG+Redis x2": ([u for u, _ in pg], pg_key, [p.pid for _, p in pg], backends),
            }
            rates: dict[str, list[float]] = {side: [] for side in sides}
            # CPU seconds during each side's rounds: its workers, its PostgreSQL backends and
            # the Redis server, this load generator, and the whole machine (all cores).
            spent = {side: dict.fromkeys(CPU_PARTS, 0.0) for side in sides}
            per_round = max(args.requests // args.rounds, 1)
            for _ in range(args.rounds):
                for side, (urls, key, pids, pg_pids) in sides.items():
                    before = cpu_parts(pids, pg_pids, count.redis if pg_pids else None)
                    rates[side].append(
                        asyncio.run(
                            throughput(urls, key, per_round, label=f"{side}: ", raw=args.raw_client)
                        )
                    )
                    after = cpu_parts(pids, pg_pids, count.redis if pg_pids else None)
                    for part in CPU_PARTS:
                        spent[side][part] += after[part] - before[part]
            total = per_round * args.rounds
            ConnectionCount.report(connections_before, count.snapshot(), total)
            print(f"CPU a request (ms), summed over the {args.rounds} rounds of each side:")
            for side in sides:
                ms = {part: seconds / total * 1000 for part, seconds in spent[side].items()}
                ours = ms["workers"] + ms["postgres"] + ms["redis"] + ms["load generator"]
                print(
                    f"  {side}: workers {ms['workers']:.2f}, PostgreSQL backends "
                    f"{ms['postgres']:.2f}, Redis server {ms['redis']:.2f}, load generator "
                    f"{ms['load generator']:.2f} (sum {ours:.2f}); the machine, all cores: "
                    f"{ms['machine']:.2f}, of which other processes {ms['machine'] - ours:.2f}"
                )
            lite_rate = statistics.median(rates["SQLite x1"])
            pg_rate = statistics.median(rates["PG+Redis x2"])
            print(
                f"median of {args.rounds} rounds: SQLite x1 {lite_rate:.1f} req/s, PG+Redis x2 "
                f"{pg_rate:.1f} req/s; ratio {pg_rate / lite_rate:.2f}; load average "
                f"{os.getloadavg()[0]:.1f} at the end"
            )
        finally:
            for p in processes:
                p.terminate()
                p.wait()
            postgres_databases_drop(args.postgres, databases)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--corpus", default="")
    parser.add_argument(
        "--imported", default="", help="LAWBOT_VAR_DIR of an SQLite import of --corpus, copied in"
    )
    parser.add_argument("--postgres", default="")
    parser.add_argument(
        "--pg-imported",
        default="",
        help="LAWBOT_VAR_DIR of a PostgreSQL import of --corpus into the database --postgres "
        "names, which is then used as it is (its index copied in) instead of a fresh database",
    )
    parser.add_argument("--redis", default="")
    parser.add_argument("--delay-ms", default="8", help="LAWBOT_COMPOSER_DELAY_MS of the server")
    parser.add_argument("--tick-ms", default="50", help="LAWBOT_COMPOSER_TICK_MS of the server")
    parser.add_argument(
        "--relay",
        action="store_true",
        help="streams are lawbot-pro relayed from the stand-in upstream (tests/standin_llm.py)",
    )
    parser.add_argument("--relay-deltas", type=int, default=40)
    parser.add_argument("--relay-delay-ms", type=float, default=50, help="stand-in's pace")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="one SQLite worker against two on --postgres + --redis, rounds alternating",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--raw-client",
        action="store_true",
        help="--compare's requests from a hand-parsed HTTP/1.1 client, not httpx (less of the "
        "load generator's CPU on the servers' cores)",
    )
    parser.add_argument(
        "--key-limits",
        action="store_true",
        help="the bench's key has requests-per-minute, tokens-per-day and concurrency limits "
        "(never reached), so every request uses the cache for them",
    )
    args = parser.parse_args()
    if args.compare:
        return compare(args)
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        var = Path(tmp)
        extra = {}
        if args.relay:
            standin = stack.enter_context(StandInLLM())
            standin.reset(
                deltas=["雇主依第十一條終止勞動契約者，"] * args.relay_deltas,
                delay=args.relay_delay_ms / 1000,
            )
            extra = {"LAWBOT_LLM_BASE_URL": standin.url, "LAWBOT_LLM_MODEL": "standin-7b"}
        databases: list[str] = []
        env, secret = prepare(var, args, args.postgres, args.redis, databases, extra)
        started = [start_daphne(env, var / f"daphne-{n}.log") for n in range(args.workers)]
        urls = [url for url, _ in started]
        processes = [process for _, process in started]
        logs = [var / f"daphne-{n}.log" for n in range(args.workers)]
        try:
            print(
                f"corpus: {'full snapshot' if args.corpus else 'synthetic'}; database: {'PostgreSQL' if args.postgres else 'SQLite'}; "
                f"redis: {'yes' if args.redis else 'no'}; composer delay {args.delay_ms} ms, tick {args.tick_ms} ms"
            )
            if args.streams:
                cpu = cpu_seconds(processes[0].pid)
                model = "lawbot-pro" if args.relay else "lawbot-lite"
                print(f"load average {os.getloadavg()[0]:.1f}; streams of {model}")
                asyncio.run(streams(urls[0], secret, args.streams, model))
                cpu = cpu_seconds(processes[0].pid) - cpu
                print(f"  server CPU {cpu / args.streams * 1000:.2f} ms a stream")
                print(f"  server peak RSS {peak_rss_mib(processes[0].pid):.0f} MiB")
                problems = [
                    line
                    for line in (logs[0]).read_text().splitlines()
                    if "ERROR" in line or "Traceback" in line or "Error" in line
                ]
                for line in problems[:10]:
                    print(f"  server log: {line[:300]}")
            if args.requests:
                asyncio.run(throughput(urls, secret, args.requests))
        finally:
            for process in processes:
                process.terminate()
                process.wait()
            postgres_databases_drop(args.postgres, databases)
        if not args.postgres:  # every request leaves a request log row, however busy the server
            with sqlite3.connect(var / "lawbot.sqlite3") as connection:
                rows = connection.execute(
                    "SELECT COUNT(*), SUM(streamed), SUM(status_code = 200) FROM api_keys_requestlog"
                ).fetchone()
            print(
                f"request log: {rows[0]} rows ({rows[1] or 0} streamed, {rows[2] or 0} with status "
                f"200) for {args.streams + args.requests} requests"
            )


if __name__ == "__main__":
    main()
