import os
import shutil
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from chat.services import messages_interrupt_stale


class Command(BaseCommand):
    help = "Serve Lawbot under daphne on LAWBOT_HOST:LAWBOT_PORT."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, help="overrides LAWBOT_PORT")

    def handle(self, *args, port, **options):
        port = port or settings.LAWBOT_PORT
        daphne = shutil.which("daphne", path=os.path.dirname(sys.executable)) or "daphne"
        # Answers a previous run left half-written are marked interrupted, never lost silently.
        messages_interrupt_stale()
        self.stdout.write(f"Lawbot is serving on http://{settings.LAWBOT_HOST}:{port}/")
        self.stdout.flush()
        # exec: daphne becomes this process, so signals and exit codes reach it directly.
        os.execv(
            daphne,
            [daphne, "-b", settings.LAWBOT_HOST, "-p", str(port), "lawbot_site.asgi:application"],
        )
