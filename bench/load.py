"""Load on one (or more) daphne workers: concurrent streams and non-streaming throughput.

usage: .venv/bin/python bench/load.py [--streams 1000] [--requests 300] [--workers 1]
       [--corpus ChLaw.json.zip,ChOrder.json.zip] [--postgres URL --redis URL]
Starts its own server(s) on 127.0.0.1 in a temporary folder (synthetic corpus unless --corpus),
sends bounded load, prints percentiles, and stops everything. Targets only 127.0.0.1."""

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    manage,
    postgres_database,
    postgres_databases_drop,
    server_env,
    start_server,
)

QUESTION = "請說明勞動基準法中的資遣費計算方式"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def one_stream(host: str, port: int, secret: str) -> tuple[float, list[float], bool]:
    """One streamed request over a raw connection: (time to first chunk, gaps between chunks,
    whether it ended with [DONE]). A raw client keeps the client's own overhead out of the figures."""
    body = json.dumps(
        {
            "model": "lawbot-lite",
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


async def streams(url: str, secret: str, count: int) -> None:
    host, port = url.removeprefix("http://").split(":")
    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(
            *(one_stream(host, int(port), secret) for _ in range(count)), return_exceptions=True
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


async def throughput(urls: list[str], secret: str, total: int, concurrency: int = 32) -> None:
    body = {"model": "lawbot-lite", "messages": [{"role": "user", "content": QUESTION}]}
    latencies: list[float] = []
    failures = 0
    queue = iter(range(total))

    async def worker(client: httpx.AsyncClient, n: int) -> None:
        nonlocal failures
        for i in queue:
            started = time.perf_counter()
            response = await client.post(
                f"{urls[(i + n) % len(urls)]}/v1/chat/completions",
                json=body,
                headers={"Authorization": f"Bearer {secret}"},
            )
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 200

    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(concurrency)))
        wall = time.perf_counter() - started
    print(
        f"{total} non-streaming lawbot-lite requests, {concurrency} at a time, {len(urls)} worker(s): "
        f"{total / wall:.1f} req/s, latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms, {failures} failed"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--corpus", default="")
    parser.add_argument("--postgres", default="")
    parser.add_argument("--redis", default="")
    parser.add_argument("--delay-ms", default="8", help="LAWBOT_COMPOSER_DELAY_MS of the server")
    parser.add_argument("--tick-ms", default="50", help="LAWBOT_COMPOSER_TICK_MS of the server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = server_env(
            var, LAWBOT_COMPOSER_DELAY_MS=args.delay_ms, LAWBOT_COMPOSER_TICK_MS=args.tick_ms
        )
        databases: list[str] = []
        if args.postgres:
            env["DATABASE_URL"] = postgres_database(args.postgres, databases)
        if args.redis:
            env.update(REDIS_URL=args.redis, LAWBOT_REDIS_PREFIX=f"bench-{var.name}")
        manage(env, "migrate", "-v0")
        sources = args.corpus.split(",") if args.corpus else write_corpus(var / "corpus")
        manage(env, "import_laws", "--no-progress", *sources)
        secret = (
            manage(env, "create_api_key", "--user", "bench", "--name", "bench")
            .strip()
            .splitlines()[-1]
        )
        started = [start_server(env, var / f"daphne-{n}.log") for n in range(args.workers)]
        urls = [url for url, _ in started]
        processes = [process for _, process in started]
        logs = [var / f"daphne-{n}.log" for n in range(args.workers)]
        try:
            print(
                f"corpus: {'full snapshot' if args.corpus else 'synthetic'}; database: {'PostgreSQL' if args.postgres else 'SQLite'}; "
                f"redis: {'yes' if args.redis else 'no'}; composer delay {args.delay_ms} ms, tick {args.tick_ms} ms"
            )
            if args.streams:
                asyncio.run(streams(urls[0], secret, args.streams))
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
