"""The articles a calculation rests on, among the articles an answer shows and cites."""

from collections.abc import Sequence

from django.db.models import Q

from chat.calculators.model import Calculation
from laws.models import Article
from laws.search import Hit, SearchResult


def with_calculation_articles(
    result: SearchResult, calculations: Sequence[Calculation]
) -> SearchResult:
    """A copy of `result` whose hits are: the articles the question cites, then those the
    calculations cite (fetched by pcode + number when retrieval missed them; an article the
    corpus lacks is left out), then the rest in retrieval order. Applying it twice changes
    nothing. Queries the database: call it through sync_to_async from async code."""
    wanted = list(dict.fromkeys(ref for calc in calculations for ref in calc.articles))
    if not wanted:
        return result
    by_ref = {(hit.article.law.pcode, hit.article.number): hit for hit in result.hits}
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
