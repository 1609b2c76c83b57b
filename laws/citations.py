"""Finding law names and article citations in a question: 「勞基法第38條」「民法第 767 條和第 184 條」."""

import re
from dataclasses import dataclass

from laws.aliases import ALIASES
from laws.text import to_int

_NUM = r"[0-9０-９零〇○一二兩三四五六七八九十百千]+"
ARTICLE_RE = re.compile(
    rf"(?:第\s*(?P<n>{_NUM})\s*(?:[-－]\s*(?P<d>{_NUM})\s*)?條(?:\s*之\s*(?P<s>{_NUM}))?"
    rf"|§\s*(?P<sn>[0-9]+)(?:\s*-\s*(?P<sd>[0-9]+))?)"
)
LEVEL_RANK = {"憲法": 0, "法律": 1, "命令": 2}


@dataclass(frozen=True)
class LawMention:
    start: int
    end: int
    law_id: int
    text: str


@dataclass(frozen=True)
class ArticleCitation:
    start: int
    end: int
    law_id: int | None  # None: no law named before it
    number: str  # "17", "10-1"


def _common_name(name: str) -> str:
    name = re.sub(r"（.*?）$", "", name).strip()
    return name.removeprefix("中華民國") if name.startswith("中華民國") else name


class LawNameMatcher:
    """Longest-match detection of law names (full, common or abbreviated) in a text."""

    def __init__(self, laws: list[list]):
        # laws: [id, pcode, name, level, english_name]; acts win over regulations of the same name
        by_pcode = {pcode: law_id for law_id, pcode, *_ in laws}
        self.names: dict[str, int] = {}
        for law_id, _, name, _level, _ in sorted(
            laws, key=lambda row: LEVEL_RANK.get(row[3], 3), reverse=True
        ):
            for variant in {name, _common_name(name)}:
                if len(variant) >= 2:
                    self.names[variant] = law_id
        for alias, pcode in ALIASES.items():
            if pcode in by_pcode:
                self.names[alias] = by_pcode[pcode]
        self.longest = max((len(n) for n in self.names), default=0)

    def mentions(self, text: str) -> list[LawMention]:
        found, i = [], 0
        while i < len(text):
            for length in range(min(self.longest, len(text) - i), 1, -1):
                law_id = self.names.get(text[i : i + length])
                if law_id is not None:
                    found.append(LawMention(i, i + length, law_id, text[i : i + length]))
                    i += length
                    break
            else:
                i += 1
        return found


def _number(match: re.Match) -> str | None:
    main = match.group("n") or match.group("sn")
    sub = match.group("d") or match.group("s") or match.group("sd")
    main_value = to_int(main)
    if main_value is None:
        return None
    if sub:
        sub_value = to_int(sub)
        return f"{main_value}-{sub_value}" if sub_value is not None else None
    return str(main_value)


def article_citations(text: str, mentions: list[LawMention]) -> list[ArticleCitation]:
    """Article references, each tied to the law named last before it (「民法第767條和第184條」)."""
    citations = []
    for match in ARTICLE_RE.finditer(text):
        number = _number(match)
        if number is None:
            continue
        before = [m for m in mentions if m.end <= match.start()]
        law_id = before[-1].law_id if before else None
        citations.append(ArticleCitation(match.start(), match.end(), law_id, number))
    return citations
