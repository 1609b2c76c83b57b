"""Retrieval: the question (and earlier turns) → the articles that answer it.

Explicit citations resolve directly. The rest of the question (English is first rendered into the
statutes' Chinese words, and its own words meet the Ministry's English text) is expanded with
statutory terms and scored with BM25; the meaning signal (laws/meaning.py: the question's vector
against the articles' passages), once its vectors are complete, adds the articles nearest in
meaning; the scores are then weighted by the laws the question names or is about and by each
law's level, the articles whose cards (laws/cards.py: the words people use when they ask about
them) match the question are lifted, the top of the list is reranked by the statute's words each
article contains and by its closest paragraph's meaning, and an article that repeats one already
found in another law is shown once."""

import functools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.db import connections, models, router

from laws.cards import Card, card_index
from laws.citations import ArticleCitation, LawMention, LawNameMatcher, article_citations
from laws.english import english_terms
from laws.fusion import SIGNALS, QuestionMeaning, meaning_scores
from laws.index import SearchIndex, get_index
from laws.models import Article, Law
from laws.text import bigram_keys, is_english
from laws.vocabulary import COLLOQUIAL, TOPIC_LAWS

# Words that carry no legal meaning in a question; removing them keeps BM25 on the substance.
FILLER_RE = re.compile(
    r"請問|請說明|說明一下|請告訴我|告訴我|想問|我想知道|是什麼|什麼|怎麼辦|怎麼|如何|為何|為什麼|"
    r"可以嗎|可不可以|有沒有|是否|嗎|呢|吧|中的|的規定|規定|相關|條文|法律上|依法"
)
# 「那如果是舊制呢？」 "And what about …": the question leans on the one before it.
FOLLOW_UP_RE = re.compile(
    r"^\s*(?:那|那麼|如果|若是|還有|另外|and\b|what about|what if|how about|but\b)", re.IGNORECASE
)
PHRASE_SPLIT_RE = re.compile(r"[\s,，、。；;]+")
NAMED_LAW_BOOST = 3.0
TOPIC_LAW_BOOST = 2.0
HISTORY_WEIGHT = 0.5
HISTORY_TURNS = 2
MAX_QUESTION = 4000  # characters read from a question or turn: past this it is a pasted document
MAX_CITED = 20  # articles looked up for one question: a pasted list must not cost a query each
DUPLICATE_SIMILARITY = 0.9  # bigram Jaccard above which two articles say the same thing
CANDIDATES = 3  # look this many times deeper than asked, so duplicates can be skipped
RERANK_DEPTH = 40  # candidates re-ordered by how many of the statute's words they contain whole
# Refitted with the cards' vectors on every tuned split (`bench/tune_meaning.py --rerank`: 0,
# 0.1, 0.25, 0.5 tried; MRR 0.794, 0.846, 0.849, 0.844).
PHRASE_WEIGHT = 0.25
# Article cards (laws/cards.py): a card that matches a question lifts its article towards the top,
# in proportion to how well it matches compared with the best card. (Chosen on bench/questions.jsonl:
# the split `heldout2`, unseen by the cards when they were weighed, asked for more weight than the
# splits the word tables were written from; making the cards' laws topical as well did worse.)
CARD_RELATIVE = 0.3  # cards scoring at least this share of the best card count
CARD_WEIGHT = 1.0  # the best card's article gains this share of the best text score
# An English question's own words against the Ministry's English text, beside its glossary
# translation against the Chinese (chosen on the tuned splits of bench/questions.jsonl: 0, 0.5,
# 1, 2, 3, 5 tried; 2 best).
ENGLISH_WEIGHT = 2.0
LAW_BULK = ["law__histories", "law__foreword", "law__effective_note"]  # long, rarely read


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


@dataclass
class Analysis:
    mentions: list[LawMention]
    citations: list[ArticleCitation]
    words: str  # what BM25 scores: the question's substance plus the statutes' words for it
    phrases: set[str]  # statutory words and phrases an answering article likely contains
    named: set[int]  # laws the question names
    topical: set[int]  # laws its words are about
    asked: str = ""  # the question's own words (and their translation), matched against cards
    unnamed: str = ""  # the question without the laws and articles it names: what it means


class Lexicon:
    """Per-index lookups: law names, law codes, and the highest law id (for boost vectors)."""

    def __init__(self, index: SearchIndex):
        self.matcher = LawNameMatcher(index.laws)
        self.by_pcode = {pcode: law_id for law_id, pcode, *_ in index.laws}
        self.pcodes = {law_id: pcode for pcode, law_id in self.by_pcode.items()}
        self.names = {law_id: name for law_id, _, name, *_ in index.laws}
        self.size = max(int(index.doc_law.max()) if index.size else 0, *self.names, 0) + 1
        self.cards = card_index()
        self.card_docs = _card_documents(index, self.cards.cards, self.by_pcode)


def _card_documents(index: SearchIndex, cards: list[Card], by_pcode: dict[str, int]) -> list[int]:
    """Each card's document number in index (-1 when the article is not indexed: repealed, or
    a law not in this corpus)."""
    wanted = {card.pcode for card in cards if card.pcode in by_pcode}
    ids = {
        (pcode, number): pk
        for pcode, number, pk in Article.objects.filter(law__pcode__in=wanted)
        .order_by()
        .values_list("law__pcode", "number", "id")
    }
    docs = []
    for card in cards:
        pk = ids.get((card.pcode, card.number), -1)
        slot = int(np.searchsorted(index.doc_article, pk)) if index.size else 0
        found = slot < index.size and int(index.doc_article[slot]) == pk
        docs.append(slot if found else -1)
    return docs


_lexicons: dict[float, Lexicon] = {}
_lexicon_lock = threading.Lock()


def lexicon(index: SearchIndex) -> Lexicon:
    found = _lexicons.get(index.stamp)
    if found is None:
        # Built once: requests arriving together in their own threads must not each build one.
        with _lexicon_lock:
            found = _lexicons.get(index.stamp)
            if found is None:
                _lexicons.clear()
                found = _lexicons[index.stamp] = Lexicon(index)
    return found


def law_matcher(index: SearchIndex) -> LawNameMatcher:
    return lexicon(index).matcher


def _strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def clip(text: str, limit: int = MAX_QUESTION) -> str:
    """At most `limit` characters of a question: its start and its end, where a pasted
    document's question usually is."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n{text[-half:]}"


def statutory_words(text: str) -> list[str]:
    """The statute's words for the everyday words in text (老闆 → 雇主)."""
    return [statutory for word, statutory in COLLOQUIAL.items() if word in text]


def topic_laws(lex: Lexicon, text: str) -> set[int]:
    pcodes = {pcode for word, codes in TOPIC_LAWS.items() if word in text for pcode in codes}
    found = {lex.by_pcode[p] for p in pcodes if p in lex.by_pcode}
    return found | lex.matcher.topics(text)


def analyse(lex: Lexicon, text: str) -> Analysis:
    text = clip(text)
    mentions = lex.matcher.mentions(text)
    citations = article_citations(text, mentions)
    rest = _strip_spans(text, [(m.start, m.end) for m in mentions + citations])
    # The laws a question names are weighed by name (NAMED_LAW_BOOST); left in its meaning they
    # would pull it towards any card or passage that names the same law.
    unnamed = " ".join(rest.split())
    asked = FILLER_RE.sub(" ", rest)
    translated = ""
    if is_english(text):
        # English words the glossary does not know would only match Latin letters in a few
        # regulations: without a translation there is nothing to score.
        rest = translated = english_terms(rest)
    rest = FILLER_RE.sub(" ", rest)
    extra = statutory_words(rest)
    words = " ".join([rest, *extra])
    phrases = {w for w in PHRASE_SPLIT_RE.split(" ".join([translated, *extra])) if len(w) >= 2}
    named = {m.law_id for m in mentions}
    return Analysis(
        mentions,
        citations,
        words,
        phrases,
        named,
        topic_laws(lex, words),
        f"{asked} {translated}",
        unnamed,
    )


def _with_earlier_law(
    lex: Lexicon, citations: list[ArticleCitation], earlier: list[str]
) -> list[ArticleCitation]:
    """「那第 18 條呢？」 after a turn about 勞基法: an article cited without a law belongs to the
    law named last in the conversation."""
    if not earlier or all(c.law_id is not None for c in citations):
        return citations
    named = [m.law_id for turn in earlier for m in lex.matcher.mentions(clip(turn))]
    if not named:
        return citations
    return [c if c.law_id is not None else replace(c, law_id=named[-1]) for c in citations]


def _cited(lex: Lexicon, citations: list[ArticleCitation]) -> tuple[list[Hit], list[str], set[int]]:
    hits, missing, seen = [], [], set()
    looked_up: set[tuple[int, str]] = set()
    for citation in citations:
        key = (citation.law_id, citation.number)
        if citation.law_id is None or key in looked_up or len(looked_up) >= MAX_CITED:
            continue
        looked_up.add(key)
        article = (
            Article.objects.select_related("law")
            .defer(*LAW_BULK)
            .filter(law_id=citation.law_id, number=citation.number)
            .first()
        )
        if article is None:
            missing.append(f"{lex.names.get(citation.law_id, '')}沒有第 {citation.number} 條")
        elif article.pk not in seen:
            seen.add(article.pk)
            hits.append(Hit(article, float("inf"), "citation"))
    return hits, missing, seen


def _similar(a: set[int], b: set[int]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= DUPLICATE_SIMILARITY


def _phrase_score(text: str, phrases: set[str]) -> float:
    """Share of the statute's words the article contains as whole words, not just as bigrams."""
    return sum(1 for p in phrases if p in text) / len(phrases) if phrases else 0.0


def _top_hits(
    index: SearchIndex,
    scores: np.ndarray,
    wanted: int,
    seen: set[int],
    phrases: set[str] = frozenset(),
    *,
    dedup: bool = True,
    paragraphs: Callable[[list[int]], dict[int, float]] | None = None,
) -> list[Hit]:
    """The best-scoring articles not in seen, skipping near-copies of better ones."""
    if wanted <= 0 or not scores.any():
        return []
    depth = (wanted + len(seen)) * CANDIDATES
    depth = min(max(depth, RERANK_DEPTH) if phrases else depth, scores.size)
    alias, docs, pk_doc, rows = _live_candidates(index, scores, depth)
    texts = {pk: f"{row[_CHAPTER]}{row[_CONTENT]}" for pk, row in rows.items()}
    final = {pk: docs[pk] * (1 + PHRASE_WEIGHT * _phrase_score(texts[pk], phrases)) for pk in texts}
    if paragraphs is not None:
        # The paragraph (項/款) nearest the question in meaning: an article whose one paragraph
        # answers it beats one that only shares its topic's words.
        near = paragraphs([pk_doc[pk] for pk in final])
        final = {pk: score * (1 + near.get(pk_doc[pk], 0.0)) for pk, score in final.items()}
    chosen: list[int] = []
    kept: list[frozenset[int]] = []
    for pk in sorted(final, key=lambda pk: -final[pk]):
        if pk in seen:
            continue
        if dedup:
            grams = _grams(texts[pk])
            if any(_similar(grams, other) for other in kept):
                continue
            kept.append(grams)
        chosen.append(pk)
        if len(chosen) >= wanted:
            break
    return [Hit(_article(alias, rows[pk]), final[pk], "text") for pk in chosen]


def _best(scores: np.ndarray, positive: np.ndarray, depth: int) -> np.ndarray:
    """The depth best-scoring of the positive documents (all of them if fewer)."""
    if depth >= positive.size:
        return positive
    cut = positive.size - depth
    return positive[np.argpartition(scores[positive], cut)[cut:]]


def _live_candidates(
    index: SearchIndex, scores: np.ndarray, depth: int
) -> tuple[str, dict[int, float], dict[int, int], dict[int, tuple]]:
    """(database alias, {article id: score}, {article id: document}, {article id: row}) for the
    depth best-scoring documents whose articles exist. An index built before an import may name
    an article the import removed (until the new index is swapped in): its document is passed
    over and the next ones are read, so that a stale index never answers with fewer articles."""
    # Only the documents that score at all can be candidates: partitioning those (not every
    # document in the index) is what made this the costliest numpy step of a search.
    positive = np.flatnonzero(scores > 0)
    docs: dict[int, float] = {}
    pk_doc: dict[int, int] = {}
    rows: dict[int, tuple] = {}
    alias = router.db_for_read(Article)
    wanted = depth
    while True:
        fresh = {}
        for d in _best(scores, positive, wanted).tolist():
            pk = int(index.doc_article[d])
            if pk not in pk_doc:
                fresh[pk] = d
        alias, found = _candidate_rows(list(fresh))
        rows.update(found)
        for pk, d in fresh.items():
            pk_doc[pk] = d
            docs[pk] = float(scores[d])
        if len(rows) >= depth or wanted >= positive.size:
            break
        wanted = min(positive.size, 2 * wanted)
    return alias, docs, {pk: pk_doc[pk] for pk in rows}, rows


# The candidates' rows come from one plain SQL query (building Django querysets and model
# instances for every candidate cost more than the scoring), with only the columns that need no
# conversion from the database; the model instances are built for the few articles returned.
# The columns left out (the law's bulky texts, its dates and flags) load on access, as deferred
# fields do.
_ARTICLE_FIELDS = [f for f in Article._meta.concrete_fields]
_LAW_FIELDS = [
    f for f in Law._meta.concrete_fields if isinstance(f, models.CharField | models.AutoField)
]
_ARTICLE_NAMES = [f.attname for f in _ARTICLE_FIELDS]
_LAW_NAMES = [f.attname for f in _LAW_FIELDS]
_CHAPTER, _CONTENT = _ARTICLE_NAMES.index("chapter"), _ARTICLE_NAMES.index("content")


def _candidate_rows(pks: list[int]) -> tuple[str, dict[int, tuple]]:
    alias = router.db_for_read(Article)
    if not pks:
        return alias, {}
    quote = connections[alias].ops.quote_name
    columns = ", ".join(
        [f"a.{quote(f.column)}" for f in _ARTICLE_FIELDS]
        + [f"l.{quote(f.column)}" for f in _LAW_FIELDS]
    )
    sql = (
        f"SELECT {columns} FROM {quote(Article._meta.db_table)} a "
        f"JOIN {quote(Law._meta.db_table)} l ON l.{quote(Law._meta.pk.column)} = "
        f"a.{quote(Article._meta.get_field('law').column)} "
        f"WHERE a.{quote(Article._meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})"
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, pks)
        return alias, {row[0]: row for row in cursor.fetchall()}


def _article(alias: str, row: tuple) -> Article:
    article = Article.from_db(alias, _ARTICLE_NAMES, row[: len(_ARTICLE_NAMES)])
    article.law = Law.from_db(alias, _LAW_NAMES, row[len(_ARTICLE_NAMES) :])
    return article


@functools.lru_cache(maxsize=2048)
def _grams(text: str) -> frozenset[int]:
    """An article's bigram set, for the near-duplicate check: the same articles come back as
    candidates question after question, so their sets are kept (keyed by the text itself, so a
    re-imported article is never judged by its old words)."""
    return frozenset(bigram_keys(text).tolist())


def _boosts(lex: Lexicon, named: set[int], topical: set[int]) -> np.ndarray:
    if named & topical:
        # The question names one of the laws its topic belongs to (勞基法 + 資遣費): the topic's
        # companion laws (勞退條例) are as much in point as the named one.
        named = named | topical
    boost = np.ones(lex.size, dtype=np.float32)
    boost[list(topical - named)] = TOPIC_LAW_BOOST
    boost[list(named)] = NAMED_LAW_BOOST
    return boost


def _card_matches(
    lex: Lexicon, text: str, earlier: list[str], lift: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(card number, share of the best card's score) for the cards that match the question:
    by their words (as a share of the best card's words) plus, with card vectors, the lift
    their meaning gives (laws/fusion.card_lift)."""
    scores = lex.cards.scores(text)
    for turn in earlier:
        scores += HISTORY_WEIGHT * lex.cards.scores(turn)
    top = float(scores.max()) if scores.size else 0.0
    if top > 0:
        scores /= top
    if lift is not None and lift.size == scores.size:
        scores += lift
    best = float(scores.max()) if scores.size else 0.0
    if best <= 0:
        return []
    strong = np.flatnonzero(scores >= CARD_RELATIVE * best)
    strong = strong[np.argsort(-scores[strong], kind="stable")]
    return [(int(c), float(scores[c]) / best) for c in strong if lex.card_docs[c] >= 0]


def _with_english(chinese: np.ndarray, english: np.ndarray) -> np.ndarray:
    """An English question's two routes, each scaled to its best: the glossary's Chinese words
    against the statutes, and its own words against the Ministry's English translations."""
    top_zh, top_en = float(chinese.max()), float(english.max())
    if top_en <= 0:
        return chinese
    scale = (top_zh or 1.0) / top_en
    return chinese + ENGLISH_WEIGHT * scale * english


def search(
    query: str,
    *,
    limit: int = 5,
    history: Sequence[str] = (),
    plain: bool = False,
    signals: frozenset[str] = SIGNALS,
) -> SearchResult:
    """The articles that answer query; plain=True is the bare BM25 baseline, and signals
    (a subset of "cards", "meaning", "rerank") leaves some out (both for the bench)."""
    index = get_index()
    if plain:
        return SearchResult(hits=_top_hits(index, index.bm25(query), limit, set(), dedup=False))
    lex = lexicon(index)
    asked = analyse(lex, query)
    earlier = [turn for turn in history[-HISTORY_TURNS:] if turn.strip()]
    hits, missing, seen = _cited(lex, _with_earlier_law(lex, asked.citations, earlier))

    scores = index.bm25(asked.words)
    if is_english(query):
        scores = _with_english(scores, index.bm25_english(clip(query)))
    named, topical = set(asked.named), set(asked.topical)
    leans = bool(earlier) and bool(FOLLOW_UP_RE.match(query) or not (named or topical))
    # A follow-up's meaning is the conversation's: 「那如果是這樣呢？」 alone is about nothing.
    meant = " ".join([*earlier, asked.unnamed]) if leans else asked.unnamed
    meant = clip(meant) if meant.strip() else clip(query)
    meaning = (
        meaning_scores(index, meant, lex.cards.cards)
        if "meaning" in signals
        else QuestionMeaning(None, None)
    )
    if meaning.passages is not None:
        scores = meaning.passages.fuse(scores)
    leaning: list[str] = []  # earlier turns a follow-up leans on
    if leans:
        for turn in earlier:
            before = analyse(lex, turn)
            scores += HISTORY_WEIGHT * index.bm25(before.words)
            topical |= before.named | before.topical
            leaning.append(before.asked)
    cards = _card_matches(lex, asked.asked, leaning, meaning.cards) if "cards" in signals else []
    if named or topical:
        scores *= _boosts(lex, named, topical)[index.doc_law]
    scores *= index.doc_prior
    if cards:
        top = float(scores.max()) or 1.0
        for card, share in cards:
            scores[lex.card_docs[card]] += CARD_WEIGHT * share * top
        # On questions worded as no word table foresaw, the best-matching card is right more
        # often than the text ranking's first hit, so it wins their tie.
        best = lex.card_docs[cards[0][0]]
        scores[best] = max(scores[best], float(scores.max()) * 1.001)

    rerank = "rerank" in signals
    hits += _top_hits(
        index,
        scores,
        limit - len(hits),
        seen,
        asked.phrases if rerank else frozenset(),
        paragraphs=meaning.passages.paragraphs if meaning.passages is not None and rerank else None,
    )
    return SearchResult(hits=hits, laws=asked.mentions, missing=missing)
