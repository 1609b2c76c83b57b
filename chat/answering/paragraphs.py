"""An article's paragraphs (項) and subparagraphs (款), and the one that matches a question.

The Ministry's text puts each 項 on its own line and each 款 (「一、」「二、」…) on its own line
under the 項 that introduces it; a 目 (「（一）」) stays with its 款. An English translation uses
the same lines, its 款 numbered 「1.」 or 「(1)」. A quoted unit is a 項 without 款, or one 款 with
the line that introduces it, so that the rule reads whole."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from laws.text import bigram_keys, line_bigram_keys

ITEM_RE = re.compile(r"^[一二三四五六七八九十百]+、")
SUB_ITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
ITEM_EN_RE = re.compile(r"^(?:\d+[.、]|\(\d+\)|[ivx]+\.)\s*", re.IGNORECASE)
SUB_ITEM_EN_RE = re.compile(r"^\([a-z]\)\s*|^[a-z]\.\s+")
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Paragraph:
    paragraph: int  # 項, from 1
    item: int | None  # 款, from 1, or None for a whole 項
    text: str  # the lines quoted: the 項 and, for a 款, that 款 under it

    def label(self, english: bool = False) -> str:
        if english:
            where = f"paragraph {self.paragraph}"
            return f"{where}, subparagraph {self.item}" if self.item else where
        where = f"第 {self.paragraph} 項"
        return f"{where}第 {self.item} 款" if self.item else where


def _structure(text: str, item_re: re.Pattern, sub_re: re.Pattern) -> list[tuple[str, list[str]]]:
    """[(項 line, [款 lines with their 目])] of an article's text."""
    paragraphs: list[tuple[str, list[str]]] = []
    for line in (line.strip() for line in text.replace("\r", "").split("\n")):
        if not line:
            continue
        if paragraphs and item_re.match(line):
            paragraphs[-1][1].append(line)
        elif paragraphs and paragraphs[-1][1] and sub_re.match(line):
            items = paragraphs[-1][1]
            items[-1] = f"{items[-1]}\n{line}"
        else:
            paragraphs.append((line, []))
    return paragraphs


def _units(structure: list[tuple[str, list[str]]]) -> list[Paragraph]:
    units = []
    for number, (lead, items) in enumerate(structure, 1):
        if not items:
            units.append(Paragraph(number, None, lead))
        for item, line in enumerate(items, 1):
            units.append(Paragraph(number, item, f"{lead}\n{line}"))
    return units


def paragraphs(content: str) -> list[Paragraph]:
    """Every quotable unit of an article's Chinese text, in order."""
    return _units(_structure(content, ITEM_RE, SUB_ITEM_RE))


def terms(text: str) -> set[int]:
    return set(bigram_keys(text).tolist())


def overlap(unit_text: str, asked: Mapping[int, float]) -> float:
    """How much of the question a unit says: the weights of the question's bigrams it holds."""
    return float(sum(asked[key] for key in terms(unit_text) if key in asked))


def best_paragraph(content: str, asked: Mapping[int, float]) -> Paragraph | None:
    """The unit holding the most of the question's bigrams by weight (ties: the first, which in
    a statute states the rule before its exceptions); None for an empty article."""
    units = paragraphs(content)
    if not units:
        return None
    # A unit's text is its 項 line and its 款's lines, and no bigram spans a line break: a unit's
    # bigrams are its lines' in order, all read in one pass over the article (a 項 leads every
    # one of its 款). The set is built from them in the same order as from the unit's text, so
    # its weights are summed in the same order: the same float, the same choice between units.
    text = content.replace("\r", "")
    line_keys = dict(
        zip((line.strip() for line in text.split("\n")), line_bigram_keys(text), strict=True)
    )
    best, most = units[0], None
    for unit in units:
        keys: list[int] = []
        for line in unit.text.split("\n"):
            keys += line_keys[line]
        weight = float(sum(asked[key] for key in set(keys) if key in asked))
        if most is None or weight > most:  # ties: the first
            best, most = unit, weight
    return best


def english_paragraph(content_en: str, unit: Paragraph) -> str:
    """The same 項/款 in the English translation, or "" when its lines do not line up with the
    Chinese (a translation of an older version, or a different layout)."""
    structure = _structure(content_en, ITEM_EN_RE, SUB_ITEM_EN_RE)
    if unit.paragraph > len(structure):
        return ""
    lead, items = structure[unit.paragraph - 1]
    if unit.item is None:
        return "" if items else lead
    if unit.item > len(items):
        return ""
    return f"{lead}\n{items[unit.item - 1]}"
