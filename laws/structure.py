"""An article's structure as the Ministry writes it: each line of an article is a paragraph (項),
except lines that open with a Chinese numeral and 「、」, which are subparagraphs (款) of the
paragraph above, and lines that open with 「（一）」, which are items (目) of the subparagraph above."""

import re
from dataclasses import dataclass, field

from laws.text import to_int

SUBPARAGRAPH_RE = re.compile(r"^(?P<n>[一二三四五六七八九十百]+)\s*、\s*")
ITEM_RE = re.compile(r"^[（(](?P<n>[一二三四五六七八九十百]+)[)）]\s*")


DELETED = {"（刪除）", "(刪除)", "刪除"}  # an article repealed in place keeps its number


def is_deleted(content: str) -> bool:
    return content.strip() in DELETED


@dataclass
class Item:
    number: int
    text: str


@dataclass
class Subparagraph:
    number: int
    text: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Paragraph:
    number: int
    text: str  # the paragraph's own line, without its subparagraphs
    subparagraphs: list[Subparagraph] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        lines = [self.text]
        for sub in self.subparagraphs:
            lines.append(sub.text)
            lines += [item.text for item in sub.items]
        return "\n".join(lines)


def paragraphs(content: str) -> list[Paragraph]:
    """「雇主…：\\r\\n一、…\\r\\n二、…\\r\\n前項…」 → two paragraphs, the first with two subparagraphs.
    A subparagraph with no paragraph above it opens an unnamed first paragraph."""
    found: list[Paragraph] = []
    for line in (line.strip() for line in content.splitlines()):
        if not line:
            continue
        sub, item = SUBPARAGRAPH_RE.match(line), ITEM_RE.match(line)
        if sub and (number := to_int(sub.group("n"))) is not None:
            if not found:
                found.append(Paragraph(1, ""))
            found[-1].subparagraphs.append(Subparagraph(number, line))
        elif item and found and found[-1].subparagraphs and (n := to_int(item.group("n"))):
            found[-1].subparagraphs[-1].items.append(Item(n, line))
        else:
            found.append(Paragraph(len(found) + 1, line))
    return found


def paragraph_text(content: str, paragraph: int | None, subparagraph: int | None) -> str | None:
    """The text of 第 paragraph 項 (第 subparagraph 款); None when the article has no such part."""
    if paragraph is None and subparagraph is None:
        return content
    parts = paragraphs(content)
    # 「第38條第2款」: an article of one paragraph names its subparagraphs directly.
    if paragraph is None:
        paragraph = 1
    if not 1 <= paragraph <= len(parts):
        return None
    chosen = parts[paragraph - 1]
    if subparagraph is None:
        return chosen.full_text
    for sub in chosen.subparagraphs:
        if sub.number == subparagraph:
            return "\n".join([sub.text, *(item.text for item in sub.items)])
    return None
