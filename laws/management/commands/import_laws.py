from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from laws.importer import laws_import
from laws.index import IndexMissing, get_index, index_build
from laws.sources import SourceError


class Command(BaseCommand):
    help = (
        "Import the Ministry of Justice's law downloads (paths or URLs of ChLaw/ChOrder .json(.zip), "
        "and their English translations EngLaw/EngOrder) "
        "and rebuild the search index. Default: LAWBOT_LAW_SOURCE, else the official URLs."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="paths or http(s) URLs")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument(
            "--rebuild-index", action="store_true", help="rebuild the index even if nothing changed"
        )

    def handle(self, *args, sources, no_progress, rebuild_index, **options):
        force_index = rebuild_index
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

        try:
            summary = laws_import(sources=sources, progress=progress)
        except SourceError as exc:
            raise CommandError(f"import failed, the corpus is unchanged: {exc}") from exc
        self.stdout.write(f"Imported from {', '.join(sources)}: {summary}")
        if not summary.changed_anything and not force_index:
            try:
                get_index()
                self.stdout.write("Search index: up to date (nothing changed).")
                return
            except IndexMissing:
                pass
        stats = index_build()
        self.stdout.write(
            f"Search index: {stats.documents} articles, {stats.terms} terms, "
            f"{stats.postings} postings, built in {stats.seconds:.1f} s"
        )
