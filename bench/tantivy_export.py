"""Exports what bench/tantivy_proto.py indexes and asks: the documents the word index reads
(laws/index.py document_text) and the words search() scores for each question of
bench/questions.jsonl; and times Lawbot's own BM25 (SearchIndex.bm25 plus the top 40) on them.

usage: LAWBOT_VAR_DIR=… .venv/bin/python bench/tantivy_export.py OUT_DIR"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from laws.evaluation import questions_load  # noqa: E402
from laws.index import _documents, document_text, get_index  # noqa: E402
from laws.search import analyse, lexicon  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    index = get_index()
    lex = lexicon(index)
    words = [analyse(lex, row["q"]).words for row in questions_load(ROOT / "bench/questions.jsonl")]
    (out / "queries.json").write_text(json.dumps(words, ensure_ascii=False))
    with (out / "docs.jsonl").open("w") as docs:
        for number, (_pk, *_rest, chapter, content) in enumerate(_documents()):
            docs.write(json.dumps([number, document_text(chapter, content)], ensure_ascii=False))
            docs.write("\n")
    times, tops = [], []
    for query in words * 3:
        started = time.process_time()
        scores = index.bm25(query)
        positive = np.flatnonzero(scores > 0)
        cut = max(positive.size - 40, 0)
        top = positive[np.argpartition(scores[positive], cut)[cut:]] if cut else positive
        times.append((time.process_time() - started) * 1000)
        tops.append(top.tolist())
    (out / "lawbot_top.json").write_text(json.dumps(tops[: len(words)]))
    print(
        f"Lawbot BM25 + top 40, {len(words)} questions x 3: CPU p50 "
        f"{statistics.median(times):.2f} ms, p95 {sorted(times)[int(len(times) * 0.95)]:.2f} ms"
    )


if __name__ == "__main__":
    main()
