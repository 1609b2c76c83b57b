"""A live daphne server on a synthetic corpus, started once per test session."""

import functools
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import environ
import httpx
import psycopg
import pytest
import redis

from tests.corpus import write_corpus

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    secret: str
    var_dir: Path
    env: dict
    process: subprocess.Popen

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Runs SQL (with `?` placeholders) on the server's own database, SQLite or PostgreSQL."""
        url = self.env.get("DATABASE_URL")
        if url:
            with psycopg.connect(url, autocommit=True) as connection:
                return connection.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.var_dir / "lawbot.sqlite3") as connection:
            return connection.execute(sql, params).fetchall()


def signed_in(url: str, username: str, password: str) -> httpx.Client:
    """A client signed in to the chat page through its login form, CSRF header set."""
    client = httpx.Client(timeout=30)
    client.get(f"{url}/accounts/login/")
    client.post(
        f"{url}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    return client


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


def postgres_database(
    base_url: str, created: list[str], prefix: str = "lawbot_e2e", template: str = ""
) -> str:
    """A fresh database on the PostgreSQL server the test run uses (a copy of `template`, if
    given), dropped at the end."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(maintenance_url(base_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copied}')
    created.append(name)
    return maintenance_url(base_url, name)


def postgres_databases_drop(base_url: str, names: list[str]) -> None:
    """Drops the databases postgres_database() made, even if a server is still connected."""
    if names:
        with psycopg.connect(maintenance_url(base_url), autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def maintenance_url(base_url: str, name: str = "postgres") -> str:
    parts = environ.Env.db_url_config(base_url)
    user = parts["USER"] + (f":{parts['PASSWORD']}" if parts["PASSWORD"] else "")
    return f"postgres://{user}@{parts['HOST']}:{parts['PORT'] or 5432}/{name}"


def server_env(var_dir: Path, **extra: str) -> dict:
    """The server's environment: SQLite in var_dir, or (when the test run itself is on
    PostgreSQL + Redis) its own database and its own Redis key prefix."""
    prefixes = ("LAWBOT_", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        DJANGO_SETTINGS_MODULE="lawbot_site.settings",
        LAWBOT_VAR_DIR=str(var_dir),
        LAWBOT_COMPOSER_DELAY_MS="3",
        # Tests watch answers grow in many small chunks; the production default is 50 ms.
        LAWBOT_COMPOSER_TICK_MS="10",
        PYTHONUNBUFFERED="1",
    )
    if os.environ.get("REDIS_URL"):
        env.update(REDIS_URL=os.environ["REDIS_URL"], LAWBOT_REDIS_PREFIX=f"e2e-{var_dir.name}")
    env.update(extra)
    return env


def start_server(
    env: dict, log_path: Path, daphne_args: tuple[str, ...] = ()
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            # As `manage.py serve` does: a backlog for many simultaneous connections.
            "-e",
            f"tcp:port={port}:interface=127.0.0.1:backlog=1024",
            *daphne_args,
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


@dataclass(frozen=True)
class Template:
    var_dir: Path
    database: str  # its PostgreSQL database, or "" on SQLite (the file is in var_dir)
    secret: str


def prepare(env: dict, var_dir: Path) -> str:
    """Migrates, imports the synthetic corpus and makes an API key; returns its secret."""
    manage(env, "migrate", "-v0")
    manage(env, "import_laws", "--no-progress", *write_corpus(var_dir / "corpus"))
    made = manage(env, "create_api_key", "--user", "e2e", "--name", "e2e")
    return made.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def lawbot_server_factory(tmp_path_factory):
    """Prepares a database with the synthetic corpus and starts daphne on it."""
    started: list[subprocess.Popen] = []
    databases: list[str] = []
    base_url = os.environ.get("DATABASE_URL", "")
    postgres = base_url.startswith("postgres")
    admin_url = base_url if postgres else "postgres://postgres@127.0.0.1:5432/postgres"
    # A prefix of one's own keeps parallel runs' databases apart on a shared server.
    prefix = os.environ.get("LAWBOT_TEST_DATABASE_PREFIX", "lawbot_e2e")

    @functools.cache
    def template() -> Template:
        """Migrated, the synthetic corpus imported and indexed, one API key: made once and
        copied for each server (its var dir, and its database on PostgreSQL), as making each
        took four Django start-ups."""
        var_dir = tmp_path_factory.mktemp("template")
        url = postgres_database(base_url, databases, f"{prefix}_t") if postgres else ""
        env = server_env(var_dir, **({"DATABASE_URL": url} if url else {}))
        secret = prepare(env, var_dir)
        return Template(var_dir, url.rsplit("/", 1)[-1] if url else "", secret)

    def factory(
        _database_via: str = "", _daphne_args: tuple[str, ...] = (), **extra_env: str
    ) -> LiveServer:
        """_database_via: a PostgreSQL URL (e.g. through a proxy) to create this server's
        database on; by default the test run's PostgreSQL, if it uses one, else SQLite.
        _daphne_args: options for daphne, as `manage.py serve` would pass them."""
        var_dir = tmp_path_factory.mktemp("live")
        if _database_via and not postgres:
            # A PostgreSQL server (through a proxy) in a run on SQLite: prepared from scratch.
            extra_env["DATABASE_URL"] = postgres_database(_database_via, databases, prefix)
            env = server_env(var_dir, **extra_env)
            secret = prepare(env, var_dir)
        else:
            copied = template()
            shutil.copytree(copied.var_dir, var_dir, symlinks=True, dirs_exist_ok=True)
            if postgres:
                via = _database_via or base_url
                extra_env["DATABASE_URL"] = postgres_database(
                    via, databases, prefix, template=copied.database
                )
            env = server_env(var_dir, **extra_env)
            secret = copied.secret
        url, process = start_server(env, var_dir / "daphne.log", _daphne_args)
        started.append(process)
        return LiveServer(url, secret, var_dir, env, process)

    yield factory
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    postgres_databases_drop(admin_url, databases)


@pytest.fixture(scope="session")
def lawbot_server(lawbot_server_factory) -> LiveServer:
    return lawbot_server_factory()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server for one test module (workers that must share a Redis)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)
