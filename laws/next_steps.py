"""Next steps: the procedures the law provides for a kind of dispute, and where to go.

Two tables beside the article cards (laws/lexicon/next_steps/, Lawbot's own writing, each step
written from the article it cites): kinds.tsv tells a question's kind of dispute from its words
or from the law of its best article, steps.tsv lists each kind's steps with their article."""

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from laws.english import glossary_key

DIRECTORY = Path(__file__).resolve().parent / "lexicon" / "next_steps"
KEY_RE = re.compile(r"^[A-Z]\d{7}:\d+(?:-\d+)?$")
PCODE_RE = re.compile(r"^[A-Z]\d{7}$")
# Questions that ask what to do rather than what the law says.
ASKS_RE = re.compile(
    r"怎麼辦|該怎麼做|怎麼處理|如何處理|可以告|能告|告他|提告|反告|申訴|檢舉|找誰|去哪|哪裡可以|"
    r"求償|要求賠償|請求賠償|要回來|討回|拿回|救濟|不服|"
    r"what can i do|what should i do|what do i do|what can i claim|can i sue|sue\b|"
    r"complain|where can i|where do i|who can i|how do i get|what are my options",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Kind:
    name: str
    pcodes: tuple[str, ...]
    chinese: tuple[str, ...]
    english: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    kind: str
    key: str  # "N0020007:9"
    chinese: str
    where: str
    english: str
    where_en: str

    @property
    def pcode(self) -> str:
        return self.key.split(":")[0]

    @property
    def number(self) -> str:
        return self.key.split(":")[1]


class NextStepError(ValueError):
    pass


def _rows(path: Path, columns: int) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != columns or not all(cells):
            raise NextStepError(f"{path.name}:{number}: expected {columns} tab-separated cells")
        rows.append((number, cells))
    return rows


def kinds_load(directory: Path = DIRECTORY) -> list[Kind]:
    kinds = []
    for number, (name, pcodes, chinese, english) in _rows(directory / "kinds.tsv", 4):
        codes = tuple(pcodes.split())
        if not all(PCODE_RE.match(code) for code in codes):
            raise NextStepError(f"kinds.tsv:{number}: laws must be pcodes like N0030001")
        words = tuple(p.strip() for p in english.split(",") if p.strip())
        kinds.append(Kind(name, codes, tuple(chinese.split()), words))
    return kinds


def steps_load(directory: Path = DIRECTORY) -> list[Step]:
    """Every step, in the file's order; a step of an unknown kind or a malformed article is an
    error, not a silent skip."""
    known = {kind.name for kind in kinds_load(directory)}
    steps = []
    for number, cells in _rows(directory / "steps.tsv", 6):
        if cells[0] not in known:
            raise NextStepError(f"steps.tsv:{number}: unknown kind {cells[0]!r}")
        if not KEY_RE.match(cells[1]):
            raise NextStepError(f"steps.tsv:{number}: article must be PCODE:NUMBER")
        steps.append(Step(*cells))
    return steps


_loaded: tuple[list[Kind], list[Step]] | None = None
_lock = threading.Lock()


def _tables() -> tuple[list[Kind], list[Step]]:
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = (kinds_load(), steps_load())
        return _loaded


def asks_what_to_do(question: str) -> bool:
    return bool(ASKS_RE.search(question))


# Said by the asker, these name the kind of proceeding outright: 「可以用民事告他嗎」 asks for a civil
# claim even though 告他 is how people say a criminal complaint.
PROCEEDING_RE = {
    "civil": re.compile(r"民事|civil (?:suit|claim|case|court)", re.IGNORECASE),
    "criminal": re.compile(r"刑事|什麼罪|criminal (?:charge|complaint|case)", re.IGNORECASE),
}


def dispute_kind(
    question: str,
    pcodes: list[str],
    kinds: list[Kind] | None = None,
    named: Sequence[str] = (),
) -> str | None:
    """The kind of dispute, from the surest sign to the weakest: a law the question names
    (「依個資法可以求償嗎」 is about personal data whatever shop it mentions), the proceeding the
    asker names (民事, 刑事), the first kind whose words the question uses, then the kind of the
    first law (in the answer's order) that marks one. The table's last kind is the fallback
    (civil claims: 賠償, 求償 are said of every kind of harm): its words count last."""
    kinds = _tables()[0] if kinds is None else kinds
    english = f" {glossary_key(question)} "

    def says(kind: Kind) -> bool:
        return any(word in question for word in kind.chinese) or any(
            f" {glossary_key(word)} " in english for word in kind.english
        )

    def marked_by(codes: Sequence[str], among: list[Kind]) -> str | None:
        for pcode in codes:
            for kind in among:
                if pcode in kind.pcodes:
                    return kind.name
        return None

    specific, fallback = kinds[:-1], kinds[-1:]
    # Naming 民法 (the fallback's law, about everything) does not make a tenancy question civil.
    if kind := marked_by(named, specific):
        return kind
    said = [name for name, pattern in PROCEEDING_RE.items() if pattern.search(question)]
    if len(said) == 1 and said[0] in {kind.name for kind in kinds}:
        return said[0]
    for kind in specific:
        if says(kind):
            return kind.name
    if kind := marked_by(pcodes, kinds):
        return kind
    return next((kind.name for kind in fallback if says(kind)), None)


def next_steps(question: str, pcodes: list[str], named: Sequence[str] = ()) -> list[Step]:
    """The steps for a question that asks what to do; [] for one that does not. `pcodes` are the
    answer's laws in its order, `named` the laws the question names."""
    if not asks_what_to_do(question):
        return []
    kind = dispute_kind(question, pcodes, named=named)
    return [step for step in _tables()[1] if step.kind == kind]
