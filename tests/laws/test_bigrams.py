"""The bigram keys: the table of word characters, the normalisation's shortcut and the keys of
each line in one pass give what the definitions say."""

import random

import numpy as np

from laws.text import _FULLWIDTH, bigram_keys, line_bigram_keys, normalize

WORD_RANGES = [(0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xE000, 0xF8FF), (0x20000, 0x3FFFF)]
ALPHABET = (
    "aZ09 \t\n\r\u3000\u00a0\x85漢字。,@İK０９－ＡＺ-\U00020000\U0003ffff\U00040000\U0010ffff"
    "\ue000\uf8ff\uf900\ufaff\u33ff\ua000"
)


def _definition(text: str) -> list[int]:
    """The keys as the docstring defines them: adjacent word characters of the normalised text."""
    chars = text.translate(_FULLWIDTH).lower()

    def word(char: str) -> bool:
        code = ord(char)
        return (
            "0" <= char <= "9"
            or "a" <= char <= "z"
            or any(low <= code <= high for low, high in WORD_RANGES)
        )

    return [
        ord(a) * 0x110000 + ord(b)
        for a, b in zip(chars, chars[1:], strict=False)
        if word(a) and word(b)
    ]


def test_keys_are_adjacent_word_characters_of_the_normalised_text():
    chooser = random.Random(18)
    for _ in range(300):
        text = "".join(chooser.choice(ALPHABET) for _ in range(chooser.randint(0, 60)))
        keys = bigram_keys(text)
        assert keys.dtype == np.int64
        assert keys.tolist() == _definition(text)
        assert normalize(text) == text.translate(_FULLWIDTH).lower()


def test_each_lines_keys_come_from_one_pass():
    chooser = random.Random(19)
    for _ in range(300):
        text = "".join(chooser.choice(ALPHABET) for _ in range(chooser.randint(0, 80)))
        assert line_bigram_keys(text) == [bigram_keys(line).tolist() for line in text.split("\n")]
    assert line_bigram_keys("") == [[]]
    assert line_bigram_keys("\n") == [[], []]
    assert line_bigram_keys("雇主\n\n資遣費") == [
        bigram_keys("雇主").tolist(),
        [],
        bigram_keys("資遣費").tolist(),
    ]
