"""A live daphne server on a synthetic corpus, started once per test session."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.corpus import write_corpus

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    secret: str
    var_dir: Path
    env: dict
    process: subprocess.Popen

    @property
    def database(self) -> Path:
        return self.var_dir / "lawbot.sqlite3"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def server_env(var_dir: Path, **extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LAWBOT_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lawbot_site.settings",
        LAWBOT_VAR_DIR=str(var_dir),
        LAWBOT_COMPOSER_DELAY_MS="3",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_server(env: dict, log_path: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "lawbot_site.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"daphne did not become ready: {log_path.read_text()}")


@pytest.fixture(scope="session")
def lawbot_server_factory(tmp_path_factory):
    """Prepares a database with the synthetic corpus and starts daphne on it."""
    started: list[subprocess.Popen] = []

    def factory(**extra_env: str) -> LiveServer:
        var_dir = tmp_path_factory.mktemp("live")
        env = server_env(var_dir, **extra_env)
        manage(env, "migrate", "-v0")
        manage(env, "import_laws", "--no-progress", *write_corpus(var_dir / "corpus"))
        secret = (
            manage(env, "create_api_key", "--user", "e2e", "--name", "e2e").strip().splitlines()[-1]
        )
        url, process = start_server(env, var_dir / "daphne.log")
        started.append(process)
        return LiveServer(url, secret, var_dir, env, process)

    yield factory
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def lawbot_server(lawbot_server_factory) -> LiveServer:
    return lawbot_server_factory()
