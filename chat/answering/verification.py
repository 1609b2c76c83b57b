"""Checking what an upstream LLM cited: every marker [n] must index the citations list, and every
「…法第 N 條」 (or "Article N of the … Act") it wrote must exist in the corpus and be one of the
articles Lawbot retrieved and sent it. Anything else is flagged in the answer, never passed on
silently: citations come from retrieval, not from the model's memory."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from asgiref.sync import sync_to_async

from chat.answering.citations import Cited
from laws.citations import article_citations
from laws.index import get_index
from laws.models import Article
from laws.search import Lexicon, lexicon

MARKER_RE = re.compile(r"\[(\d{1,4})\]")


@dataclass(frozen=True)
class Unverified:
    cited: str  # as the answer wrote it: "[7]", "民法第 9999 條"
    reason: str  # "marker", "missing" (no such article), "not_retrieved"


# Answers up to this long are scanned on the event loop (under a millisecond): the thread is
# needed only for the database, and only when the answer names an article it was not sent.
INLINE_CHARS = 4000


def citations_check(
    text: str, cited: Sequence[Cited], lex: Lexicon | None = None
) -> list[Unverified]:
    """The citations in text that do not stand, each once, in the order written. Reads the
    database (call it through sync_to_async from async code, or use citations_acheck)."""
    found, unlisted = _scan(text, cited, lex or lexicon(get_index()))
    return found + _unlisted_flags(unlisted)


async def citations_acheck(
    text: str, cited: Sequence[Cited], lex: Lexicon | None
) -> list[Unverified]:
    """citations_check from async code, with the lexicon the answer was prepared with: one trip
    to the database thread only when an article outside `cited` must be looked up (or without
    a lexicon, which only the database thread may load)."""
    if lex is None or len(text) > INLINE_CHARS:
        return await sync_to_async(citations_check)(text, cited, lex)
    found, unlisted = _scan(text, cited, lex)
    if unlisted:
        found += await sync_to_async(_unlisted_flags)(unlisted)
    return found


def _scan(
    text: str, cited: Sequence[Cited], lex: Lexicon
) -> tuple[list[Unverified], list[tuple[str, int, str]]]:
    """The markers past the list, flagged; and the articles written that are not among `cited`
    (label, law id, number), each label once, in the order written."""
    found: list[Unverified] = []
    seen: set[str] = set()
    for match in MARKER_RE.finditer(text):
        if not 1 <= int(match.group(1)) <= len(cited) and match.group(0) not in seen:
            seen.add(match.group(0))
            found.append(Unverified(match.group(0), "marker"))
    retrieved = {(c.article.law_id, c.article.number) for c in cited}
    unlisted = []
    for citation in article_citations(text, lex.matcher.mentions(text)):
        if citation.law_id is None or (citation.law_id, citation.number) in retrieved:
            continue
        label = f"{lex.names.get(citation.law_id, '')}第 {citation.number} 條"
        if label not in seen:
            seen.add(label)
            unlisted.append((label, citation.law_id, citation.number))
    return found, unlisted


def _unlisted_flags(unlisted: list[tuple[str, int, str]]) -> list[Unverified]:
    return [
        Unverified(
            label,
            "not_retrieved"
            if Article.objects.filter(law_id=law_id, number=number).exists()
            else "missing",
        )
        for label, law_id, number in unlisted
    ]


ZH = {
    "heading": "⚠️ **引用查核**：以下引用無法與 Lawbot 檢索到的條文核對，請勿依賴：",
    "marker": "{cited}：沒有這個編號的引用條文",
    "missing": "「{cited}」：法規資料庫中沒有這一條",
    "not_retrieved": "「{cited}」：不在 Lawbot 檢索並提供的條文之中，內容未經查核",
    "end": "請以下方「引用條文」清單中的條文為準。",
}
EN = {
    "heading": "⚠️ **Citation check**: these citations could not be checked against the articles Lawbot retrieved; do not rely on them:",
    "marker": "{cited}: there is no cited article with this number",
    "missing": "“{cited}”: no such article in the law database",
    "not_retrieved": "“{cited}”: not among the articles Lawbot retrieved and supplied; its content is unchecked",
    "end": "Rely on the articles in the list of cited articles.",
}


def flag_text(unverified: Sequence[Unverified], *, english: bool) -> str:
    """The note appended to the answer, or "" when every citation stands."""
    if not unverified:
        return ""
    t = EN if english else ZH
    lines = [f"- {t[u.reason].format(cited=u.cited)}" for u in unverified]
    return (
        "\n\n> "
        + t["heading"]
        + "\n>\n"
        + "\n".join(f"> {line}" for line in lines)
        + ("\n>\n> " + t["end"])
    )
