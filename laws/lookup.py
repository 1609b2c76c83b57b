"""Reading the corpus by name and by citation: the laws a name, an abbreviation (勞基法) or an
English name means, and the article (and 項/款) a citation (「勞基法第38條第1項」) points at."""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from laws.aliases import ALIASES, ENGLISH_ALIASES
from laws.citations import article_citations, english_key
from laws.index import get_index
from laws.models import Article, Law
from laws.search import law_matcher
from laws.structure import paragraph_text
from laws.text import to_int

LEVELS = {"constitution": "憲法", "act": "法律", "regulation": "命令"}
_NUM = r"[0-9０-９零〇○一二兩三四五六七八九十百]+"
PART_RE = re.compile(
    rf"\s*(?:第\s*(?P<p>{_NUM})\s*項)?\s*(?:第\s*(?P<s>{_NUM})\s*款)?"
    r"|\s*,?\s*(?:paragraph|para\.?|§)\s*(?P<ep>\d+)(?:\s*,?\s*(?:subparagraph|item)\s*(?P<es>\d+))?",
    re.IGNORECASE,
)
MAX_CITE = 200  # characters of a citation read: one citation, not a document


class CitationNotFound(Exception):
    """The citation names no article of the corpus; the message says what was missing."""


@dataclass(frozen=True)
class Resolved:
    article: Article
    paragraph: int | None
    subparagraph: int | None
    text: str  # the cited part (項/款), or the whole article


def _aliased(q: str) -> set[str]:
    """The pcodes q is a nickname of (勞基法, "Labour Standards Act")."""
    found = {ALIASES.get(q)} | {
        pcode for alias, pcode in ENGLISH_ALIASES.items() if english_key(alias) == english_key(q)
    }
    return found - {None}


def _labor(q: str) -> str:
    return re.sub("labour", "labor", q, flags=re.IGNORECASE)


def laws_matching(*, q: str = "", level: str = "", in_force: bool | None = None) -> QuerySet[Law]:
    """Laws whose name, English name or code contains q, or that q abbreviates (勞基法)."""
    laws = Law.objects.all()
    if level:
        laws = laws.filter(level=LEVELS.get(level, level))
    if in_force is not None:
        laws = laws.filter(abolished=not in_force)
    q = q.strip()
    if q:
        laws = laws.filter(
            Q(name__icontains=q)
            | Q(english_name__icontains=q)
            | Q(english_name__icontains=_labor(q))
            | Q(pcode__iexact=q)
            | Q(pcode__in=_aliased(q))
        )
    return laws.defer("histories", "foreword", "effective_note")


def laws_named(q: str) -> QuerySet[Law]:
    """The laws q names exactly: by code, by name or English name (any case), or by a nickname;
    those in force first. "Labor Standards Act" is one law, though dozens of regulations'
    names contain it."""
    q = q.strip()
    return (
        Law.objects.filter(
            Q(pcode__iexact=q)
            | Q(name=q)
            | Q(english_name__iexact=q)
            | Q(english_name__iexact=_labor(q))
            | Q(pcode__in=_aliased(q))
        )
        .order_by("abolished", "pcode")
        .defer("histories", "foreword", "effective_note")
    )


def citation_resolve(cite: str) -> Resolved:
    """「勞基法第38條第1項」「民法第184條」「Article 17 of the Labor Standards Act, paragraph 1」
    → the article and the part cited. Raises CitationNotFound. Reads the index (law names)."""
    text = cite[:MAX_CITE]
    mentions = law_matcher(get_index()).mentions(text)
    citations = article_citations(text, mentions)
    if not citations:
        if mentions:
            raise CitationNotFound(f"'{cite[:80]}' names a law but no article (第…條).")
        raise CitationNotFound(
            f"'{cite[:80]}' is not a citation of an article (e.g. 勞基法第38條)."
        )
    first = citations[0]
    if first.law_id is None:
        raise CitationNotFound(f"'{cite[:80]}' names no law this corpus holds before the article.")
    article = (
        Article.objects.select_related("law")
        .filter(law_id=first.law_id, number=first.number)
        .first()
    )
    if article is None:
        name = Law.objects.filter(pk=first.law_id).values_list("name", flat=True).first()
        raise CitationNotFound(f"{name} has no article {first.number} (第 {first.number} 條).")
    part = PART_RE.match(text, first.end)
    paragraph = _number(part.group("p") or part.group("ep")) if part else None
    subparagraph = _number(part.group("s") or part.group("es")) if part else None
    found = paragraph_text(article.content, paragraph, subparagraph)
    if found is None:
        where = f"第 {paragraph} 項" if paragraph else ""
        where += f"第 {subparagraph} 款" if subparagraph else ""
        raise CitationNotFound(f"{article.title} has no {where}.")
    return Resolved(article, paragraph, subparagraph, found)


def _number(value: str | None) -> int | None:
    return to_int(value) if value else None
