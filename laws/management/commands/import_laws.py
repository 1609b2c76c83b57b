import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from laws.importer import laws_import
from laws.index import CorpusLock, index_ensure
from laws.phases import pause_point
from laws.sources import SourceError

REASONS = {
    "missing": "Search index: missing; building it.",
    "mismatch": "Search index: built from another state of the database (an import was "
    "interrupted); rebuilding it.",
}


class Command(BaseCommand):
    help = (
        "Import the Ministry of Justice's law downloads (paths or URLs of ChLaw/ChOrder .json(.zip), "
        "and their English translations EngLaw/EngOrder) "
        "and rebuild the search index. Default: LAWBOT_LAW_SOURCE, else the official URLs. "
        "An index that does not match the database is rebuilt even if nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="paths or http(s) URLs")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument(
            "--rebuild-index", action="store_true", help="rebuild the index even if nothing changed"
        )

    def handle(self, *args, sources, no_progress, rebuild_index, **options):
        sources = sources or settings.LAWBOT_LAW_SOURCE

        def progress(items, total):
            return tqdm(
                items,
                total=total,
                unit="law",
                desc="importing",
                disable=no_progress,
                file=self.stderr,
            )

        lock = CorpusLock()
        if not lock.acquire(wait=False):
            self.stderr.write("Another import or index rebuild is running; waiting for it …")
            lock.acquire(wait=True)
        try:
            started = time.perf_counter()
            try:
                summary = laws_import(sources=sources, progress=progress)
            except SourceError as exc:
                raise CommandError(f"import failed, the corpus is unchanged: {exc}") from exc
            seconds = time.perf_counter() - started
            self.stdout.write(f"Imported from {', '.join(sources)}: {summary} ({seconds:.1f} s)")
            self.stdout.flush()
            pause_point("committed")
            state, stats = index_ensure(force=rebuild_index or summary.changed_anything)
        finally:
            lock.release()
        if stats is None:
            self.stdout.write("Search index: up to date (it matches the database).")
            return
        if state in REASONS:
            self.stdout.write(REASONS[state])
        self.stdout.write(
            f"Search index: {stats.documents} articles, {stats.terms} terms, "
            f"{stats.postings} postings, built in {stats.seconds:.1f} s"
        )
