"""Fitting the meaning signal's weights (laws/fusion.py) on the tuned splits only.

Grid search over MEANING_WEIGHT (how much the nearest articles gain, as a share of the best word
score), MEANING_POWER (how fast the gain falls off with distance) and PARAGRAPH_WEIGHT (the rerank's
lift from the closest paragraph), scored by MRR on the tuned splits of bench/questions.jsonl
(bench/retrieval.py's TUNED). With --cards, over CARD_MEANING_WEIGHT and CARD_MEANING_DEPTH (the
cards' vectors, laws/card_vectors.py) instead; with --rerank, over the rerank's PHRASE_WEIGHT and
the cards' CARD_RELATIVE (laws/search.py). The held-out splits are never looked at here.
Needs an imported corpus and a meaning index (--cards, --rerank: the card vectors). Usage:
    .venv/bin/python bench/tune_meaning.py [--partial-meaning] [--cards | --rerank]
"""

import itertools
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")

import django  # noqa: E402

django.setup()

from laws import fusion  # noqa: E402
from laws import meaning as meaning_module  # noqa: E402
from laws import search as search_module  # noqa: E402
from laws.card_vectors import get_card_vectors  # noqa: E402
from laws.cards import card_index  # noqa: E402
from laws.embedders import get_embedder  # noqa: E402
from laws.evaluation import first_ranks, metrics, questions_load  # noqa: E402
from laws.index import get_index  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from retrieval import TUNED  # noqa: E402

GRID = {
    "MEANING_WEIGHT": [0.0, 0.25, 0.5, 1.0],
    "MEANING_POWER": [1.0, 2.0],
    "PARAGRAPH_WEIGHT": [0.0, 0.25, 0.5],
}
GRID_CARDS = {
    "CARD_MEANING_WEIGHT": [0.0, 0.25, 0.5, 0.75, 1.0, 1.5],
    "CARD_MEANING_DEPTH": [20, 50, 150],
    "CARD_MEANING_FLOOR": [0.0, 0.3, 0.35],
}
# The rerank's phrase lift and the cards' cut-off (laws/search.py), refitted on every tuned split
# (the phrase weight was first chosen on `dev` alone).
GRID_RERANK = {
    "PHRASE_WEIGHT": [0.0, 0.1, 0.25, 0.5],
    "CARD_RELATIVE": [0.3, 0.5],
}


def main() -> None:
    meaning_module.USE_PARTIAL = "--partial-meaning" in sys.argv
    grid, module = GRID, fusion
    if "--cards" in sys.argv:
        grid = GRID_CARDS
    elif "--rerank" in sys.argv:
        grid, module = GRID_RERANK, search_module
    if grid is not GRID:
        if get_card_vectors(card_index().cards, get_embedder().name) is None:
            sys.exit("no card vectors: run `manage.py embed_laws`")
    elif meaning_module.get_meaning(get_index()) is None:
        sys.exit("no meaning index: run `manage.py embed_laws` (or --cached-only)")
    rows = [r for r in questions_load(ROOT / "bench" / "questions.jsonl") if r["split"] in TUNED]
    print(f"{len(rows)} questions of the tuned splits {sorted(TUNED)}")
    results = []
    for values in itertools.product(*grid.values()):
        if grid is not GRID_RERANK and values[0] == 0.0 and values[1] != [*grid.values()][1][0]:
            continue  # no gain to shape
        for name, value in zip(grid, values, strict=True):
            setattr(module, name, value)
        m = metrics(first_ranks(rows))
        results.append((m["mrr"], m["recall@1"], m["recall@5"], values))
        print(
            " ".join(f"{n}={v}" for n, v in zip(grid, values, strict=True)),
            f"r@1 {m['recall@1']:.3f} r@5 {m['recall@5']:.3f} MRR {m['mrr']:.3f}",
            flush=True,
        )
    best = max(results)
    print("best by MRR:", dict(zip(grid, best[3], strict=True)), f"MRR {best[0]:.3f}")


if __name__ == "__main__":
    main()
