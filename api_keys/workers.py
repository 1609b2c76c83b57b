"""Which server process wrote a request log row, so that a later start-up can tell the rows of a
process that died (kill -9, out of memory) from those of one still running."""

import functools
import os
import socket
from pathlib import Path

# A row in progress whose process cannot be checked (another machine's) is given up after this.
FOREIGN_GRACE_HOURS = 24


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), which tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@functools.cache
def this_worker() -> str:
    """host:pid:start, at most 64 characters."""
    pid = os.getpid()
    return f"{socket.gethostname()[:40]}:{pid}:{_own_start_time(pid) or '0'}"


@functools.cache
def _own_start_time(pid: int) -> str | None:
    # A living process's start time does not change: read once, not for every request's row
    # (keyed by pid, so a forked child reads its own).
    return _start_time(pid)


def is_local(worker: str) -> bool:
    return worker.rsplit(":", 2)[0] == socket.gethostname()[:40]


def is_alive(worker: str) -> bool:
    """Whether a process of this machine is still running (an unreadable name counts as alive)."""
    try:
        _, pid, start = worker.rsplit(":", 2)
        pid_number = int(pid)
    except ValueError:
        return True
    return _start_time(pid_number) == start if start != "0" else _pid_exists(pid_number)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
