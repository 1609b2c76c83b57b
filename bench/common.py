"""What the benches share: starting daphne (with a start-up deadline fit for a loaded machine)
and reading a process's CPU clock."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process, all its threads (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(
    env: dict, log_path: Path, seconds: float = 300, cwd: Path = ROOT
) -> tuple[str, subprocess.Popen]:
    """One daphne worker as `manage.py serve` starts it; returns once /healthz answers 200.
    cwd: the code it runs (another checkout, e.g. `git archive`d, for a before/after run)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=1024"]
        + ["lawbot_site.asgi:application"],
        cwd=cwd,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return url, process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"daphne did not become ready: {log_path.read_text()}")


def corpus_load(env: dict, var: Path, sources: list[str], imported: str = "") -> None:
    """The corpus into the server's database: imported from sources (the full snapshot takes
    minutes on a loaded machine), or, with imported (the LAWBOT_VAR_DIR of an earlier import),
    that import's index copied in, and its SQLite database too (on PostgreSQL, env's
    DATABASE_URL is the database that import filled)."""
    if imported:
        if "DATABASE_URL" not in env:
            shutil.copy(Path(imported) / "lawbot.sqlite3", var / "lawbot.sqlite3")
        shutil.copytree(Path(imported) / "index", var / "index")
        commands = [["migrate", "-v0"]]
    else:
        commands = [["migrate", "-v0"], ["import_laws", "--no-progress", *sources]]
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=1800
        )
