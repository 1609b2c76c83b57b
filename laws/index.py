"""The full-text index: BM25 over character bigrams, stored as numpy arrays and memory-mapped.

Layout of the index directory (written to a temporary folder, then swapped in whole by
laws/swap.py):
  terms.npy     sorted bigram keys (int64)          term_ptr.npy  postings offsets per term
  post_doc.npy  document numbers (int32)            post_tf.npy   term frequencies (float32)
  doc_norm.npy  BM25 length normalisation per doc   doc_article.npy / doc_law.npy / doc_prior.npy
  en_*.npy      the same for the English word index (stemmed words of the Ministry's English
                translations), over the same document numbers (a document without English is empty)
  laws.json     the in-force laws' ids, codes, names and levels (for law-name detection)
  meta.json     format, counts, build time, and the fingerprint of the database it was built
                from (laws/fingerprint.py): an index whose fingerprint is not the database's is
                rebuilt (index_ensure, by `import_laws`, `index_laws` and the server)
"""

import fcntl
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from laws.english import english_word_keys
from laws.fingerprint import corpus_fingerprint, forget_cached
from laws.models import Article, Law
from laws.phases import pause_point
from laws.swap import resolved, swap_in
from laws.text import bigram_keys

log = logging.getLogger(__name__)

FORMAT = 3  # bump when the files change shape: an older index is then rebuilt, not misread
K1 = 1.2
B = 0.3
DOC_SLOTS = 1 << 21  # docs per index (2M) when (key, doc) pairs are packed into one int64
LEAD_RE = re.compile(r"[^，。：；\n]{1,40}")
REPEALED = ["（刪除）", "(刪除)", "刪除"]
# Acts are what people ask about; regulations implement them and would otherwise drown them.
LEVEL_PRIOR = {Law.Level.CONSTITUTION: 1.0, Law.Level.ACT: 1.0, Law.Level.REGULATION: 0.7}
TRANSLATED_PRIOR = 1.2
POSTINGS = ["terms", "term_ptr", "post_doc", "post_tf", "doc_norm"]
ARRAYS = [*POSTINGS, *(f"en_{name}" for name in POSTINGS), "doc_article", "doc_law", "doc_prior"]


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
        .values_list(
            "id", "law_id", "law__level", "law__english_name", "chapter", "content", "content_en"
        )
    )
    return rows.iterator(chunk_size=10000)


def law_prior(level: str, english_name: str) -> float:
    """Acts before regulations; among them, the laws the Ministry translated into English, which
    are the ones people (and foreign residents) need most."""
    return LEVEL_PRIOR.get(level, 0.7) * (TRANSLATED_PRIOR if english_name else 1.0)


def document_text(chapter: str, content: str) -> str:
    """What the index reads for an article: its chapter heading as context, then its opening
    words twice (they usually say what the article is about), then the text."""
    lead = LEAD_RE.match(content)
    return f"{chapter}\n{lead.group() if lead else ''}\n{content}"


def _pairs(keys: list[np.ndarray], first_doc: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(packed key*DOC_SLOTS+doc, count) for a batch of documents' term keys, and their lengths."""
    lengths = np.array([k.size for k in keys], dtype=np.int64)
    if not lengths.sum():
        return np.zeros(0, np.int64), np.zeros(0, np.int64), lengths
    docs = np.repeat(np.arange(first_doc, first_doc + len(keys), dtype=np.int64), lengths)
    packed, counts = np.unique(np.concatenate(keys) * DOC_SLOTS + docs, return_counts=True)
    return packed, counts, lengths


class _Postings:
    """Postings of one word index (Chinese bigrams or English words), gathered batch by batch."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.packed, self.counts, self.lengths = [], [], []
        self.keys: list[np.ndarray] = []
        self.first = 0

    def add(self, keys: np.ndarray) -> None:
        self.keys.append(keys)

    def flush(self) -> None:
        packed, counts, lengths = _pairs(self.keys, self.first)
        self.packed.append(packed)
        self.counts.append(counts)
        self.lengths.append(lengths)
        self.first += len(self.keys)
        self.keys = []

    def arrays(self) -> dict[str, np.ndarray]:
        packed = np.concatenate(self.packed)
        counts = np.concatenate(self.counts)
        order = np.argsort(packed, kind="stable")
        packed, counts = packed[order], counts[order]
        keys = packed // DOC_SLOTS
        terms, starts = np.unique(keys, return_index=True)
        lengths = np.concatenate(self.lengths).astype(np.float32)
        present = lengths[lengths > 0]
        avgdl = float(present.mean()) if present.size else 1.0
        found = {
            "terms": terms,
            "term_ptr": np.append(starts, keys.size).astype(np.int64),
            "post_doc": (packed % DOC_SLOTS).astype(np.int32),
            "post_tf": counts.astype(np.float32),
            "doc_norm": (K1 * (1 - B + B * lengths / max(avgdl, 1.0))).astype(np.float32),
        }
        return {self.prefix + name: array for name, array in found.items()}


def index_build(*, directory: Path | None = None, batch: int = 20000) -> BuildStats:
    """Builds the index of the database now beside the current one and swaps it in whole."""
    started = time.perf_counter()
    directory = Path(directory or settings.LAWBOT_INDEX_DIR)
    # Taken before the documents are read: a write during the build makes the index disagree
    # with the database afterwards, so it is rebuilt rather than trusted.
    fingerprint = corpus_fingerprint()
    chinese, english = _Postings(""), _Postings("en_")
    article_ids, law_ids, priors = [], [], []

    for article_id, law_id, level, english_name, chapter, content, content_en in _documents():
        article_ids.append(article_id)
        law_ids.append(law_id)
        priors.append(law_prior(level, english_name))
        chinese.add(bigram_keys(document_text(chapter, content)))
        english.add(english_word_keys(content_en))
        if len(chinese.keys) >= batch:
            chinese.flush()
            english.flush()
    chinese.flush()
    english.flush()
    if len(article_ids) >= DOC_SLOTS:
        raise ValueError("too many articles for one index")

    arrays = {
        **chinese.arrays(),
        **english.arrays(),
        "doc_article": np.array(article_ids, dtype=np.int64),
        "doc_law": np.array(law_ids, dtype=np.int64),
        "doc_prior": np.array(priors, dtype=np.float32),
    }
    laws = list(Law.objects.in_force().values_list("id", "pcode", "name", "level", "english_name"))
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for number, (name, array) in enumerate(arrays.items()):
        np.save(tmp / f"{name}.npy", array)
        if number == len(arrays) // 2:
            pause_point("index")
    (tmp / "laws.json").write_text(json.dumps(laws, ensure_ascii=False))
    meta = {
        "format": FORMAT,
        "documents": len(article_ids),
        "english_documents": int(np.count_nonzero(np.concatenate(english.lengths))),
        "built_at": time.time(),
        "fingerprint": fingerprint,
    }
    (tmp / "meta.json").write_text(json.dumps(meta))
    pause_point("swap")
    swap_in(tmp, directory)
    _forget_loaded()
    forget_cached()
    return BuildStats(
        len(article_ids),
        int(arrays["terms"].size),
        int(arrays["post_doc"].size),
        time.perf_counter() - started,
    )


class IndexMissing(Exception):
    pass


class SearchIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        folder = resolved(directory)  # every file from one build, even if another swaps in now
        try:
            self.meta = json.loads((folder / "meta.json").read_text())
            for name in ARRAYS:
                setattr(self, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
            self.laws = json.loads((folder / "laws.json").read_text())
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
        self.english_documents = int(self.meta.get("english_documents", 0))

    def bm25(self, query: str) -> np.ndarray:
        """BM25 scores of every document for the bigrams of query (zeros if nothing matches)."""
        return self._bm25(bigram_keys(query), "")

    def bm25_english(self, query: str) -> np.ndarray:
        """BM25 scores of every document's English text for the English words of query."""
        return self._bm25(english_word_keys(query), "en_")

    def _bm25(self, query_keys: np.ndarray, prefix: str) -> np.ndarray:
        terms, term_ptr = getattr(self, f"{prefix}terms"), getattr(self, f"{prefix}term_ptr")
        post_doc, post_tf = getattr(self, f"{prefix}post_doc"), getattr(self, f"{prefix}post_tf")
        doc_norm = getattr(self, f"{prefix}doc_norm")
        scores = np.zeros(self.size, dtype=np.float32)
        keys, qtf = np.unique(query_keys, return_counts=True)
        if not keys.size or not terms.size:
            return scores
        # Document frequencies count the documents that have text in this language.
        size = self.size if not prefix else self.english_documents
        slots = np.searchsorted(terms, keys)
        slots_ok = slots < terms.size
        for key, slot, weight in zip(keys[slots_ok], slots[slots_ok], qtf[slots_ok], strict=True):
            if terms[slot] != key:
                continue
            start, end = int(term_ptr[slot]), int(term_ptr[slot + 1])
            df = end - start
            idf = np.log(1 + (size - df + 0.5) / (df + 0.5))
            docs = post_doc[start:end]
            tf = post_tf[start:end]
            scores[docs] += (idf * weight) * tf * (K1 + 1) / (tf + doc_norm[docs])
        return scores


_lock = threading.Lock()
_loaded: SearchIndex | None = None
_checked_at = 0.0


def _forget_loaded() -> None:
    """This process rebuilt the index: its next get_index() looks at the directory again."""
    global _checked_at
    with _lock:
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


def index_agrees(index: SearchIndex, fingerprint: dict[str, int] | None = None) -> bool:
    """Whether index was built from the database as it is now (or as fingerprint says)."""
    return index.meta.get("fingerprint") == (fingerprint or corpus_fingerprint())


def index_state() -> str:
    """ "ok", "missing" (no readable index) or "mismatch" (built from another database state:
    an import was interrupted before its index was swapped in)."""
    try:
        index = get_index()
    except IndexMissing:
        return "missing"
    return "ok" if index_agrees(index) else "mismatch"


class CorpusLock:
    """One writer of the corpus and its index at a time: `import_laws` holds it for its whole
    run, a rebuild (`index_laws`) while it builds; the server looks at it to tell a rebuild
    under way from one that must be started."""

    def __init__(self, directory: Path | None = None):
        directory = Path(directory or settings.LAWBOT_INDEX_DIR)
        path = directory.with_name(directory.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("a")

    def acquire(self, *, wait: bool) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()

    @classmethod
    def held_elsewhere(cls) -> bool:
        lock = cls()
        try:
            return not lock.acquire(wait=False)
        finally:
            lock.release()


def index_ensure(*, force: bool = False) -> tuple[str, BuildStats | None]:
    """Rebuilds the index if it is missing or disagrees with the database (or force): returns
    the state found and the new index's stats (None when it was left as it was)."""
    state = "rebuild" if force else index_state()
    if state == "ok":
        return state, None
    return state, index_build()


_healer_lock = threading.Lock()
_healer: subprocess.Popen | None = None


def _spawn_rebuild() -> subprocess.Popen:
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
    command = [sys.executable, "-m", "django", "index_laws", "--if-needed"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL)


def index_rebuild_in_background() -> None:
    """Starts `manage.py index_laws --if-needed` in a child process unless a rebuild or an
    import is under way (this process's child, or any process holding the CorpusLock). The
    server answers from the index it has meanwhile and loads the new one once it is swapped in
    (get_index looks at meta.json every second)."""
    global _healer
    with _healer_lock:
        if _healer is not None and _healer.poll() is None:
            return
        if CorpusLock.held_elsewhere():
            return
        log.warning("the search index does not match the database: rebuilding it")
        _healer = _spawn_rebuild()
