"""Scoring retrieval against labelled questions (bench/questions.jsonl): recall@k and MRR.

A question is one JSON object per line: {"q", "expected": ["N0030001:17", …], "domain", "lang",
"kind": everyday | named | citation | followup, "split": dev | dev-late | heldout, "history"?}.
A question counts as found at k when any of its expected articles is among the first k hits."""

import json
from collections.abc import Callable
from pathlib import Path

from laws.search import SearchResult, search

DEPTH = 10


def questions_load(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        row.setdefault("split", "dev")
    return rows


def first_ranks(
    rows: list[dict], *, retrieve: Callable[..., SearchResult] = search, **options
) -> list[int | None]:
    """For each question, the rank (1-based) of its first expected article, or None; options
    go to retrieve (plain=True, signals=…)."""
    found = []
    for row in rows:
        result = retrieve(row["q"], limit=DEPTH, history=row.get("history", ()), **options)
        keys = [f"{hit.article.law.pcode}:{hit.article.number}" for hit in result.hits]
        expected = set(row["expected"])
        found.append(next((i + 1 for i, key in enumerate(keys) if key in expected), None))
    return found


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }
