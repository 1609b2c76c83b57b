"""The built-in composer: a deterministic answer that quotes the retrieved articles verbatim and,
where the question gives numbers, shows what the law computes from them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING

from django.conf import settings

from chat.answering.engines.pacing import paced as pace
from labour import Calculation
from laws.search import Hit, SearchResult

if TYPE_CHECKING:  # the pipeline imports the engines; they only read what it prepared
    from chat.answering.pipeline import PreparedAnswer

QUOTED = 4  # articles quoted in full; the rest are listed
QUOTE_LIMIT = 900  # characters of one article quoted before pointing to the official page
PIECE_RE = re.compile(r".{1,12}?(?:[，。；：、！？\n]|\s|$)|.{12}", re.S)

ZH = {
    "intro": "依據全國法規資料庫的條文，與您的問題最相關的規定如下：",
    "intro_law": "您的問題涉及{laws}，相關條文如下：",
    "heading": "## 相關條文",
    "calculation": "## 試算",
    "calculation_intro": "依您提供的數字，按法定方式計算如下（結果僅供參考）：",
    "chapter": "（{chapter}）",
    "more": "全文請見[官方條文]({url})。",
    "others": "## 其他可能相關的條文",
    "notes": "## 說明",
    "note_order": "- 條文依與問題的相關程度排列，內容引自法規原文；點選條號可開啟全國法規資料庫的官方頁面。",
    "note_detail": "- 若您能提供更多細節（例如年資、金額、日期），可以得到更具體的說明。",
    "none": "我在法規資料庫中找不到與您的問題直接相關的條文。請試著加上法規名稱或條號，例如「勞基法第38條」，或換個說法描述您的情況。",
    "disclaimer": "*以上為法律資訊，不構成法律意見；具體個案請諮詢律師或主管機關。*",
    "title": "{law} 第 {number} 條",
}
EN = {
    "intro": "These provisions of Taiwan law are the most relevant to your question:",
    "intro_law": "Your question concerns {laws}. The relevant provisions are:",
    "heading": "## Relevant provisions",
    "calculation": "## Calculation",
    "calculation_intro": "From the numbers you gave, as the law computes it (for reference only):",
    "chapter": "({chapter})",
    "more": "Full text: [official page]({url}).",
    "others": "## Other provisions that may apply",
    "notes": "## Notes",
    "note_order": "- Provisions are ordered by relevance and quoted verbatim from the official Chinese text; each title links to the Ministry of Justice's official page, where an English translation may also be available.",
    "note_detail": "- With more details (length of service, amounts, dates) a more specific explanation is possible.",
    "none": "I could not find provisions in the law database that answer this question directly. Try naming the law or the article, e.g. “Labor Standards Act Article 38”, or describe your situation in other words.",
    "disclaimer": "*This is legal information, not legal advice; for your own case consult a lawyer or the competent authority.*",
    "title": "{law} Article {number}",
}


def _law_label(hit: Hit, english: bool) -> str:
    law = hit.article.law
    if english and law.english_name:
        return f"{law.english_name} ({law.name})"
    return law.name


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def answer_text(prepared: PreparedAnswer) -> str:
    """The whole answer at once (tests, and anything that needs no pacing)."""
    return "".join(answer_blocks(prepared.result, prepared.calculations, english=prepared.english))


def answer_blocks(
    result: SearchResult, calculations: Sequence[Calculation], *, english: bool
) -> Iterator[str]:
    """The answer's Markdown blocks for hits that already include the calculations' articles."""
    t = EN if english else ZH
    for line in result.missing:
        yield (f"{line}." if english else f"{line}。") + "\n\n"
    if calculations:
        yield t["calculation"] + "\n\n"
        if any(calc.result for calc in calculations):
            yield t["calculation_intro"] + "\n\n"
        for calc in calculations:
            yield calc.markdown() + "\n"
    if not result.hits:
        yield t["none"] + "\n\n" + t["disclaimer"]
        return
    laws = list(dict.fromkeys(_law_label(h, english) for h in result.hits[:QUOTED]))
    if len(laws) <= 2:
        joined = " and ".join(laws) if english else "、".join(f"《{name}》" for name in laws)
        yield t["intro_law"].format(laws=joined) + "\n\n"
    else:
        yield t["intro"] + "\n\n"
    yield t["heading"] + "\n\n"
    for rank, hit in enumerate(result.hits[:QUOTED], 1):
        article = hit.article
        title = t["title"].format(law=_law_label(hit, english), number=article.number)
        yield f"### {rank}. [{title}]({article.url})\n\n"
        if article.chapter:
            yield t["chapter"].format(chapter=article.chapter) + "\n\n"
        text = article.content
        if len(text) > QUOTE_LIMIT:
            text = text[:QUOTE_LIMIT].rstrip() + "…"
        yield _quote(text) + "\n\n"
        if len(article.content) > QUOTE_LIMIT:
            yield t["more"].format(url=article.url) + "\n\n"
    others = result.hits[QUOTED:]
    if others:
        yield t["others"] + "\n\n"
        for hit in others:
            title = t["title"].format(law=_law_label(hit, english), number=hit.article.number)
            snippet = hit.article.content.replace("\n", " ")[:60]
            yield (
                f"- [{title}]({hit.article.url})：{snippet}…\n"
                if not english
                else f"- [{title}]({hit.article.url}): {snippet}…\n"
            )
        yield "\n"
    computed = any(calc.value is not None for calc in calculations)
    detail = "" if computed else t["note_detail"] + "\n"
    yield t["notes"] + "\n\n" + t["note_order"] + "\n" + detail + "\n"
    yield t["disclaimer"]


def pieces(text: str) -> Iterator[str]:
    """Splits text into the small pieces a stream sends (about a phrase each)."""
    for match in PIECE_RE.finditer(text):
        if match.group():
            yield match.group()


async def composer_deltas(prepared: PreparedAnswer, *, paced: bool = True) -> AsyncIterator[str]:
    """The answer in pieces. Paced, the text grows at one piece per LAWBOT_COMPOSER_DELAY_MS,
    sent at most every LAWBOT_COMPOSER_TICK_MS so that a reader watches it grow; unpaced (a
    non-streamed answer) nobody is watching, so it comes at once."""
    text = answer_text(prepared)
    if not paced:
        yield text
        return
    async for chunk in pace(
        list(pieces(text)),
        interval=settings.LAWBOT_COMPOSER_DELAY_MS / 1000,
        tick=settings.LAWBOT_COMPOSER_TICK_MS / 1000,
    ):
        yield chunk
