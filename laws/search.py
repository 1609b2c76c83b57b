"""Retrieval: the question (and earlier turns) → the articles that answer it."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from laws.citations import LawMention, LawNameMatcher, article_citations
from laws.index import SearchIndex, get_index
from laws.models import Article
from laws.vocabulary import COLLOQUIAL, TOPIC_LAWS

# Words that carry no legal meaning in a question; removing them keeps BM25 on the substance.
FILLER_RE = re.compile(
    r"請問|請說明|說明一下|請告訴我|告訴我|想問|我想知道|是什麼|什麼|怎麼辦|怎麼|如何|為何|為什麼|"
    r"可以嗎|可不可以|有沒有|是否|嗎|呢|吧|中的|的規定|規定|相關|條文|法律上|依法"
)
NAMED_LAW_BOOST = 3.0
TOPIC_LAW_BOOST = 2.0
HISTORY_LAW_BOOST = 1.5
# Retrieval reads at most this much of a question (its start and its end) and looks up at most
# MAX_CITED cited articles: a 1 MiB message must not cost minutes of CPU and a query per citation.
MAX_QUERY_CHARS = 4000
MAX_CITED = 20
_matchers: dict[float, LawNameMatcher] = {}


@dataclass
class Hit:
    article: Article
    score: float
    reason: str  # "citation" or "text"


@dataclass
class SearchResult:
    hits: list[Hit]
    laws: list[LawMention] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # 「勞動基準法沒有第 999 條」


def law_matcher(index: SearchIndex) -> LawNameMatcher:
    matcher = _matchers.get(index.stamp)
    if matcher is None:
        _matchers.clear()
        matcher = _matchers[index.stamp] = LawNameMatcher(index.laws)
    return matcher


def _strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _law_names(index: SearchIndex) -> dict[int, str]:
    return {law_id: name for law_id, _, name, *_ in index.laws}


def expand(text: str) -> str:
    """Adds the statute's words for the everyday words in text (老闆 → 雇主)."""
    extra = [statutory for word, statutory in COLLOQUIAL.items() if word in text]
    return " ".join([text, *extra])


def topic_laws(index: SearchIndex, text: str) -> set[int]:
    pcodes = {pcode for word, codes in TOPIC_LAWS.items() if word in text for pcode in codes}
    return {law_id for law_id, pcode, *_ in index.laws if pcode in pcodes}


def clip(text: str) -> str:
    if len(text) <= MAX_QUERY_CHARS:
        return text
    half = MAX_QUERY_CHARS // 2
    return f"{text[:half]}\n{text[-half:]}"


def search(query: str, *, limit: int = 5, history: Sequence[str] = ()) -> SearchResult:
    index = get_index()
    matcher = law_matcher(index)
    query = clip(query)
    history = [clip(turn) for turn in history[-3:]]
    mentions = matcher.mentions(query)
    citations = article_citations(query, mentions)

    hits: list[Hit] = []
    missing: list[str] = []
    seen: set[int] = set()
    names = _law_names(index)
    looked_up: set[tuple[int, str]] = set()
    for citation in citations:
        key = (citation.law_id, citation.number)
        if citation.law_id is None or key in looked_up or len(looked_up) >= MAX_CITED:
            continue
        looked_up.add(key)
        article = (
            Article.objects.select_related("law")
            .filter(law_id=citation.law_id, number=citation.number)
            .first()
        )
        if article is None:
            missing.append(f"{names.get(citation.law_id, '')}沒有第 {citation.number} 條")
        elif article.pk not in seen:
            seen.add(article.pk)
            hits.append(Hit(article, float("inf"), "citation"))

    spans = [(m.start, m.end) for m in mentions] + [(c.start, c.end) for c in citations]
    rest = FILLER_RE.sub(" ", _strip_spans(query, spans))
    scores = index.bm25(expand(rest))
    named = {m.law_id for m in mentions}
    topical = topic_laws(index, query)
    if named & topical:
        # The question names one of the laws its topic belongs to (勞基法 + 資遣費): the topic's
        # companion laws (勞退條例) are as much in point as the named one.
        named |= topical
    topical -= named
    if named:
        scores *= np.where(np.isin(index.doc_law, list(named)), NAMED_LAW_BOOST, 1.0)
    if topical:
        scores *= np.where(np.isin(index.doc_law, list(topical)), TOPIC_LAW_BOOST, 1.0)
    if not named and not topical:
        earlier = {m.law_id for turn in history[-3:] for m in matcher.mentions(turn)}
        if earlier:
            scores *= np.where(np.isin(index.doc_law, list(earlier)), HISTORY_LAW_BOOST, 1.0)
    scores *= index.doc_prior

    wanted = max(limit - len(hits), 0)
    if wanted and scores.any():
        top = np.argpartition(-scores, min(wanted + len(seen), scores.size - 1))[
            : wanted + len(seen)
        ]
        top = top[np.argsort(-scores[top])]
        top = [int(d) for d in top if scores[d] > 0]
        ids = [int(index.doc_article[d]) for d in top]
        articles = Article.objects.select_related("law").in_bulk(ids)
        for doc, article_id in zip(top, ids, strict=True):
            if article_id in seen or article_id not in articles or len(hits) >= limit:
                continue
            seen.add(article_id)
            hits.append(Hit(articles[article_id], float(scores[doc]), "text"))
    return SearchResult(hits=hits[:limit] if wanted else hits, laws=mentions, missing=missing)
