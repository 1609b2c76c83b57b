"""Lawbot's token count: the fast path for long text counts exactly as the regex does."""

import random

from laws.text import TOKEN_RE, count_tokens

ALPHABET = "aZ09 \t\n\u3000\u00a0\u2028\u200b\x1c\x85漢字。,@\U00020000\u3001"


def test_long_text_is_counted_exactly_as_short_text():
    chooser = random.Random(17)
    for _ in range(50):
        text = "".join(chooser.choice(ALPHABET) for _ in range(chooser.randint(4096, 9000)))
        assert count_tokens(text) == len(TOKEN_RE.findall(text))


def test_a_1_mib_question_is_counted():
    question = "月薪4萬5 " * 86_000
    assert count_tokens(question) == 5 * 86_000  # 月 薪 4 萬 5; the space is free


def test_short_text_is_counted_as_the_regex_matches():
    chooser = random.Random(18)
    for _ in range(2000):
        text = "".join(chooser.choice(ALPHABET) for _ in range(chooser.randint(0, 60)))
        assert count_tokens(text) == len(TOKEN_RE.findall(text))
    for start in range(0, 0x3100, 3000):  # every whitespace character is among them
        text = "".join(chr(c) for c in range(start, min(start + 3000, 0x3100)))
        assert count_tokens(text) == len(TOKEN_RE.findall(text))
