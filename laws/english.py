"""English questions (foreign workers ask them) → the Chinese words the statutes use.

The words are Lawbot's own glossary, not law text. Matching is on whole words of the lower-cased
question; the Chinese words then go through the same everyday → statutory map and topic
detection as a Chinese question."""

from laws.citations import english_key
from laws.vocabulary import ENGLISH


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
