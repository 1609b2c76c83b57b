"""Check the hand-written article cards in laws/lexicon/articles/*.tsv.

Each non-comment line is ``PCODE:ARTICLE <TAB> Chinese phrases (space separated)
<TAB> English phrases (comma separated)``. The check reports lines without exactly
three columns, articles the corpus does not have (or has repealed), articles carded
twice, and cards with too few or too many phrases. It exits non-zero on errors;
phrase-count findings are warnings unless --strict is given.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from laws.models import Article

CARDS_DIR = Path(__file__).resolve().parents[2] / "lexicon" / "articles"
ZH_RANGE = (6, 20)
EN_RANGE = (4, 12)


class Command(BaseCommand):
    help = "Check that every article card names an article in the corpus and is well formed."

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="card files (default: every .tsv in the cards folder)"
        )
        parser.add_argument(
            "--strict", action="store_true", help="treat phrase-count findings as errors"
        )

    def handle(self, *args, files, strict, **options):
        paths = [Path(f) for f in files] or sorted(CARDS_DIR.glob("*.tsv"))
        if not paths:
            raise CommandError(f"No card files in {CARDS_DIR}")
        known = {
            f"{pcode}:{number}": content
            for pcode, number, content in Article.objects.values_list(
                "law__pcode", "number", "content"
            )
        }
        if not known:
            raise CommandError("The corpus is empty: import the laws first.")
        errors = warnings = total = 0
        seen: dict[str, str] = {}
        for path in paths:
            count = 0
            for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not raw.strip() or raw.startswith("#"):
                    continue
                where = f"{path.name}:{lineno}"
                columns = raw.split("\t")
                if len(columns) != 3:
                    self.stdout.write(f"ERROR {where}: {len(columns)} columns, expected 3")
                    errors += 1
                    continue
                key, zh, en = columns
                count += 1
                if key not in known:
                    self.stdout.write(f"ERROR {where}: {key} is not in the corpus")
                    errors += 1
                elif known[key].strip() in {"（刪除）", "(刪除)", "刪除"}:
                    self.stdout.write(f"ERROR {where}: {key} is repealed")
                    errors += 1
                if key in seen:
                    self.stdout.write(f"ERROR {where}: {key} already carded at {seen[key]}")
                    errors += 1
                seen.setdefault(key, where)
                zh_phrases = zh.split(" ")
                en_phrases = [p.strip() for p in en.split(",")]
                problems = []
                if "" in zh_phrases or "" in en_phrases:
                    problems.append("empty phrase (doubled separator?)")
                if not ZH_RANGE[0] <= len(zh_phrases) <= ZH_RANGE[1]:
                    problems.append(f"{len(zh_phrases)} Chinese phrases")
                if not EN_RANGE[0] <= len(en_phrases) <= EN_RANGE[1]:
                    problems.append(f"{len(en_phrases)} English phrases")
                if en != en.lower():
                    problems.append("English not lowercase")
                for problem in problems:
                    label = "ERROR" if strict else "WARN"
                    self.stdout.write(f"{label} {where}: {key}: {problem}")
                    if strict:
                        errors += 1
                    else:
                        warnings += 1
            self.stdout.write(f"{path.name}: {count} cards")
            total += count
        self.stdout.write(f"total: {total} cards, {errors} errors, {warnings} warnings")
        if errors:
            raise CommandError(f"{errors} errors in the article cards")
