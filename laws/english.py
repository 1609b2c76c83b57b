"""English questions (foreign workers ask them) → the Chinese words the statutes use.

The words are Lawbot's own glossary, not law text. Matching is on whole words of the lower-cased
question; the Chinese words then go through the same everyday → statutory map and topic
detection as a Chinese question."""

import hashlib

import numpy as np

from laws.citations import english_key
from laws.vocabulary import ENGLISH

# English words that say nothing about which article a question is about.
_STOP = """a an the i me my we our you your he she it its they them their is am are was were be been
do does did can could may might must should would will shall to of in on at for from by with about
and or but if not no what when where who why how which this that there here have has had get got
any some out up so than then too very just also into"""
STOPWORDS = frozenset(_STOP.split())
# The statutes' own English words that say nothing about which article a text is about.
STATUTE_WORDS = frozenset(
    ["shall", "article", "paragraph", "preceding", "provided", "pursuant", "herein"]
)


def _stem(word: str) -> str:
    """Folds the commonest English endings so that "divorces", "threatened" and "recording"
    meet "divorce", "threaten" and "record" (the same folding is applied to the glossary)."""
    for suffix, shortest in (("ing", 6), ("ed", 5), ("s", 4)):
        if word.endswith(suffix) and len(word) >= shortest and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def glossary_key(text: str) -> str:
    return " ".join(_stem(word) for word in english_key(text).split())


_KEYS = sorted(((glossary_key(k), v) for k, v in ENGLISH.items()), key=lambda kv: -len(kv[0]))


def english_terms(text: str) -> str:
    """The Chinese words for the English words of text, longest phrases first."""
    padded = f" {glossary_key(text)} "
    found = []
    for key, words in _KEYS:
        if f" {key} " in padded:
            found.append(words)
            padded = padded.replace(f" {key} ", " | ")
    return " ".join(found)


def _word_key(word: str) -> int:
    # 40 bits: packed with a document number into one int64 by the index, like a bigram key.
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=5).digest(), "little")


_KEY_CACHE: dict[str, int] = {}


def english_word_keys(text: str) -> np.ndarray:
    """Keys of the stemmed English words of text (stop words left out), one per occurrence:
    what the English word index reads and is asked with."""
    keys = []
    for word in glossary_key(text).split():
        if word in STOPWORDS or word in STATUTE_WORDS or len(word) < 2:
            continue
        key = _KEY_CACHE.get(word)
        if key is None:
            key = _word_key(word)
            if len(_KEY_CACHE) < 200_000:  # the corpus's words; a stranger's are not kept
                _KEY_CACHE[word] = key
        keys.append(key)
    return np.array(keys, dtype=np.int64)
