"""The hand-written article cards (laws/lexicon/articles/*.tsv) are well formed.

Each line: PCODE:ARTICLE <TAB> everyday Chinese phrases (single spaces) <TAB> English phrases (commas).
That every card names an article of the corpus is checked against the full snapshot in
tests/integration/test_article_cards.py.
"""

import re
from pathlib import Path

import pytest

CARDS_DIR = Path(__file__).resolve().parents[2] / "laws" / "lexicon" / "articles"
KEY = re.compile(r"^[A-Z]\d{7}:\d+(-\d+)?$")
CJK = re.compile(r"[\u4e00-\u9fff]")
# The domains written on the cards-work branch; the phrase-count and lowercase style checks apply to these.
WORK_DOMAINS = {
    "labour.tsv",
    "immigration.tsv",
    "privacy.tsv",
    "consumer.tsv",
    "insurance.tsv",
    "tax.tsv",
    "harassment.tsv",
}


def card_lines() -> list[tuple[str, int, str]]:
    lines = []
    for path in sorted(CARDS_DIR.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and not line.startswith("#"):
                lines.append((path.name, number, line))
    return lines


def test_card_files_exist():
    names = {path.name for path in CARDS_DIR.glob("*.tsv")}
    assert names >= WORK_DOMAINS


@pytest.mark.parametrize("name,number,line", card_lines(), ids=lambda value: str(value)[:24])
def test_card_line_is_well_formed(name, number, line):
    columns = line.split("\t")
    assert len(columns) == 3, f"{name}:{number} has {len(columns)} tab-separated columns"
    key, chinese, english = columns
    assert KEY.match(key), f"{name}:{number} key {key!r} is not PCODE:ARTICLE"
    phrases = chinese.split(" ")
    assert "" not in phrases, f"{name}:{number} has a doubled or trailing space"
    assert all(CJK.search(phrase) or phrase.isascii() for phrase in phrases)
    english_phrases = [phrase.strip() for phrase in english.split(",")]
    assert all(english_phrases), f"{name}:{number} has an empty English phrase"
    if name not in WORK_DOMAINS:
        return
    assert 6 <= len(phrases) <= 20, f"{name}:{number} has {len(phrases)} Chinese phrases"
    assert 4 <= len(english_phrases) <= 12, (
        f"{name}:{number} has {len(english_phrases)} English phrases"
    )
    assert english == english.lower(), f"{name}:{number} English phrases should be lowercase"


def test_no_article_has_two_cards():
    seen: dict[str, str] = {}
    for name, number, line in card_lines():
        if name not in WORK_DOMAINS:
            continue
        key = line.split("\t")[0]
        assert key not in seen, f"{key} has cards in {seen[key]} and {name}:{number}"
        seen[key] = f"{name}:{number}"
