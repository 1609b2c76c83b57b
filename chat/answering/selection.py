"""Which articles an answer cites, in the order it numbers them, and the paragraph of each.

The relevance floor: of the retrieved articles, an answer keeps those the question cites or a
calculation rests on, those of the laws the question names or is about, and those of the best
article's law; an article from another law (estate tax under a severance question) is not cited.
The order is the answer's: the article(s) of the direct answer first, then those of the next
steps, then the rest."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q

from chat.answering.citations import Cited
from chat.answering.paragraphs import best_paragraph, overlap
from labour import Calculation
from laws.index import get_index
from laws.models import Article
from laws.next_steps import Step, next_steps
from laws.search import Analysis, Hit, SearchResult, analyse, lexicon
from laws.text import bigram_keys

CITED = 5  # retrieved articles an answer cites at most
STEPS = 4  # next steps shown at most
ALWAYS = ("citation", "calculation")
OVERLAP_SHARE = 0.3
LEADING = 1


@dataclass
class Plan:
    cited: list[Cited]  # the citations, in marker order
    lead: list[int] = field(default_factory=list)  # indices the direct answer cites
    steps: list[tuple[Step, int]] = field(default_factory=list)  # each step and its citation


def weights(text: str) -> dict[int, float]:
    """The text's bigrams, each weighted by its inverse document frequency in the corpus: a
    shared 押金 says more than a shared 出租人."""
    index = get_index()
    keys = np.unique(bigram_keys(text))
    if not keys.size or not index.terms.size:
        return {}
    slots = np.minimum(np.searchsorted(index.terms, keys), index.terms.size - 1)
    found = index.terms[slots] == keys
    df = np.where(found, index.term_ptr[slots + 1] - index.term_ptr[slots], 0)
    idf = np.log(1 + (index.size - df + 0.5) / (df + 0.5))
    return {int(k): float(w) for k, w, ok in zip(keys, idf, found, strict=True) if ok}


def _overlap(hit: Hit, words: dict[int, float]) -> float:
    unit = best_paragraph(hit.article.content, words)
    return overlap(unit.text, words) if unit else 0


def relevant(
    result: SearchResult,
    asked: Analysis,
    words: dict[int, float],
    calculated: set[tuple[str, str]] = frozenset(),
) -> list[Hit]:
    """The hits above the relevance floor, in retrieval order, at most CITED: of the named or
    topical laws or the best article's, and sharing at least OVERLAP_SHARE as many of the
    question's words as the best article does."""
    hits = result.hits
    if not hits:
        return []
    laws = asked.named | asked.topical | {hit.article.law_id for hit in hits[:LEADING]}
    floor = OVERLAP_SHARE * _overlap(hits[0], words)
    kept = [
        hit
        for number, hit in enumerate(hits)
        if hit.reason in ALWAYS
        or (hit.article.law.pcode, hit.article.number) in calculated
        or number == 0
        or (hit.article.law_id in laws and _overlap(hit, words) >= floor)
    ]
    return kept[:CITED]


def _step_articles(steps: Sequence[Step]) -> dict[tuple[str, str], Article]:
    if not steps:
        return {}
    query = Q()
    for step in steps:
        query |= Q(law__pcode=step.pcode, number=step.number)
    found = Article.objects.select_related("law").filter(query, law__abolished=False)
    return {(a.law.pcode, a.number): a for a in found}


def answer_plan(
    *, question: str, result: SearchResult, calculations: Sequence[Calculation]
) -> Plan:
    """Reads the index and the database (call it from sync code)."""
    lex = lexicon(get_index())
    analysis = analyse(lex, question)
    asked = weights(analysis.words + " " + question)
    wanted = {ref for calc in calculations for ref in calc.articles}
    hits = relevant(result, analysis, asked, wanted)
    cited: list[Cited] = []
    index: dict[tuple[str, str], int] = {}

    def cite(hit: Hit, words: dict[int, float]) -> int:
        key = (hit.article.law.pcode, hit.article.number)
        if key not in index:
            index[key] = len(cited)
            # An article the question cites by number is what was asked for: all of it.
            unit = None if hit.reason == "citation" else best_paragraph(hit.article.content, words)
            cited.append(Cited(hit, unit))
        return index[key]

    plan = Plan(cited)
    calculated = {ref for calc in calculations if calc.value is not None for ref in calc.articles}
    lead = [hit for hit in hits if (hit.article.law.pcode, hit.article.number) in calculated]
    for hit in lead or hits[:1]:
        plan.lead.append(cite(hit, asked))
    named = [lex.pcodes[law_id] for law_id in sorted(analysis.named) if law_id in lex.pcodes]
    steps = next_steps(question, [hit.article.law.pcode for hit in hits], named)[:STEPS]
    articles = _step_articles(steps)
    for step in steps:
        article = articles.get((step.pcode, step.number))
        if article is not None:
            plan.steps.append((step, cite(Hit(article, 0.0, "step"), weights(step.chinese))))
    for hit in hits:
        cite(hit, asked)
    return plan
