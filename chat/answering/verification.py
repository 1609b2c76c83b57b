"""Checking what an upstream LLM cited: every marker [n] must index the citations list, and every
「…法第 N 條」 (or "Article N of the … Act") it wrote must exist in the corpus and be one of the
articles Lawbot retrieved and sent it. Anything else is flagged in the answer, never passed on
silently: citations come from retrieval, not from the model's memory."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chat.answering.citations import Cited
from laws.citations import article_citations
from laws.index import get_index
from laws.models import Article
from laws.search import lexicon

MARKER_RE = re.compile(r"\[(\d{1,4})\]")


@dataclass(frozen=True)
class Unverified:
    cited: str  # as the answer wrote it: "[7]", "民法第 9999 條"
    reason: str  # "marker", "missing" (no such article), "not_retrieved"


def citations_check(text: str, cited: Sequence[Cited]) -> list[Unverified]:
    """The citations in text that do not stand, each once, in the order written. Reads the
    database (call it through sync_to_async from async code)."""
    found: list[Unverified] = []
    seen: set[str] = set()

    def flag(label: str, reason: str) -> None:
        if label not in seen:
            seen.add(label)
            found.append(Unverified(label, reason))

    for match in MARKER_RE.finditer(text):
        if not 1 <= int(match.group(1)) <= len(cited):
            flag(match.group(0), "marker")
    lex = lexicon(get_index())
    retrieved = {(c.article.law_id, c.article.number) for c in cited}
    for citation in article_citations(text, lex.matcher.mentions(text)):
        if citation.law_id is None or (citation.law_id, citation.number) in retrieved:
            continue
        label = f"{lex.names.get(citation.law_id, '')}第 {citation.number} 條"
        exists = Article.objects.filter(law_id=citation.law_id, number=citation.number).exists()
        flag(label, "not_retrieved" if exists else "missing")
    return found


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
