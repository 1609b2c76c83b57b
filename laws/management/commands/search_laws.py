from django.core.management.base import BaseCommand, CommandError

from laws.index import IndexMissing
from laws.search import search


class Command(BaseCommand):
    help = "Print the articles that best answer a question, with their scores."

    def add_arguments(self, parser):
        parser.add_argument("question")
        parser.add_argument("--limit", type=int, default=5)

    def handle(self, *args, question, limit, **options):
        try:
            result = search(question, limit=limit)
        except IndexMissing as exc:
            raise CommandError(str(exc)) from exc
        for line in result.missing:
            self.stdout.write(line)
        for rank, hit in enumerate(result.hits, 1):
            score = "citation" if hit.reason == "citation" else f"{hit.score:.3f}"
            snippet = hit.article.content.replace("\n", " ")[:60]
            self.stdout.write(
                f"{rank}. {score:>8}  {hit.article.title} [{hit.article.law.pcode}]  {snippet}"
            )
        if not result.hits and not result.missing:
            self.stdout.write("No matching articles.")
