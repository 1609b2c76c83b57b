"""Text helpers shared by the index, the citation parser and the composer."""

import re

import numpy as np

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL = "零〇一二兩三四五六七八九十百千"
_FULLWIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
_FULLWIDTH_RE = re.compile("[０-９－]")


def to_int(numeral: str) -> int | None:
    """'十七' → 17, '一百八十四' → 184, '一○五' → 105, '38' / '３８' → 38."""
    numeral = numeral.translate(_FULLWIDTH).replace("○", "〇").strip()
    if not numeral:
        return None
    if numeral.isdigit():
        return int(numeral)
    if any(c not in CHINESE_NUMERAL for c in numeral):
        return None
    if not any(c in _UNITS for c in numeral):  # digit by digit: 一〇五
        return int("".join(str(_DIGITS[c]) for c in numeral))
    total, current = 0, 0
    for char in numeral:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _UNITS[char]
            current = 0
    return total + current


def normalize(text: str) -> str:
    # translate() looks every character up in its table (~60 ns each on Chinese text, 8× the
    # search); hardly any article has a full-width digit.
    if _FULLWIDTH_RE.search(text):
        text = text.translate(_FULLWIDTH)
    return text.lower()


def is_english(text: str) -> bool:
    """True when the question is written in English rather than Chinese."""
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin > 3 * cjk and latin >= 3


# The code points bigrams are made of: CJK ideographs (with the compatibility block and the
# private-use glyphs in the Ministry's text), digits and lower-case Latin letters, as one table
# (one lookup per character instead of a dozen comparisons: the table's 256 KiB are paid once,
# while a short text's bigrams, read a few dozen times per answer, cost half as much).
_WORD_RANGES = (
    (0x3400, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xE000, 0xF8FF),  # private-use glyphs in the Ministry's text
    (0x20000, 0x3FFFF),
    (0x30, 0x39),
    (0x61, 0x7A),
)
_WORD_LAST = 0x3FFFF
_WORD = np.zeros(_WORD_LAST + 2, dtype=bool)  # the last entry stands for every code point above
for _low, _high in _WORD_RANGES:
    _WORD[_low : _high + 1] = True


def _is_word_char(cp: np.ndarray) -> np.ndarray:
    return _WORD[np.minimum(cp, _WORD_LAST + 1)]


def bigram_keys(text: str) -> np.ndarray:
    """Keys of the character bigrams of text (adjacent word characters), one per occurrence.

    A key packs two code points into one int64 so the index needs no vocabulary table."""
    cp = np.frombuffer(normalize(text).encode("utf-32-le"), dtype=np.uint32)
    if cp.size < 2:
        return np.zeros(0, dtype=np.int64)
    word = _is_word_char(cp)
    valid = word[:-1] & word[1:]
    cp = cp.astype(np.int64)
    return (cp[:-1] * 0x110000 + cp[1:])[valid]


def line_bigram_keys(text: str) -> list[list[int]]:
    """bigram_keys of each line of text (its parts between "\n"), from one pass over the whole:
    no bigram spans a line break, so they are the whole text's keys cut at its line breaks."""
    cp = np.frombuffer(normalize(text).encode("utf-32-le"), dtype=np.uint32)
    breaks = np.flatnonzero(cp == 0x0A)
    if cp.size < 2:
        return [[] for _ in range(breaks.size + 1)]
    word = _is_word_char(cp)
    valid = word[:-1] & word[1:]
    starts = np.flatnonzero(valid)
    wide = cp.astype(np.int64)
    keys = (wide[:-1] * 0x110000 + wide[1:])[valid].tolist()
    bounds = [0, *np.searchsorted(starts, breaks).tolist(), len(keys)]
    return [keys[low:high] for low, high in zip(bounds, bounds[1:], strict=False)]


TOKEN_RE = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")
_ALNUM_RUN_RE = re.compile(r"[A-Za-z0-9]+")


# Where the regex costs more than converting to code points (a pasted document, a 1 MiB body).
_VECTOR_FROM = 4096
# re's \s, as a table over the code points up to U+3000 (the last space); U+3001 stands for all above.
_SPACE = np.array([chr(c).isspace() for c in range(0x3002)])


def count_tokens(text: str) -> int:
    """Lawbot's token count: each CJK character or punctuation mark is one token, each run of
    ASCII letters/digits is one token, whitespace is free. Used for prompts and answers alike."""
    if len(text) < _VECTOR_FROM:
        # TOKEN_RE's matches counted without making them (a string each, ~40 µs an article):
        # the ASCII runs, plus every character that is neither whitespace (re's \s is
        # str.isspace, as str.split's) nor in a run.
        runs = _ALNUM_RUN_RE.findall(text)
        solid = sum(map(len, text.split()))
        return solid - sum(map(len, runs)) + len(runs)
    # The same count over code points, ~40× faster than the regex on long text (a 1 MiB
    # question blocked the event loop 140 ms).
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    alnum = ((cp >= 0x30) & (cp <= 0x39)) | (((cp | 0x20) >= 0x61) & ((cp | 0x20) <= 0x7A))
    space = _SPACE[np.minimum(cp, 0x3001)]
    runs = int(alnum[0]) + int(np.count_nonzero(alnum[1:] & ~alnum[:-1]))
    return runs + int(np.count_nonzero(~alnum & ~space))
