import os
import shutil
import signal
import socket
import subprocess
import sys

from daphne.endpoints import build_endpoint_description_strings
from django.conf import settings
from django.core.management.base import BaseCommand

from chat.page.conversations import messages_interrupt_stale
from laws.index import index_rebuild_in_background, index_state
from laws.meaning import meaning_build_in_background

APPLICATION = "lawbot_site.asgi:application"
# Connections the kernel queues before daphne accepts them. Twisted's default of 50 is soon full
# when many clients connect at once; a full queue drops their SYNs, which they resend after 1,
# 3, 7… seconds (1,000 simultaneous streams waited up to 100 s for a first byte).
BACKLOG = 1024


def daphne_options() -> list[str]:
    """The options every daphne process gets, beside its socket and the application."""
    header = settings.LAWBOT_PROXY_ADDRESS_HEADER
    if not header:
        return []
    # daphne sets the request's client address (REMOTE_ADDR) from this header, where present.
    return ["--proxy-headers", "--proxy-headers-host", header]


def daphne_path() -> str:
    return shutil.which("daphne", path=os.path.dirname(sys.executable)) or "daphne"


class Command(BaseCommand):
    help = (
        "Serve Lawbot under daphne on LAWBOT_HOST:LAWBOT_PORT. With --workers N, N daphne "
        "processes share one listening socket (the kernel spreads connections among them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, help="overrides LAWBOT_PORT")
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, port, workers, **options):
        host, port = settings.LAWBOT_HOST, port or settings.LAWBOT_PORT
        # Answers a previous run left half-written are marked interrupted, never lost silently.
        messages_interrupt_stale()
        if index_state() == "mismatch":
            # An import was interrupted after writing the database: the index is rebuilt in a
            # child process (which then starts the meaning index's) while this one serves.
            index_rebuild_in_background()
        else:
            # The meaning index's vectors are computed in a child process while this one serves.
            meaning_build_in_background()
        self.stdout.write(f"Lawbot is serving on http://{host}:{port}/ with {workers} worker(s)")
        self.stdout.flush()
        if workers <= 1:
            # exec: daphne becomes this process, so signals and exit codes reach it directly.
            (endpoint,) = build_endpoint_description_strings(host=host, port=port)
            endpoint += f":backlog={BACKLOG}"
            os.execv(daphne_path(), [daphne_path(), "-e", endpoint, *daphne_options(), APPLICATION])
        self._serve_many(host, port, workers)

    def _serve_many(self, host: str, port: int, workers: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(BACKLOG)
        fd = listener.fileno()
        command = [daphne_path(), "--fd", str(fd), *daphne_options(), APPLICATION]
        processes = [subprocess.Popen(command, pass_fds=[fd]) for _ in range(workers)]

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True
            for process in processes:
                process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while processes:
            pid, status = os.waitpid(-1, 0)
            dead = next((p for p in processes if p.pid == pid), None)
            if dead is None:
                continue
            processes.remove(dead)
            if not stopping:
                # A crashed worker costs its in-flight requests, not the server's capacity.
                self.stderr.write(f"worker {pid} exited (status {status}); starting another")
                processes.append(subprocess.Popen(command, pass_fds=[fd]))
