"""Retrieval benchmark (issues 3, 12): recall@1, recall@5 and MRR on bench/questions.jsonl per
split and per signal (words only, + cards, + meaning, + rerank = Lawbot), side by side with plain
BM25, plus retrieval latency, index build time and index load time.

Needs an imported corpus (LAWBOT_VAR_DIR, see README). Usage:
    .venv/bin/python bench/retrieval.py [--build] [--misses] [--questions PATH]

A question counts as found at k when any of its expected articles is among the first k hits;
MRR uses the rank of the first expected article (0 when none is in the top 10). "plain BM25" is
search(plain=True): the bigram BM25 index alone, without citations, priors or vocabulary. "words"
is search() with its word machinery (citations, law detection, priors, vocabulary, the English
word index) and no cards, meaning or rerank; each next column adds one signal. The meaning
columns need the meaning index (`manage.py embed_laws`); without it they equal the ones before.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from laws import meaning as meaning_module  # noqa: E402
from laws.evaluation import first_ranks, metrics, questions_load  # noqa: E402
from laws.fusion import SIGNALS  # noqa: E402
from laws.index import IndexMissing, SearchIndex, get_index, index_build  # noqa: E402
from laws.meaning import get_meaning  # noqa: E402
from laws.search import law_matcher, search  # noqa: E402

QUESTIONS = ROOT / "bench" / "questions.jsonl"
TUNED = {"dev", "dev-late", "dev-late2", "dev-late3", "heldout2", "heldout3"}  # widened from these


def groups(rows: list[dict]) -> dict:
    splits = list(dict.fromkeys(row["split"] for row in rows))
    found = {"all": lambda r: True}
    for split in splits:
        label = f"{split} (tuned on)" if split in TUNED else split
        found[label] = lambda r, split=split: r["split"] == split
    found["chinese"] = lambda r: r["lang"] == "zh"
    found["english"] = lambda r: r["lang"] == "en"
    found["everyday (no law named)"] = lambda r: r["kind"] in ("everyday", "followup")
    return found


# Each column adds one signal to the one before; the last is Lawbot as it answers.
COLUMNS = {
    "plain BM25": {"plain": True},
    "words": {"signals": frozenset()},
    "+cards": {"signals": frozenset({"cards"})},
    "+meaning": {"signals": frozenset({"cards", "meaning"})},
    "+rerank": {"signals": SIGNALS},
}


def quality(rows: list[dict]) -> tuple[dict, list[int | None]]:
    ranks = {name: first_ranks(rows, **options) for name, options in COLUMNS.items()}
    table = {}
    for name, keep in groups(rows).items():
        picked = [i for i, row in enumerate(rows) if keep(row)]
        table[name] = (
            len(picked),
            {col: metrics([found[i] for i in picked]) for col, found in ranks.items()},
        )
    return table, ranks["+rerank"]


def latency(rows: list[dict], *, rounds: int = 3, **options) -> dict[str, float]:
    """Wall-clock and CPU milliseconds per search(): on a shared machine the wall clock also
    counts the time other processes hold the cores, the CPU time only this one's work."""
    wall, cpu = [], []
    for _ in range(rounds):
        for row in rows:
            started, started_cpu = time.perf_counter(), time.process_time()
            search(row["q"], limit=5, history=row.get("history", ()), **options)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    wall.sort()
    cpu.sort()
    p95 = int(len(wall) * 0.95) - 1
    return {
        "p50": statistics.median(wall),
        "p95": wall[p95],
        "cpu p50": statistics.median(cpu),
        "cpu p95": cpu[p95],
    }


def load_time() -> float:
    """Opening the memory-mapped index and building the law-name matcher, as a fresh worker."""
    started = time.perf_counter()
    index = SearchIndex(Path(settings.LAWBOT_INDEX_DIR))
    law_matcher(index)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--build", action="store_true", help="also time an index build")
    parser.add_argument("--misses", action="store_true", help="list the questions not in top 5")
    parser.add_argument(
        "--partial-meaning",
        action="store_true",
        help="use a partial meaning index (`embed_laws --cached-only`) while a build runs",
    )
    args = parser.parse_args()
    meaning_module.USE_PARTIAL = args.partial_meaning
    rows = questions_load(args.questions)

    if args.build:
        with tempfile.TemporaryDirectory() as tmp:
            stats = index_build(directory=Path(tmp) / "index")
        print(f"index build: {stats.seconds:.1f} s ({stats.documents} articles)")
    try:
        print(f"index load: {load_time() * 1000:.0f} ms (memory-mapped arrays + law names)")
    except IndexMissing as exc:
        sys.exit(f"{exc} (or set LAWBOT_VAR_DIR to an imported corpus)")

    meaning = get_meaning(get_index())
    print(
        "meaning index: "
        + (
            f"{meaning.meta['passages']} passages ({meaning.meta['embedder']}"
            + ("" if meaning.meta.get("complete") else ", partial")
            + ")"
            if meaning
            else "none"
        )
    )
    table, final = quality(rows)
    print("\nr@1 / r@5 / MRR; each column adds one signal (the last is Lawbot):")
    print(f"{'questions':<26}{'n':>5}" + "".join(f" | {col:^17}" for col in COLUMNS))
    for name, (n, columns) in table.items():
        cells = "".join(
            f" | {m['recall@1']:.3f} {m['recall@5']:.3f} {m['mrr']:.3f}" for m in columns.values()
        )
        print(f"{name:<26}{n:>5}{cells}")
    print(f"\nretrieval latency (search(), limit=5, {len(rows)} questions x 3, articles loaded):")
    for name, options in (("plain BM25", {"plain": True}), ("Lawbot", {})):
        t = latency(rows, **options)
        print(
            f"{name:<12} wall p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms; "
            f"CPU p50 {t['cpu p50']:.1f} ms, p95 {t['cpu p95']:.1f} ms"
        )
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.misses:
        print("\nnot in the top 5:")
        for row, rank in zip(rows, final, strict=True):
            if not rank or rank > 5:
                print(f"  [{row['split']}] {row['q']}  expected {row['expected']}  rank {rank}")


if __name__ == "__main__":
    main()
