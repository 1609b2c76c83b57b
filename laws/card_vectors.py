"""The cards' meaning: each article card (laws/cards.py) as one vector, so that a question
worded as no card foresaw still meets the card closest to it in meaning.

A card lists how people ask about one article, so its vector sits where questions sit, nearer
than the statute's own wording: on the tuned splits of bench/questions.jsonl the cards ranked
by this vector alone find a right article as often as the cards' words do, and the two are
wrong on different questions (bench/RESULTS.md). The vectors are made by the meaning build
(`manage.py embed_laws`, before the passages, since they take seconds), cached by text digest
like the passages, and written to one small file beside the meaning index; search reads it
once it exists. A card edited since the file was written has no vector until the next build:
its words still count."""

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from laws.cards import Card
from laws.embedders import Embedder
from laws.vector_cache import KEY_BYTES, VectorCache, passage_key


def card_text(card: Card) -> str:
    """What is embedded for a card: its Chinese phrases, then its English ones."""
    return "、".join(card.chinese) + "。" + ", ".join(card.english)


def card_vectors_path() -> Path:
    index_dir = Path(settings.LAWBOT_INDEX_DIR)
    return index_dir.with_name(index_dir.name + "-cards.npz")


def card_vectors_build(embedder: Embedder, cards: list[Card], *, batch: int = 512) -> int:
    """Embeds the cards the cache lacks and writes the card vectors file; returns how many
    were embedded now."""
    cache = VectorCache(Path(settings.LAWBOT_EMBED_CACHE), embedder.name)
    texts = {passage_key(text): text for text in map(card_text, cards)}
    keys = list(texts)
    missing = [key for key in keys if key not in cache]
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        cache.put(chunk, embedder.embed([texts[key] for key in chunk]))
    vectors = cache.get(keys) if keys else np.zeros((0, 0), dtype=np.float16)
    digests = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
    path = card_vectors_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")  # np.savez keeps a name ending .npz as it is
    np.savez(tmp, digests=digests, vectors=vectors, embedder=np.array(embedder.name))
    tmp.replace(path)
    _forget()
    return len(missing)


class CardVectors:
    """The vectors of the file, aligned to a list of cards (a zero row for a card without one)."""

    def __init__(self, path: Path, cards: list[Card]):
        with np.load(path) as data:
            self.embedder = str(data["embedder"])
            digests = data["digests"]
            stored = np.asarray(data["vectors"], dtype=np.float32)
        row = {bytes(digest): i for i, digest in enumerate(digests)}
        dim = stored.shape[1] if stored.ndim == 2 else 0
        self.matrix = np.zeros((len(cards), dim), dtype=np.float32)
        self.missing = 0
        for number, card in enumerate(cards):
            found = row.get(passage_key(card_text(card)))
            if found is None:
                self.missing += 1
            else:
                self.matrix[number] = stored[found]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        return self.matrix @ vector.astype(np.float32)


@dataclass
class _Loaded:
    checked: float = 0.0  # time.monotonic() when the file was last looked at
    path: Path | None = None
    mtime: int = 0
    embedder: str = ""
    cards: list[Card] | None = None  # the list the vectors are aligned to (held, not copied)
    vectors: CardVectors | None = None


_lock = threading.Lock()
_loaded = _Loaded()


def _forget() -> None:
    global _loaded
    with _lock:
        _loaded = _Loaded()


def get_card_vectors(cards: list[Card], embedder_name: str) -> CardVectors | None:
    """The card vectors for cards made by embedder_name, or None when there are none yet.
    Looks at the file at most once a second (for the same cards and embedder)."""
    global _loaded
    now = time.monotonic()
    with _lock:
        path = card_vectors_path()
        same = (_loaded.path, _loaded.embedder) == (path, embedder_name) and _loaded.cards is cards
        if same and now - _loaded.checked < 1.0:
            return _loaded.vectors
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            _loaded = _Loaded(now, path, 0, embedder_name, cards, None)
            return None
        vectors = _loaded.vectors if same and mtime == _loaded.mtime else None
        if vectors is None:
            try:
                vectors = CardVectors(path, cards)
            except (OSError, ValueError, KeyError):
                vectors = None
            if vectors is not None and vectors.embedder != embedder_name:
                vectors = None
        _loaded = _Loaded(now, path, mtime, embedder_name, cards, vectors)
        return vectors


def card_vectors_current(cards: list[Card], embedder_name: str) -> bool:
    """Every card has its vector (by this embedder): no build is needed for the cards."""
    found = get_card_vectors(cards, embedder_name)
    return found is not None and found.missing == 0
