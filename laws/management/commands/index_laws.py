from django.core.management.base import BaseCommand

from laws.index import CorpusLock, index_ensure


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database (beside the current one, swapped in whole). "
        "With --if-needed, only if it is missing or does not match the database; the server "
        "starts this itself when it finds a mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="leave an index that matches the database, and give way to a running import",
        )

    def handle(self, *args, if_needed, **options):
        lock = CorpusLock()
        if not lock.acquire(wait=not if_needed):
            self.stdout.write("An import or index rebuild is running; it will leave the index.")
            return
        try:
            state, stats = index_ensure(force=not if_needed)
        finally:
            lock.release()
        if stats is None:
            self.stdout.write("Search index: up to date (it matches the database).")
            return
        self.stdout.write(
            f"Search index ({state}): rebuilt, {stats.documents} articles, {stats.terms} terms, "
            f"built in {stats.seconds:.1f} s"
        )
        if state != "rebuild":
            # The meaning index belongs to the word index it was built for: a healed word index
            # needs its vectors too (only the passages that changed are embedded).
            from laws.meaning import meaning_build_in_background

            meaning_build_in_background()
