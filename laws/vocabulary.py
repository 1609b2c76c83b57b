"""Lawbot's own vocabulary: everyday (and English) words → the words the statutes use, and the
laws they point to. Facts written for this project, not law text; kept as tables in
laws/lexicon/ so that adding a word is adding a line:

  colloquial.tsv  everyday word <TAB> statute's words <TAB> pcodes of the laws it is about
  english.tsv     English word or phrase <TAB> Chinese words (then read as a Chinese question)
"""

from pathlib import Path

LEXICON = Path(__file__).resolve().parent / "lexicon"


def _rows(name: str) -> list[list[str]]:
    rows = []
    for line in (LEXICON / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cells = [cell.strip() for cell in line.split("\t")]
            rows.append(cells + [""] * (3 - len(cells)))
    return rows


# Everyday wording → the statute's words, added to the query so that BM25 can match them.
COLLOQUIAL: dict[str, str] = {word: words for word, words, _ in _rows("colloquial.tsv") if words}
# Words that say which law a question is about even when it names none.
TOPIC_LAWS: dict[str, tuple[str, ...]] = {
    word: tuple(codes.split()) for word, _, codes in _rows("colloquial.tsv") if codes
}
ENGLISH: dict[str, str] = {phrase: words for phrase, words, _ in _rows("english.tsv")}
