"""Article cards: for the articles people ask about most, the words they use when they ask.

A card (laws/lexicon/articles/*.tsv, Lawbot's own writing, not law text) lists everyday Chinese
phrases and English phrases for one article: 「加班費 加班沒給錢 超時工作」 for 勞動基準法 §24.
Questions are scored against the cards with BM25 of their own (Chinese bigrams within a phrase,
stemmed English words), kept apart from the statutes' index so the cards can be weighted on their
own and edited without rebuilding it: this is document expansion, the way the field bridges the
gap between how people ask and how statutes are written.
"""

import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from laws.citations import english_key
from laws.english import STOPWORDS, glossary_key
from laws.text import bigram_keys, normalize

CARDS = Path(__file__).resolve().parent / "lexicon" / "articles"
KEY_RE = re.compile(r"^[A-Z]\d{7}:\d+(?:-\d+)?$")
K1 = 1.2
B = 0.5
MIN_SHARED = 2


@dataclass(frozen=True)
class Card:
    key: str  # "N0030001:24": the law's pcode and the article's number
    chinese: tuple[str, ...]
    english: tuple[str, ...]

    @property
    def pcode(self) -> str:
        return self.key.split(":")[0]

    @property
    def number(self) -> str:
        return self.key.split(":")[1]


class CardError(ValueError):
    pass


def cards_load(directory: Path = CARDS) -> list[Card]:
    """Every card in directory's .tsv files; a malformed line is an error, not a silent skip.
    An article carded in two files (性騷擾 under criminal and under harassment) gets one card
    with both files' phrases."""
    cards: dict[str, Card] = {}
    for path in sorted(directory.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = [cell.strip() for cell in line.split("\t")]
            if len(cells) != 3 or not KEY_RE.match(cells[0]):
                raise CardError(
                    f"{path.name}:{number}: expected 'PCODE:ARTICLE<TAB>中文<TAB>English'"
                )
            key = cells[0]
            chinese = tuple(p for p in cells[1].split() if p)
            english = tuple(p.strip() for p in cells[2].split(",") if p.strip())
            if key in cards:
                chinese = tuple(dict.fromkeys(cards[key].chinese + chinese))
                english = tuple(dict.fromkeys(cards[key].english + english))
            cards[key] = Card(key, chinese, english)
    return list(cards.values())


def english_words(text: str) -> list[str]:
    """Stemmed English words of text without stop words; adjacent pairs too ("work permit")."""
    words = [w for w in glossary_key(english_key(text)).split() if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def _card_terms(card: Card) -> list:
    # One pass over the card's phrases: the spaces between them keep bigrams inside a phrase.
    terms: list = bigram_keys(" ".join(card.chinese)).tolist()
    for phrase in card.english:
        terms.extend(english_words(phrase))
    return terms


def _whole_words(card: Card) -> set[int]:
    """Bigram keys of the card's two-character phrases (特休, 押金): each is a whole word."""
    keys = set()
    for phrase in card.chinese:
        pair = normalize(phrase)
        if len(pair) == 2 and pair.isalnum():
            keys.add(ord(pair[0]) * 0x110000 + ord(pair[1]))
    return keys


class CardIndex:
    """BM25 over the cards' terms: Chinese bigram keys (ints) and English words (strings)."""

    def __init__(self, cards: list[Card]):
        self.cards = cards
        # term → [(card number, how much of a word the term is)]
        self.postings: dict[object, list[tuple[int, int]]] = defaultdict(list)
        lengths = []
        for number, card in enumerate(cards):
            # A card lists other ways of saying one thing: a word repeated across its phrases
            # (資遣費, 不能領資遣費, 被開除沒資遣費) is not more evidence, so each term counts once.
            terms = set(_card_terms(card))
            lengths.append(len(terms))
            # A bigram that is a whole two-character phrase (特休, 押金) is a whole word; so is
            # an English word. Any other bigram is half of one.
            words = _whole_words(card)
            for term in terms:
                weight = 2 if isinstance(term, str) or term in words else 1
                self.postings[term].append((number, weight))
        avg = sum(lengths) / len(lengths) if lengths else 1.0
        self.norm = [K1 * (1 - B + B * n / max(avg, 1.0)) for n in lengths]
        size = len(cards)
        self.idf = {
            term: math.log(1 + (size - len(posted) + 0.5) / (len(posted) + 0.5))
            for term, posted in self.postings.items()
        }

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every card for text (Chinese and/or English); a card that shares less
        than one whole word with text scores 0: a lone bigram of a longer phrase is chance."""
        scores = np.zeros(len(self.cards), dtype=np.float32)
        shared = np.zeros(len(self.cards), dtype=np.int32)
        terms = set(bigram_keys(text).tolist()) | set(english_words(text))
        for term in terms:
            posted = self.postings.get(term)
            if not posted:
                continue
            idf = self.idf[term]
            for number, weight in posted:
                scores[number] += idf * (K1 + 1) / (1 + self.norm[number])
                shared[number] += weight
        scores[shared < MIN_SHARED] = 0
        return scores


_loaded: CardIndex | None = None
_lock = threading.Lock()


def card_index() -> CardIndex:
    """The cards shipped with Lawbot, read once per process (once, however many threads ask)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = CardIndex(cards_load())
        return _loaded
