"""The hand-written article cards (laws/lexicon/articles/*.tsv) are well formed.

Whether each card names an article the corpus has is checked against the imported
corpus with ``manage.py check_article_cards``; this test needs no database.
"""

import re
from pathlib import Path

CARDS_DIR = Path(__file__).resolve().parents[2] / "laws" / "lexicon" / "articles"
KEY = re.compile(r"^[A-Z][0-9]{7}:[0-9]+(-[0-9]+)?$")


def card_lines():
    for path in sorted(CARDS_DIR.glob("*.tsv")):
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.strip() and not raw.startswith("#"):
                yield f"{path.name}:{lineno}", raw


def test_cards_exist():
    assert any(True for _ in card_lines())


def test_cards_are_well_formed():
    problems = []
    for where, raw in card_lines():
        columns = raw.split("\t")
        if len(columns) != 3:
            problems.append(f"{where}: {len(columns)} columns")
            continue
        key, zh, en = columns
        if not KEY.match(key):
            problems.append(f"{where}: bad article key {key!r}")
        if "" in zh.split(" "):
            problems.append(f"{where}: empty Chinese phrase")
        if "" in [p.strip() for p in en.split(",")]:
            problems.append(f"{where}: empty English phrase")
        if en != en.lower():
            problems.append(f"{where}: English phrases should be lowercase")
    assert not problems, "\n".join(problems)


def test_each_article_has_one_card():
    seen = {}
    for where, raw in card_lines():
        key = raw.split("\t", 1)[0]
        assert key not in seen, f"{key} carded at {seen.get(key)} and {where}"
        seen[key] = where
