import signal
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from laws.embedders import EmbedderError
from laws.index import IndexMissing
from laws.meaning import BuildLock, cards_current, meaning_build, meaning_status


class Command(BaseCommand):
    help = (
        "Compute the meaning index's vectors for the current search index (only the passages "
        "not in LAWBOT_EMBED_CACHE are embedded). serve/setup_lawbot start this in the background."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-needed", action="store_true", help="skip when it is ready")
        parser.add_argument("--processes", type=int, help="overrides LAWBOT_EMBED_PROCESSES")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument(
            "--cached-only",
            action="store_true",
            help="embed nothing: a partial index of the cached passages, for the bench only",
        )

    def handle(self, *args, if_needed, processes, no_progress, cached_only, **options):
        if cached_only:
            stats = meaning_build(cached_only=True)
            self.stdout.write(f"Partial meaning index: {stats.passages} cached passages")
            return
        state = meaning_status()["state"]
        if if_needed and (state == "off" or (state == "ready" and cards_current())):
            return
        # Stopped (the server stopping): unwind, so that the worker pool is ended with it.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
        with BuildLock() as mine:
            if not mine:
                self.stdout.write("Meaning index: another process is building it.")
                return
            bar = tqdm(
                total=0, unit="passage", desc="embedding", disable=no_progress, file=self.stderr
            )

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                stats = meaning_build(processes=processes, progress=progress)
            except (IndexMissing, EmbedderError) as exc:
                raise CommandError(f"meaning index not built: {exc}") from exc
            finally:
                bar.close()
        self.stdout.write(
            f"Meaning index: {stats.passages} passages, {stats.embedded} embedded now "
            f"(the rest from the cache), {stats.seconds:.0f} s"
        )
