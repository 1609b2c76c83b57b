"""The meaning signal in retrieval: the question's vector, the articles nearest it, and how
their similarity joins the word scores and the rerank.

Fusion is by score, not by rank alone: the nearest articles gain a share of the best word
score in proportion to how close they are compared with the nearest one (the best gains
MEANING_WEIGHT of it), so an article no word matches can still come first, and the law-level
priors and the detected laws then weigh every article alike. In the rerank, each candidate's
closest passage (a paragraph 項 or a run of subparagraphs 款) lifts it by up to PARAGRAPH_WEIGHT.
The cards (laws/card_vectors.py) have vectors too: a card's score is its words' BM25 share of
the best card's plus CARD_MEANING_WEIGHT times its closeness in meaning, as a share of the
nearest card's over the CARD_MEANING_DEPTH nearest. The card vectors come within seconds of a
first build, long before the passages'. The weights were chosen on the tuned splits of
bench/questions.jsonl (see bench/RESULTS.md)."""

import functools
from dataclasses import dataclass

import numpy as np

from laws.card_vectors import get_card_vectors
from laws.cards import Card
from laws.embedders import EmbedderError, get_embedder
from laws.index import SearchIndex
from laws.meaning import MeaningIndex, get_meaning

SIGNALS = frozenset({"cards", "meaning", "rerank"})
MEANING_DEPTH = 200  # nearest passages looked at
# Fitted by bench/tune_meaning.py on the tuned splits (MRR 0.831 without meaning, 0.834 with
# these; larger weights and any paragraph lift did worse there, see bench/RESULTS.md).
MEANING_WEIGHT = 0.25
MEANING_POWER = 2.0
PARAGRAPH_WEIGHT = 0.0
# Fitted by `bench/tune_meaning.py --cards` on the tuned splits (see bench/RESULTS.md).
CARD_MEANING_WEIGHT = 0.5
CARD_MEANING_DEPTH = 50  # nearest cards that gain: the rest are as good as unrelated
# Below this cosine a card is not about the question at all (the built-in encoder: questions on
# weather, films or cakes meet no card above 0.30), so a question no card is about lifts none.
# On the tuned splits 0.30 costs nothing measurable (MRR 0.849 without a floor, 0.846; 0.35:
# 0.844). An embeddings server's model has a scale of its own: refit it with the tune script.
CARD_MEANING_FLOOR = 0.30


@functools.lru_cache(maxsize=2048)
def _vector(embedder_name: str, text: str) -> np.ndarray:
    vector = get_embedder().embed([text])[0]
    vector.setflags(write=False)
    return vector


class Meaning:
    def __init__(self, meaning: MeaningIndex, vector: np.ndarray):
        self.index = meaning
        self.vector = vector
        self.near = meaning.search(vector, MEANING_DEPTH)

    def fuse(self, scores: np.ndarray) -> np.ndarray:
        if not self.near:
            return scores
        docs = np.fromiter(self.near, dtype=np.int64, count=len(self.near))
        sims = np.fromiter(self.near.values(), dtype=np.float32, count=len(self.near))
        best, floor = float(sims.max()), float(sims.min())
        share = np.clip((sims - floor) / max(best - floor, 1e-6), 0.0, 1.0) ** MEANING_POWER
        top = float(scores.max()) or 1.0
        fused = scores.copy()
        fused[docs] += MEANING_WEIGHT * top * share
        return fused

    def paragraphs(self, docs: list[int]) -> dict[int, float]:
        """{document: lift} from its closest passage's similarity, relative to the candidates."""
        if not docs or PARAGRAPH_WEIGHT <= 0:
            return {}
        closest = {
            doc: float((vectors @ self.vector).max()) if len(vectors) else -1.0
            for doc, vectors in self.index.passages_of(sorted(set(docs))).items()
        }
        low, high = min(closest.values()), max(closest.values())
        if high <= low:
            return {}
        return {doc: PARAGRAPH_WEIGHT * (sim - low) / (high - low) for doc, sim in closest.items()}


@dataclass
class QuestionMeaning:
    """The meaning signal of one question: its nearest passages (None until the passages'
    vectors are complete) and what each card's meaning adds to it (None without card
    vectors)."""

    passages: Meaning | None
    cards: np.ndarray | None


def card_lift(similarities: np.ndarray) -> np.ndarray:
    """What each card's meaning adds to its words' share: CARD_MEANING_WEIGHT times its
    closeness as a share of the nearest card's, 0 beyond the nearest CARD_MEANING_DEPTH and
    below CARD_MEANING_FLOOR (cards without a vector have similarity 0, below any that count)."""
    if similarities.size == 0:
        return similarities
    depth = min(CARD_MEANING_DEPTH, similarities.size)
    floor = float(np.partition(similarities, similarities.size - depth)[similarities.size - depth])
    floor = max(floor, CARD_MEANING_FLOOR)
    best = float(similarities.max())
    if best <= floor:
        return np.zeros_like(similarities)
    share = np.clip((similarities - floor) / max(best - floor, 1e-6), 0.0, 1.0)
    return CARD_MEANING_WEIGHT * share


def meaning_scores(index: SearchIndex, question: str, cards: list[Card]) -> QuestionMeaning:
    """The meaning signal for question. Without vectors, or when the embeddings server fails,
    both parts are None and retrieval goes on with words and cards."""
    none = QuestionMeaning(None, None)
    if not question.strip():
        return none
    meaning = get_meaning(index)
    name = meaning.meta["embedder"] if meaning is not None else get_embedder().name
    card_vectors = get_card_vectors(cards, name)
    if meaning is None and card_vectors is None:
        return none
    try:
        vector = _vector(name, question)
    except EmbedderError:
        return none
    return QuestionMeaning(
        Meaning(meaning, vector) if meaning is not None else None,
        card_lift(card_vectors.similarities(vector)) if card_vectors is not None else None,
    )


def meaning_warm_up() -> None:
    """Loads the meaning index, the card vectors and the encoder now (the server's start), not
    on a first question; nothing happens while there are no vectors of either kind."""
    from laws.cards import card_index
    from laws.index import get_index

    meaning_scores(get_index(), "勞動基準法", card_index().cards)
