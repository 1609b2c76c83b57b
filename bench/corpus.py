"""Import, re-import and server start-up on the full snapshot; prints figures.

usage: .venv/bin/python bench/corpus.py [SOURCE ...]   (default: LAWBOT_TEST_CORPUS)
Runs in a temporary LAWBOT_VAR_DIR with SQLite; nothing of yours is touched."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def timed(env: dict, *args: str) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one manage.py command under GNU time."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr[-2000:])
    rss = (
        int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
        / 1024
    )
    return wall, rss, result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_ready_seconds(env: dict) -> float:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "lawbot_site.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                # /healthz answers 200 only once the database is reachable and the index is loaded.
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.02)
        raise RuntimeError("server not ready in 60 s")
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    sources = sys.argv[1:] or [s for s in os.environ.get("LAWBOT_TEST_CORPUS", "").split(",") if s]
    if not sources:
        sys.exit("name the snapshot files or set LAWBOT_TEST_CORPUS")
    with tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "LAWBOT_VAR_DIR": var,
            "DJANGO_SETTINGS_MODULE": "lawbot_site.settings",
        }
        env.pop("DATABASE_URL", None)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        wall, rss, out = timed(env, "import_laws", "--no-progress", *sources)
        index_line = next(line for line in out.splitlines() if line.startswith("Search index"))
        print(f"full import + index: {wall:.1f} s wall, peak RSS {rss:.0f} MiB")
        print(f"  {index_line}")
        wall, rss, _ = timed(env, "import_laws", "--no-progress", *sources)
        print(
            f"re-import of the unchanged snapshot (+ index rebuild): {wall:.1f} s, peak RSS {rss:.0f} MiB"
        )
        starts = sorted(server_ready_seconds(env) for _ in range(3))
        print(
            f"server start to ready (/healthz 200, index loaded), 3 runs: {', '.join(f'{s:.2f}' for s in starts)} s"
        )


if __name__ == "__main__":
    main()
