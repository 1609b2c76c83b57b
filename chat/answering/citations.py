"""What an answer cites: the citation objects every surface shows, and the articles a calculation
rests on placed among the retrieved ones."""

from collections.abc import Sequence

from django.db.models import Q

from labour.calculation import Calculation
from laws.models import Article
from laws.search import Hit, SearchResult


def citation(hit: Hit) -> dict:
    """One entry of the `citations` list (SPEC: citations in every surface)."""
    article = hit.article
    return {
        "law": article.law.name,
        "pcode": article.law.pcode,
        "article": article.number,
        "title": f"{article.law.name} 第 {article.number} 條",
        "url": article.url,
        "text": article.content,
    }


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
