"""The meaning index: article passages as dense vectors, searched by the question's vector.

What is embedded: each indexed article (the word index's documents) as passages of at most
WINDOW characters, cut at its paragraphs (項/款), each led by its law's name and chapter, so that
a passage says what it is about. Vectors are cached by passage-text digest (laws/vector_cache.py):
a re-import embeds only the passages that changed. Passages are keyed by the word index's
document numbers, and the index says which word index (its stamp) it was built for: search uses
it only with that one, so no re-import can make it point at another article. The index directory
(beside the word index; written to a temporary folder, then swapped in whole by laws/swap.py):
  vectors.npy    float16 passage vectors, memory-mapped
  passage_doc.npy  the word index's document number of each passage (ascending)
  hnsw.usearch   an HNSW graph over the vectors (usearch), memory-mapped
  meta.json      the word index's stamp it belongs to, the embedder's name, counts

It is built after import, in a child process (`manage.py embed_laws`, started by
meaning_build_in_background) with a progress bar in the log and a progress file that
meaning_status() reads for /healthz; search uses it once it is complete for the current word
index, and not before.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from laws.card_vectors import card_vectors_build, card_vectors_current
from laws.cards import card_index
from laws.embedders import (
    BuiltinEmbedder,
    Embedder,
    get_embedder,
    worker_embed,
    worker_start,
)
from laws.index import REPEALED, SearchIndex, get_index
from laws.models import Article
from laws.swap import resolved, swap_in
from laws.vector_cache import VectorCache, passage_key

log = logging.getLogger(__name__)
FORMAT = 1
WINDOW = 240  # characters of article text per passage: the encoder reads short texts best
BATCH = 512  # passages per embedding call (and per cache shard write)
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 96
USE_PARTIAL = False  # the bench may measure a partial index (meaning_build(cached_only=True))
SPLIT_RE = re.compile(r"(?<=[。；：])")


def meaning_dir() -> Path:
    index_dir = Path(settings.LAWBOT_INDEX_DIR)
    return index_dir.with_name(index_dir.name + "-meaning")


def _progress_path() -> Path:
    return meaning_dir().with_name(meaning_dir().name + ".progress.json")


def _pieces(line: str) -> list[str]:
    """A paragraph longer than WINDOW, cut at its sentences (then hard, if a sentence is)."""
    if len(line) <= WINDOW:
        return [line]
    pieces, current = [], ""
    for sentence in SPLIT_RE.split(line):
        while len(sentence) > WINDOW:
            pieces.append(sentence[:WINDOW])
            sentence = sentence[WINDOW:]
        if len(current) + len(sentence) > WINDOW and current:
            pieces.append(current)
            current = ""
        current += sentence
    return [*pieces, current] if current else pieces


def passages(law_name: str, chapter: str, content: str) -> list[str]:
    """The passages embedded for one article: its paragraphs gathered into windows."""
    lead = f"{law_name} {chapter}".strip() + "\n"
    windows, current = [], ""
    for line in content.split("\n"):
        for piece in _pieces(line.strip()):
            if current and len(current) + len(piece) + 1 > WINDOW:
                windows.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    if current or not windows:
        windows.append(current)
    return [lead + window for window in windows]


def corpus_passages(index: SearchIndex) -> tuple[list[str], np.ndarray]:
    """Every passage of index's documents, and each one's document number."""
    rows = (
        Article.objects.filter(law__abolished=False)
        .exclude(content__in=REPEALED)
        .order_by("id")
        .values_list("id", "law__name", "chapter", "content")
    )
    slot = {int(pk): doc for doc, pk in enumerate(index.doc_article)}
    texts, docs = [], []
    for pk, name, chapter, content in rows.iterator(chunk_size=10000):
        doc = slot.get(pk)
        if doc is None:
            continue
        found = passages(name, chapter, content)
        texts.extend(found)
        docs.extend([doc] * len(found))
    order = np.argsort(np.array(docs, dtype=np.int32), kind="stable")
    return [texts[i] for i in order], np.array(docs, dtype=np.int32)[order]


@dataclass
class MeaningStats:
    passages: int
    embedded: int  # passages not in the cache, embedded now
    seconds: float
    cards: int = 0  # card vectors not in the cache, embedded now (laws/card_vectors.py)


def _write_progress(state: str, done: int, total: int, started: float, **extra) -> None:
    path = _progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "state": state,
        "done": done,
        "total": total,
        "started_at": started,
        "updated_at": time.time(),
        "pid": os.getpid(),
        **extra,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record))
    tmp.replace(path)


def _embed_missing(
    embedder: Embedder,
    texts: list[str],
    cache: VectorCache,
    keys: list[bytes],
    missing: list[int],
    *,
    processes: int,
    report: Callable[[int], None],
) -> None:
    batches = [missing[i : i + BATCH] for i in range(0, len(missing), BATCH)]
    jobs = ([texts[i] for i in batch] for batch in batches)
    if processes > 1 and isinstance(embedder, BuiltinEmbedder):
        import multiprocessing

        from django.db import connections

        connections.close_all()  # the children inherit no database connection
        # fork: a child starts with Django set up (a spawned one would import the models first)
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=worker_start) as pool:
            for batch, vectors in zip(batches, pool.imap(worker_embed, jobs), strict=True):
                cache.put([keys[i] for i in batch], vectors)
                report(len(batch))
        return
    for batch, batch_texts in zip(batches, jobs, strict=True):
        cache.put([keys[i] for i in batch], embedder.embed(batch_texts).astype(np.float16))
        report(len(batch))


def meaning_build(
    *,
    embedder: Embedder | None = None,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cached_only: bool = False,
) -> MeaningStats:
    """Embeds what the cache lacks and writes the meaning index for the current word index.
    progress(done, total) is called as passages are embedded. cached_only=True embeds nothing
    and writes a partial index of the cached passages, which search ignores (the bench can
    measure it while a build is still running)."""
    started = time.time()
    embedder = embedder or get_embedder()
    processes = processes or settings.LAWBOT_EMBED_PROCESSES
    index = get_index()
    current = get_meaning(index)
    if not cached_only and current is not None and current.meta["embedder"] == embedder.name:
        # The passages' vectors are complete for this index: only the cards may have changed.
        cards = card_vectors_build(embedder, card_index().cards)
        return MeaningStats(current.meta["passages"], 0, time.time() - started, cards)
    texts, docs = corpus_passages(index)
    cache = VectorCache(Path(settings.LAWBOT_EMBED_CACHE), embedder.name)
    keys = [passage_key(text) for text in texts]
    missing = [i for i, key in enumerate(keys) if key not in cache]
    # The laws people ask about first (translated acts, then acts, then regulations): an
    # interrupted build has embedded them, and the next one resumes from the cache.
    prior = np.asarray(index.doc_prior)
    missing.sort(key=lambda i: -prior[docs[i]])
    if cached_only:
        kept = sorted(set(range(len(keys))) - set(missing))
        _write_meaning(index, embedder, cache, [keys[i] for i in kept], docs[kept], partial=True)
        return MeaningStats(len(kept), 0, time.time() - started)
    done = 0
    _write_progress("embedding", 0, len(missing), started, passages=len(texts))
    # The cards first: a few seconds, and retrieval uses them as soon as they are written.
    cards = card_vectors_build(embedder, card_index().cards)

    def report(count: int) -> None:
        nonlocal done
        done += count
        _write_progress("embedding", done, len(missing), started, passages=len(texts))
        if progress:
            progress(done, len(missing))

    _embed_missing(embedder, texts, cache, keys, missing, processes=processes, report=report)
    _write_meaning(index, embedder, cache, keys, docs)
    _write_progress("complete", done, len(missing), started, passages=len(texts))
    return MeaningStats(len(texts), len(missing), time.time() - started, cards)


def _write_meaning(
    index: SearchIndex,
    embedder: Embedder,
    cache: VectorCache,
    keys: list[bytes],
    docs: np.ndarray,
    *,
    partial: bool = False,
) -> None:
    from usearch.index import Index

    directory = meaning_dir()
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    vectors = cache.get(keys)
    np.save(tmp / "vectors.npy", vectors)
    np.save(tmp / "passage_doc.npy", docs)
    graph = Index(
        ndim=vectors.shape[1],
        metric="ip",
        dtype="f16",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )
    if len(keys):
        graph.add(np.arange(len(keys), dtype=np.uint64), vectors, threads=os.cpu_count() or 1)
    graph.save(str(tmp / "hnsw.usearch"))
    meta = {
        "format": FORMAT,
        "index_stamp": index.stamp,
        "embedder": embedder.name,
        "dim": int(vectors.shape[1]) if len(keys) else 0,
        "passages": len(keys),
        "complete": not partial,
        "built_at": time.time(),
    }
    (tmp / "meta.json").write_text(json.dumps(meta))
    swap_in(tmp, directory)
    _forget_loaded()


def _forget_loaded() -> None:
    global _checked
    with _lock:
        _checked = (0.0, None)


class MeaningIndex:
    def __init__(self, directory: Path, meta: dict):
        from usearch.index import Index

        self.directory = directory
        folder = resolved(directory)  # every file from one build, even if another swaps in now
        self.meta = json.loads((folder / "meta.json").read_text())
        if self.meta.get("built_at") != meta.get("built_at"):
            raise ValueError("the meaning index was replaced while it was being read")
        self.vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        self.passage_doc = np.load(folder / "passage_doc.npy", mmap_mode="r")
        self.graph = Index.restore(str(folder / "hnsw.usearch"), view=True)
        self.graph.expansion_search = EXPANSION_SEARCH

    def search(self, vector: np.ndarray, depth: int) -> dict[int, float]:
        """{document: best passage similarity} for the depth nearest passages."""
        if not self.meta["passages"]:
            return {}
        found = self.graph.search(vector.astype(np.float32), min(depth, self.meta["passages"]))
        best: dict[int, float] = {}
        for key, distance in zip(found.keys.tolist(), found.distances.tolist(), strict=True):
            doc = int(self.passage_doc[key])
            best.setdefault(doc, 1.0 - distance)  # nearest first: the first is the best
        return best

    def passages_of(self, docs: list[int]) -> dict[int, np.ndarray]:
        """Each document's passage vectors (its paragraphs), for the rerank."""
        starts = np.searchsorted(self.passage_doc, docs, side="left")
        ends = np.searchsorted(self.passage_doc, docs, side="right")
        return {
            doc: np.asarray(self.vectors[s:e], dtype=np.float32)
            for doc, s, e in zip(docs, starts.tolist(), ends.tolist(), strict=True)
        }


_lock = threading.Lock()
_loaded: MeaningIndex | None = None
_checked: tuple[float, float | None] = (0.0, None)  # (when, index stamp) last looked at


def get_meaning(index: SearchIndex) -> MeaningIndex | None:
    """The meaning index for index, or None while it is not complete (then search uses words
    and cards alone). Looks at the directory at most once a second."""
    global _loaded, _checked
    now = time.monotonic()
    with _lock:
        if now - _checked[0] < 1.0 and _checked[1] == index.stamp:
            return _loaded
        _checked = (now, index.stamp)
        directory = meaning_dir()
        try:
            meta = json.loads((directory / "meta.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            _loaded = None
            return None
        current = (
            (meta.get("complete") or USE_PARTIAL)
            and meta.get("format") == FORMAT
            and meta.get("index_stamp") == index.stamp
            and meta.get("embedder") == get_embedder().name
        )
        if not current:
            _loaded = None
        elif _loaded is None or _loaded.meta.get("built_at") != meta.get("built_at"):
            try:
                _loaded = MeaningIndex(directory, meta)
            except (FileNotFoundError, ValueError, RuntimeError):
                log.exception("the meaning index in %s cannot be read", directory)
                _loaded = None
        return _loaded


def meaning_status() -> dict:
    """For /healthz: {"state": ready | embedding | waiting | failed | off, "done", "total",
    "percent"}. `waiting`: no complete vectors for the current word index and no build running."""
    if not settings.LAWBOT_MEANING:
        return {"state": "off"}
    try:
        ready = get_meaning(get_index()) is not None
    except Exception:  # no word index yet (not imported): nothing to embed either
        ready = False
    try:
        progress = json.loads(_progress_path().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        progress = {}
    done, total = int(progress.get("done", 0)), int(progress.get("total", 0))
    percent = round(100.0 * done / total, 1) if total else (100.0 if ready else 0.0)
    state = "ready" if ready else progress.get("state", "waiting")
    if state == "embedding" and not _alive(int(progress.get("pid", 0))):
        state = "waiting"  # the builder died; the next start resumes from the cache
    if state == "complete":
        state = "waiting"  # complete for an older word index
    return {"state": state, "done": done, "total": total, "percent": percent}


def cards_current() -> bool:
    """Every card has its vector: a build is not needed for the cards (one edited since the
    last build is embedded by the next)."""
    return card_vectors_current(card_index().cards, get_embedder().name)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def meaning_build_in_background() -> subprocess.Popen | None:
    """Starts `manage.py embed_laws` as a child process (lower priority, its progress bar in
    this process's log) unless the meaning index is ready or another build holds the lock.
    Returns the child, or None when nothing had to start."""
    if not settings.LAWBOT_MEANING:
        return None
    status = meaning_status()
    if status["state"] == "embedding" or (status["state"] == "ready" and cards_current()):
        return None
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
    command = [sys.executable, "-m", "django", "embed_laws", "--if-needed"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL)


class BuildLock:
    """One builder at a time (setup, serve and every worker may each try to start one)."""

    def __init__(self):
        path = meaning_dir().with_name(meaning_dir().name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("a")

    def __enter__(self) -> bool:
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()
