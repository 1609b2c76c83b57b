"""The built-in composer: a deterministic, extractive answer. It opens with the point (a
calculation's result, or the deciding paragraph of the best article), then what to do next where
the question asks, then the calculation, then the other articles, each quoted only in the 項/款
that matters, with markers [n] that index the `citations` list. It never invents law."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from django.conf import settings

from chat.answering.citations import Cited, english_of
from chat.answering.engines.pacing import paced as pace
from chat.answering.paragraphs import english_paragraph, paragraphs
from laws.models import Article

if TYPE_CHECKING:  # the pipeline imports the engines; they only read what it prepared
    from chat.answering.pipeline import PreparedAnswer

PIECE_RE = re.compile(r".{1,12}?(?:[，。；：、！？\n]|\s|$)|.{12}", re.S)
LEAD_LIMIT = 160  # characters of the deciding paragraph in the direct answer; the list has it all
# The same paragraph in the Ministry's English runs about two and a half times as long: at 160
# characters the annual-leave rule was cut before the number of days it grants.
LEAD_LIMIT_EN = 400

ZH = {
    "lead": "**簡答**：",
    "lead_rule": "依{title}{label}{marker}：「{text}」",
    "lead_calc": "依您提供的數字：",
    "lead_calc_more": "算式與依據見下方「試算」，結果僅供參考。",
    "lead_formula": "要算出金額，還需要：{missing}（公式見下方「試算」）。",
    "steps": "## 下一步",
    "step_where": "去哪裡：",
    "heading": "## 引用條文",
    "calculation": "## 試算",
    "calculation_intro": "依您提供的數字，按法定方式計算如下（結果僅供參考）：",
    "notes": "## 說明",
    "note_order": "- 方括號中的編號對應下方「引用條文」清單；每條只引與問題相關的項、款，點選條號可開啟全國法規資料庫的全文。",
    "note_detail": "- 若您能提供更多細節（例如年資、金額、日期），可以得到更具體的說明。",
    "none": "我在法規資料庫中找不到與您的問題直接相關的條文。請試著加上法規名稱或條號，例如「勞基法第38條」，或換個說法描述您的情況。",
    "disclaimer": "*以上為法律資訊，不構成法律意見；具體個案請諮詢律師或主管機關。*",
    "title": "{law} 第 {number} 條",
}
EN = {
    "lead": "**In short:** ",
    "lead_rule": "Under {title}{label}{marker}: “{english}”",
    "lead_rule_zh": "Under {title}{label}{marker} (official Chinese text; no English translation in the corpus): 「{text}」",
    "lead_calc": "From the numbers you gave:",
    "lead_calc_more": "The arithmetic and the articles it rests on are under “Calculation”; for reference only.",
    "lead_formula": "To compute the amount I also need: {missing} (the formula is under “Calculation”).",
    "steps": "## What you can do",
    "step_where": "Where: ",
    "heading": "## Cited articles",
    "calculation": "## Calculation",
    "calculation_intro": "From the numbers you gave, as the law computes it (for reference only):",
    "notes": "## Notes",
    "note_order": "- The numbers in brackets refer to the cited articles below; each article is quoted only in the paragraphs that matter, and its title links to the full official text.",
    "note_law": "- The Chinese text is the law; English translations are the Ministry of Justice's, for reference only.",
    "note_detail": "- With more details (length of service, amounts, dates) a more specific explanation is possible.",
    "none": "I could not find provisions in the law database that answer this question directly. Try naming the law or the article, e.g. “Labor Standards Act Article 38”, or describe your situation in other words.",
    "disclaimer": "*This is legal information, not legal advice; for your own case consult a lawyer or the competent authority.*",
    "title": "{law}, Article {number}",
    "outdated": " (English translation of {translated}, older than the Chinese text's last amendment of {amended}: it may not reflect the current law)",
}


def _law_label(article: Article, english: bool) -> str:
    law = article.law
    if english and law.english_name:
        name = law.english_name
        return (
            f"{name} ({law.name})"
            if name.lower().startswith("the ")
            else f"the {name} ({law.name})"
        )
    return law.name


def _title(article: Article, english: bool) -> str:
    t = EN if english else ZH
    return t["title"].format(law=_law_label(article, english), number=article.number)


def _label(cited: Cited, english: bool) -> str:
    if cited.paragraph is None or len(paragraphs(cited.article.content)) <= 1:
        return ""
    label = cited.paragraph.label(english)
    return f", {label}" if english else label


def _marker(number: int) -> str:
    return f" [{number + 1}]"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def _short(text: str, limit: int = LEAD_LIMIT) -> str:
    """The paragraph on one line, cut to `limit`: Chinese lines join as they are, English
    ones with a space ("following: 8. Illegally…"), and English is cut between words."""
    lines = text.split("\n")
    joined = lines[0]
    for line in lines[1:]:
        english = joined and line and joined[-1].isascii() and line[0].isascii()
        joined += (" " if english else "") + line
    if len(joined) <= limit:
        return joined
    cut = joined[:limit]
    if joined[limit].isascii() and joined[limit].isalnum() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def _lead_text(cited: Cited) -> str:
    return cited.paragraph.text if cited.paragraph else cited.article.content


def _lead_quotes_all(cited: Cited) -> bool:
    """Whether the direct answer quoted the paragraph whole (else the articles quote it)."""
    return len(_lead_text(cited).replace("\n", "")) <= LEAD_LIMIT


def _date(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}" if len(yyyymmdd) == 8 else yyyymmdd


def _english_note(article: Article) -> str:
    english = english_of(article)
    if english is None or not english.outdated:
        return ""
    return EN["outdated"].format(
        translated=_date(english.translated), amended=_date(article.law.modified_date)
    )


def _paragraph_en(cited: Cited) -> str:
    english = english_of(cited.article)
    if english is None:
        return ""
    if cited.paragraph is None:
        return english.text
    return english_paragraph(english.text, cited.paragraph)


def _lead(prepared: PreparedAnswer) -> str:
    """The direct answer: a calculation's result, or the deciding paragraph of the best article."""
    t = EN if prepared.english else ZH
    plan, english = prepared.plan, prepared.english
    computed = [calc for calc in prepared.calculations if calc.value is not None]
    if computed:
        markers = "".join(_marker(i) for i in plan.lead)
        lines = [t["lead_calc"]] + [f"{calc.result}{markers}" for calc in computed]
        return t["lead"] + "\n".join(lines) + "\n" + t["lead_calc_more"]
    if not plan.cited:
        missing = [f"{line}." if english else f"{line}。" for line in prepared.result.missing]
        return t["lead"] + (" ".join(missing) if missing else t["none"])
    cited = plan.cited[plan.lead[0]]
    words = {
        "title": _title(cited.article, english),
        "label": _label(cited, english),
        "marker": _marker(plan.lead[0]),
        "text": _short(_lead_text(cited)),
    }
    if english:
        translated = _paragraph_en(cited)
        if translated:
            line = t["lead_rule"].format(english=_short(translated, LEAD_LIMIT_EN), **words)
            line += _english_note(cited.article) + f"\n\n> 「{words['text']}」"
        else:
            line = t["lead_rule_zh"].format(**words)
    else:
        line = t["lead_rule"].format(**words)
    wanting = [calc for calc in prepared.calculations if calc.missing]
    if wanting:
        sep = ", " if english else "、"
        missing = sep.join(dict.fromkeys(m for calc in wanting for m in calc.missing))
        # After the quoted Chinese, a blank line: a line right under a "> " quote is part of it.
        line += ("\n\n" if "\n> " in line else "\n") + t["lead_formula"].format(missing=missing)
    return t["lead"] + line


def _steps(prepared: PreparedAnswer) -> Iterator[str]:
    t = EN if prepared.english else ZH
    if not prepared.plan.steps:
        return
    yield t["steps"] + "\n\n"
    for rank, (step, number) in enumerate(prepared.plan.steps, 1):
        article = prepared.plan.cited[number].article
        what = step.english if prepared.english else step.chinese
        where = step.where_en if prepared.english else step.where
        cite = _title(article, prepared.english) + _marker(number)
        cite = f" ({cite})" if prepared.english else f"（{cite}）"
        yield f"{rank}. {what}{cite}\n   {t['step_where']}{where}\n"
    yield "\n"


def _article(cited: Cited, number: int, english: bool) -> str:
    article = cited.article
    head = f"**[{number + 1}] [{_title(article, english)}]({article.url})**"
    label = _label(cited, english)
    head += (label if english else f" {label}") if label else ""
    text = cited.paragraph.text if cited.paragraph else article.content
    parts = [head]
    if english:
        translated = _paragraph_en(cited)
        if translated:
            parts.append(_quote(translated) + _english_note(article))
    parts.append(_quote(text))
    return "\n\n".join(parts) + "\n\n"


def answer_text(prepared: PreparedAnswer) -> str:
    """The whole answer at once (tests, and anything that needs no pacing)."""
    return "".join(answer_blocks(prepared))


def answer_blocks(prepared: PreparedAnswer) -> Iterator[str]:
    """The answer's Markdown: the direct answer, the next steps, the calculation, then the
    articles not quoted yet, each in the paragraph that matters, numbered as `citations`."""
    t = EN if prepared.english else ZH
    plan, english = prepared.plan, prepared.english
    yield _lead(prepared) + "\n\n"
    if plan.cited:
        for line in prepared.result.missing:
            yield (f"{line}." if english else f"{line}。") + "\n\n"
    yield from _steps(prepared)
    calculations = prepared.calculations
    if calculations:
        yield t["calculation"] + "\n\n"
        if any(calc.result for calc in calculations):
            yield t["calculation_intro"] + "\n\n"
        for calc in calculations:
            yield calc.markdown() + "\n"
    if not plan.cited:
        yield t["disclaimer"]
        return
    quoted = {number for _, number in plan.steps}
    lead = plan.cited[plan.lead[0]]
    if not any(calc.value is not None for calc in calculations) and _lead_quotes_all(lead):
        quoted.add(plan.lead[0])
    rest = [(n, cited) for n, cited in enumerate(plan.cited) if n not in quoted]
    if rest:
        yield t["heading"] + "\n\n"
        for number, cited in rest:
            yield _article(cited, number, english)
    computed = any(calc.value is not None for calc in calculations)
    notes = [t["note_order"]]
    if english:
        notes.append(t["note_law"])
    if not computed:
        notes.append(t["note_detail"])
    yield t["notes"] + "\n\n" + "\n".join(notes) + "\n\n"
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
