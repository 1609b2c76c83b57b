"""English questions (foreign workers ask them) → the Chinese words the statutes use.

The words are Lawbot's own glossary, not law text. Matching is on whole words of the lower-cased
question; the Chinese words then go through the same everyday → statutory map and topic
detection as a Chinese question."""

from laws.citations import english_key
from laws.vocabulary import ENGLISH

_KEYS = sorted(((english_key(k), v) for k, v in ENGLISH.items()), key=lambda kv: -len(kv[0]))


def english_terms(text: str) -> str:
    """The Chinese words for the English words of text, longest phrases first."""
    padded = f" {english_key(text)} "
    found = []
    for key, words in _KEYS:
        if f" {key} " in padded:
            found.append(words)
            padded = padded.replace(f" {key} ", " | ")
    return " ".join(found)
