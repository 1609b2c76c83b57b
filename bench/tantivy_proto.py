"""A quick prototype: the same bigram BM25 core in tantivy (PyPI `tantivy`), side by side with
Lawbot's numpy index, on the documents and question words bench/tantivy_export.py wrote.

usage: bench/.venv-tantivy/bin/python bench/tantivy_proto.py OUT_DIR
(bench/.venv-tantivy: python3.11 -m venv bench/.venv-tantivy && bench/.venv-tantivy/bin/pip
install tantivy; never in the project's dependencies unless adopted)."""

import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import tantivy


def bigrams(text: str) -> list[str]:
    runs = "".join(c if c.isalnum() else " " for c in text).split()
    return sorted({run[i : i + 2] for run in runs for i in range(len(run) - 1)})


def main() -> None:
    out = Path(sys.argv[1])
    schema_builder = tantivy.SchemaBuilder()
    schema_builder.add_integer_field("doc", stored=True, indexed=False, fast=True)
    schema_builder.add_text_field("body", stored=False, tokenizer_name="bigram")
    schema = schema_builder.build()
    where = out / "tantivy"
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir()
    index = tantivy.Index(schema, path=str(where))
    index.register_tokenizer(
        "bigram",
        tantivy.TextAnalyzerBuilder(
            tantivy.Tokenizer.ngram(min_gram=2, max_gram=2, prefix_only=False)
        ).build(),
    )
    started, cpu = time.perf_counter(), time.process_time()
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    with (out / "docs.jsonl").open() as docs:
        for line in docs:
            number, text = json.loads(line)
            writer.add_document(tantivy.Document(doc=number, body=text))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    build = time.perf_counter() - started, time.process_time() - cpu
    size = sum(f.stat().st_size for f in where.rglob("*") if f.is_file()) / 2**20
    searcher = index.searcher()
    queries = json.loads((out / "queries.json").read_text())
    lawbot = json.loads((out / "lawbot_top.json").read_text())
    times, overlap = [], []
    for round_ in range(3):
        for n, words in enumerate(queries):
            grams = bigrams(words)
            began = time.process_time()
            if grams:
                query = tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", g))
                        for g in grams
                    ]
                )
                found = [searcher.doc(a)["doc"][0] for _, a in searcher.search(query, 40).hits]
            else:
                found = []
            times.append((time.process_time() - began) * 1000)
            if round_ == 0 and lawbot[n]:
                overlap.append(len(set(found) & set(lawbot[n])) / len(lawbot[n]))
    print(
        f"tantivy {tantivy.__version__ if hasattr(tantivy, '__version__') else ''}: build "
        f"{build[0]:.1f} s wall, {build[1]:.1f} s CPU; {size:.0f} MiB on disk; "
        f"query + top 40, {len(queries)} questions x 3: CPU p50 {statistics.median(times):.2f} ms, "
        f"p95 {sorted(times)[int(len(times) * 0.95)]:.2f} ms; top-40 overlap with Lawbot's BM25 "
        f"{statistics.mean(overlap):.2f}"
    )


if __name__ == "__main__":
    main()
