"""What an answer cites: the citation objects every surface shows, the Ministry's English
translation of an article where the corpus has one, and the articles a calculation rests on placed
among the retrieved ones."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from chat.answering.paragraphs import Paragraph, english_paragraph
from labour.calculation import Calculation
from laws.models import Article
from laws.search import Hit, SearchResult


@dataclass(frozen=True)
class English:
    """The Ministry's English translation of one article (for reference: the Chinese is the law)."""

    text: str
    url: str
    translated: str  # YYYYMMDD the translation was last updated, "" when unknown
    outdated: bool  # translated before the Chinese text's last amendment


def english_of(article: Article) -> English | None:
    """The article's English translation (imported from EngLaw/EngOrder.json), or None."""
    text = article.content_en or ""
    if not text.strip():
        return None
    law = article.law
    translated = (law.translated_date or "").replace("-", "")[:8]
    amended = (law.modified_date or "")[:8]
    outdated = bool(translated and amended and translated < amended)
    return English(text, article.url_en, translated, outdated)


@dataclass(frozen=True)
class Cited:
    """One entry of the answer's numbered list: the article and the paragraph the answer quotes."""

    hit: Hit
    paragraph: Paragraph | None

    @property
    def article(self) -> Article:
        return self.hit.article

    @property
    def key(self) -> tuple[str, str]:
        return (self.article.law.pcode, self.article.number)


def citation(cited: Cited) -> dict:
    """One entry of the `citations` list (SPEC: citations in every surface)."""
    article = cited.article
    entry = {
        "law": article.law.name,
        "pcode": article.law.pcode,
        "article": article.number,
        "title": f"{article.law.name} 第 {article.number} 條",
        "url": article.url,
        "text": article.content,
        "paragraph": cited.paragraph.text if cited.paragraph else article.content,
    }
    if article.law.english_name:
        entry["law_en"] = article.law.english_name
    english = english_of(article)
    if english:
        entry["text_en"] = english.text
        paragraph_en = english_paragraph(english.text, cited.paragraph) if cited.paragraph else ""
        entry["paragraph_en"] = paragraph_en or english.text
        if english.url:
            entry["url_en"] = english.url
    return entry


def with_calculation_articles(
    result: SearchResult, calculations: Sequence[Calculation]
) -> SearchResult:
    """A copy of `result` whose hits are: the articles the question cites, then those the
    calculations cite (fetched by pcode + number when retrieval missed them; an article the
    corpus lacks is left out), then the rest in retrieval order. Applying it twice changes
    nothing. Queries the database: call it through sync_to_async from async code."""
    wanted = _wanted(calculations)
    if not wanted:
        return result
    by_ref = _by_ref(result)
    absent = [ref for ref in wanted if ref not in by_ref]
    if absent:
        query = Q()
        for pcode, number in absent:
            query |= Q(law__pcode=pcode, number=number)
        for article in Article.objects.select_related("law").filter(query, law__abolished=False):
            by_ref[(article.law.pcode, article.number)] = Hit(article, 0.0, "calculation")
    first = [hit for hit in result.hits if hit.reason == "citation"]
    shown = {id(hit) for hit in first}
    for ref in wanted:
        hit = by_ref.get(ref)
        if hit is not None and id(hit) not in shown:
            first.append(hit)
            shown.add(id(hit))
    rest = [hit for hit in result.hits if id(hit) not in shown]
    return SearchResult(hits=first + rest, laws=result.laws, missing=result.missing)


def _wanted(calculations: Sequence[Calculation]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(ref for calc in calculations for ref in calc.articles))


def _by_ref(result: SearchResult) -> dict[tuple[str, str], Hit]:
    return {(hit.article.law.pcode, hit.article.number): hit for hit in result.hits}
