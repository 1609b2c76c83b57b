"""The full-text index: BM25 over character bigrams, stored as numpy arrays and memory-mapped.

Layout of the index directory (written to a temporary folder, then swapped in whole):
  terms.npy     sorted bigram keys (int64)          term_ptr.npy  postings offsets per term
  post_doc.npy  document numbers (int32)            post_tf.npy   term frequencies (float32)
  doc_norm.npy  BM25 length normalisation per doc   doc_article.npy / doc_law.npy / doc_prior.npy
  laws.json     the in-force laws' ids, codes, names and levels (for law-name detection)
"""

import json
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from laws.models import Article, Law
from laws.text import bigram_keys

FORMAT = 1  # bump when the files change shape: an older index is then rebuilt, not misread
K1 = 1.2
B = 0.75
DOC_SLOTS = 1 << 21  # docs per index (2M) when (key, doc) pairs are packed into one int64
REPEALED = ["（刪除）", "(刪除)", "刪除"]
# Acts are what people ask about; regulations implement them and would otherwise drown them.
LEVEL_PRIOR = {Law.Level.CONSTITUTION: 1.0, Law.Level.ACT: 1.0, Law.Level.REGULATION: 0.7}
ARRAYS = [
    "terms",
    "term_ptr",
    "post_doc",
    "post_tf",
    "doc_norm",
    "doc_article",
    "doc_law",
    "doc_prior",
]


@dataclass
class BuildStats:
    documents: int
    terms: int
    postings: int
    seconds: float


def _documents():
    rows = (
        Article.objects.filter(law__abolished=False)
        .exclude(content__in=REPEALED)
        .order_by("id")
        .values_list("id", "law_id", "law__level", "chapter", "content")
    )
    return rows.iterator(chunk_size=10000)


def _pairs(texts: list[str], first_doc: int) -> tuple[np.ndarray, np.ndarray]:
    """(packed key*DOC_SLOTS+doc, count) for a batch of documents, and their lengths."""
    keys = [bigram_keys(t) for t in texts]
    lengths = np.array([k.size for k in keys], dtype=np.int64)
    if not lengths.sum():
        return np.zeros(0, np.int64), np.zeros(0, np.int64), lengths
    docs = np.repeat(np.arange(first_doc, first_doc + len(texts), dtype=np.int64), lengths)
    packed, counts = np.unique(np.concatenate(keys) * DOC_SLOTS + docs, return_counts=True)
    return packed, counts, lengths


def index_build(*, directory: Path | None = None, batch: int = 20000) -> BuildStats:
    started = time.perf_counter()
    directory = Path(directory or settings.LAWBOT_INDEX_DIR)
    packed_parts, count_parts, length_parts = [], [], []
    article_ids, law_ids, priors = [], [], []
    texts: list[str] = []

    def flush() -> None:
        packed, counts, lengths = _pairs(texts, len(article_ids) - len(texts))
        packed_parts.append(packed)
        count_parts.append(counts)
        length_parts.append(lengths)
        texts.clear()

    for article_id, law_id, level, chapter, content in _documents():
        article_ids.append(article_id)
        law_ids.append(law_id)
        priors.append(LEVEL_PRIOR.get(level, 0.7))
        texts.append(f"{chapter}\n{content}")
        if len(texts) >= batch:
            flush()
    flush()
    if len(article_ids) >= DOC_SLOTS:
        raise ValueError("too many articles for one index")

    packed = np.concatenate(packed_parts)
    counts = np.concatenate(count_parts)
    order = np.argsort(packed, kind="stable")
    packed, counts = packed[order], counts[order]
    keys = packed // DOC_SLOTS
    terms, starts = np.unique(keys, return_index=True)
    lengths = np.concatenate(length_parts).astype(np.float32)
    avgdl = float(lengths.mean()) if lengths.size else 1.0

    arrays = {
        "terms": terms,
        "term_ptr": np.append(starts, keys.size).astype(np.int64),
        "post_doc": (packed % DOC_SLOTS).astype(np.int32),
        "post_tf": counts.astype(np.float32),
        "doc_norm": (K1 * (1 - B + B * lengths / max(avgdl, 1.0))).astype(np.float32),
        "doc_article": np.array(article_ids, dtype=np.int64),
        "doc_law": np.array(law_ids, dtype=np.int64),
        "doc_prior": np.array(priors, dtype=np.float32),
    }
    laws = list(Law.objects.in_force().values_list("id", "pcode", "name", "level", "english_name"))
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, array in arrays.items():
        np.save(tmp / f"{name}.npy", array)
    (tmp / "laws.json").write_text(json.dumps(laws, ensure_ascii=False))
    meta = {
        "format": FORMAT,
        "documents": len(article_ids),
        "avgdl": avgdl,
        "built_at": time.time(),
    }
    (tmp / "meta.json").write_text(json.dumps(meta))
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    return BuildStats(
        len(article_ids), int(terms.size), int(keys.size), time.perf_counter() - started
    )


class IndexMissing(Exception):
    pass


class SearchIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        try:
            self.meta = json.loads((directory / "meta.json").read_text())
            for name in ARRAYS:
                setattr(self, name, np.load(directory / f"{name}.npy", mmap_mode="r"))
            self.laws = json.loads((directory / "laws.json").read_text())
        except FileNotFoundError as exc:
            raise IndexMissing(
                f"no search index in {directory}: run `manage.py import_laws`"
            ) from exc
        if self.meta.get("format") != FORMAT:
            raise IndexMissing(
                f"the index in {directory} is outdated: run `manage.py import_laws --rebuild-index`"
            )
        self.stamp = self.meta["built_at"]
        self.size = int(self.meta["documents"])

    def bm25(self, query: str) -> np.ndarray:
        """BM25 scores of every document for the bigrams of query (zeros if nothing matches)."""
        scores = np.zeros(self.size, dtype=np.float32)
        keys, qtf = np.unique(bigram_keys(query), return_counts=True)
        if not keys.size or not self.terms.size:
            return scores
        slots = np.searchsorted(self.terms, keys)
        slots_ok = slots < self.terms.size
        for key, slot, weight in zip(keys[slots_ok], slots[slots_ok], qtf[slots_ok], strict=True):
            if self.terms[slot] != key:
                continue
            start, end = int(self.term_ptr[slot]), int(self.term_ptr[slot + 1])
            df = end - start
            idf = np.log(1 + (self.size - df + 0.5) / (df + 0.5))
            docs = self.post_doc[start:end]
            tf = self.post_tf[start:end]
            scores[docs] += (idf * weight) * tf * (K1 + 1) / (tf + self.doc_norm[docs])
        return scores


_lock = threading.Lock()
_loaded: SearchIndex | None = None
_checked_at = 0.0


def get_index(directory: Path | None = None) -> SearchIndex:
    """The current index, memory-mapped once and reloaded when a rebuild replaces it."""
    global _loaded, _checked_at
    directory = Path(directory or settings.LAWBOT_INDEX_DIR)
    now = time.monotonic()
    with _lock:
        if _loaded is not None and _loaded.directory == directory and now - _checked_at < 1.0:
            return _loaded
        _checked_at = now
        try:
            stamp = json.loads((directory / "meta.json").read_text())["built_at"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            stamp = None
        if _loaded is None or _loaded.directory != directory or _loaded.stamp != stamp:
            _loaded = SearchIndex(directory)
        return _loaded
