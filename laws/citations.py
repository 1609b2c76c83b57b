"""Finding law names and article citations in a question: 「勞基法第38條」「民法第 767 條和第 184 條」,
"Article 38 of the Labor Standards Act"."""

import re
from dataclasses import dataclass

from laws.aliases import ALIASES, ENGLISH_ALIASES
from laws.text import to_int

_NUM = r"[0-9０-９零〇○一二兩三四五六七八九十百千]+"
ARTICLE_RE = re.compile(
    rf"(?:第\s*(?P<n>{_NUM})\s*(?:[-－]\s*(?P<d>{_NUM})\s*)?條(?:\s*之\s*(?P<s>{_NUM}))?"
    rf"|§\s*(?P<sn>[0-9]+)(?:\s*-\s*(?P<sd>[0-9]+))?"
    rf"|\b(?:[Aa]rticles?|[Aa]rt\.)\s*(?P<en>[0-9]+)(?:\s*-\s*(?P<ed>[0-9]+))?)"
)
# "Article 17 of the Labor Standards Act": the law is named after the article.
_OF_THE_RE = re.compile(r"\s*(?:,?\s*paragraph\s+\d+\s*,?\s*)?of\s+(?:the\s+)?", re.IGNORECASE)
_WORD_RE = re.compile(r"[a-z0-9]+")
LEVEL_RANK = {"憲法": 0, "法律": 1, "命令": 2}
MAX_ENGLISH_WORDS = 30
# A law's words without its kind (著作權法 → 著作權) say what a question is about; shorter stems
# (民, 土地) are too common to tell.
MIN_STEM = 3
_KINDS = ("條例", "通則", "法")


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


def english_key(text: str) -> str:
    """'Labour Standards Act' → 'labor standards act' (British spelling folded)."""
    return " ".join(_WORD_RE.findall(text.lower().replace("labour", "labor")))


class LawNameMatcher:
    """Longest-match detection of law names (full, common, abbreviated or English) in a text."""

    def __init__(self, laws: list[list]):
        # laws: [id, pcode, name, level, english_name]; acts win over regulations of the same name
        by_pcode = {pcode: law_id for law_id, pcode, *_ in laws}
        self.names: dict[str, int] = {}
        self.english: dict[str, int] = {}
        self.stems: dict[str, int] = {}
        for law_id, _, name, level, english in sorted(
            laws, key=lambda row: LEVEL_RANK.get(row[3], 3), reverse=True
        ):
            common = _common_name(name)
            for variant in {name, common}:
                if len(variant) >= 2:
                    self.names[variant] = law_id
            if english:
                self.english[english_key(english)] = law_id
            stem = next((common[: -len(k)] for k in _KINDS if common.endswith(k)), "")
            if level != "命令" and len(stem) >= MIN_STEM:
                self.stems[stem] = law_id
        for alias, pcode in ALIASES.items():
            if pcode in by_pcode:
                self.names[alias] = by_pcode[pcode]
        for alias, pcode in ENGLISH_ALIASES.items():
            if pcode in by_pcode:
                self.english[english_key(alias)] = by_pcode[pcode]
        self.longest = max((len(n) for n in self.names), default=0)
        self.longest_stem = max((len(n) for n in self.stems), default=0)
        self._name_lengths = _lengths_by_prefix(self.names)
        self._stem_lengths = _lengths_by_prefix(self.stems)

    @staticmethod
    def _scan(
        text: str, names: dict[str, int], lengths: dict[str, tuple[int, ...]]
    ) -> list[LawMention]:
        """The longest name at each position, left to right. Only the lengths of the names that
        start with the position's two characters are tried: trying every length up to the
        longest name (~70) at every character cost 13 ms on a 1,500-character answer."""
        found, i, size = [], 0, len(text)
        while i < size - 1:
            for length in lengths.get(text[i : i + 2], ()):
                if length > size - i:
                    continue
                law_id = names.get(text[i : i + length])
                if law_id is not None:
                    found.append(LawMention(i, i + length, law_id, text[i : i + length]))
                    i += length
                    break
            else:
                i += 1
        return found

    def mentions(self, text: str) -> list[LawMention]:
        found = self._scan(text, self.names, self._name_lengths) if _has_cjk(text) else []
        if re.search(r"[A-Za-z]{3}", text):
            found += self._english_mentions(text)
        return sorted(found, key=lambda m: m.start)

    def _english_mentions(self, text: str) -> list[LawMention]:
        words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text.lower())]
        words = [(s, e, "labor" if w == "labour" else w) for s, e, w in words]
        found, i = [], 0
        while i < len(words):
            for j in range(min(len(words), i + MAX_ENGLISH_WORDS), i + 1, -1):
                law_id = self.english.get(" ".join(w for _, _, w in words[i:j]))
                if law_id is not None:
                    start, end = words[i][0], words[j - 1][1]
                    found.append(LawMention(start, end, law_id, text[start:end]))
                    i = j
                    break
            else:
                i += 1
        return found

    def topics(self, text: str) -> set[int]:
        """Laws whose own words a text uses (「著作權」 → 著作權法) without naming the law."""
        return {m.law_id for m in self._scan(text, self.stems, self._stem_lengths)}


def _lengths_by_prefix(names: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """For each two-character start of a name (of two or more), the lengths of the names with
    that start, longest first."""
    lengths: dict[str, set[int]] = {}
    for name in names:
        if len(name) >= 2:
            lengths.setdefault(name[:2], set()).add(len(name))
    return {prefix: tuple(sorted(found, reverse=True)) for prefix, found in lengths.items()}


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


def _number(match: re.Match) -> str | None:
    main = match.group("n") or match.group("sn") or match.group("en")
    sub = match.group("d") or match.group("s") or match.group("sd") or match.group("ed")
    main_value = to_int(main)
    if main_value is None:
        return None
    if sub:
        sub_value = to_int(sub)
        return f"{main_value}-{sub_value}" if sub_value is not None else None
    return str(main_value)


def article_citations(text: str, mentions: list[LawMention]) -> list[ArticleCitation]:
    """Article references, each tied to the law named last before it (「民法第767條和第184條」),
    or, in English, to the law it is "of" ("Articles 17 of the Labor Standards Act")."""
    citations = []
    for match in ARTICLE_RE.finditer(text):
        number = _number(match)
        if number is None:
            continue
        law_id = None
        if match.group("en"):
            of = _OF_THE_RE.match(text, match.end())
            after = [m for m in mentions if of and m.start == of.end()]
            law_id = after[0].law_id if after else None
        if law_id is None:
            before = [m for m in mentions if m.end <= match.start()]
            law_id = before[-1].law_id if before else None
        citations.append(ArticleCitation(match.start(), match.end(), law_id, number))
    return citations
