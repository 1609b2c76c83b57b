"""What an upstream LLM is sent: a system prompt holding the retrieved articles and the rules of
answering, then the conversation trimmed to the context budget."""

import logging
from collections.abc import Sequence

from chat.validation import Message
from laws.search import Hit, SearchResult
from laws.text import count_tokens, is_english

ARTICLE_LIMIT = 1500  # characters of one article in the prompt; the official page has the rest
logger = logging.getLogger(__name__)

RULES = """你是 Lawbot，協助使用者了解臺灣法律的助理。下方【條文】是從全國法規資料庫檢索到、與使用者問題最相關的條文，依相關程度編號。

回答規則：
1. {language}
2. 每一項陳述都必須以【條文】中的條文為依據，並標明出處，例如「依勞動基準法第 17 條」。不要引用未列出的條文，也不要憑記憶補充條文內容或數字。
3. 如果這些條文不足以回答問題，請直接說明哪些部分無法從條文確定，並指出還需要哪些事實或應洽詢哪個主管機關。
4. 回答的最後一行必須是這句提醒：{reminder}"""
LANGUAGE_ZH = (
    "使用繁體中文（臺灣用語）回答，不要使用簡體字；如果使用者用其他語言提問，就用該語言回答。"
)
LANGUAGE_EN = "The user wrote in English: answer in English, giving each law's Chinese name the first time you cite it."
REMINDER_ZH = "以上為法律資訊，不構成法律意見；具體個案請諮詢律師或主管機關。"
REMINDER_EN = "This is legal information, not legal advice; for your own case consult a lawyer or the competent authority."
NO_ARTICLES = "（資料庫中找不到與問題直接相關的條文。請據實告訴使用者找不到依據，不要憑記憶回答。）"
FACTS_HEADING = "【計算結果】以下數字由 Lawbot 依條文精確計算，請直接採用並說明算式，不要自行重算："


def calculation_facts(question: str, *, english: bool) -> list[str]:
    """The hook for exact arithmetic (severance, leave, overtime…): facts the model must use.

    `chat.calculators` is optional; without it the prompt simply carries no facts."""
    try:
        from chat.calculators import calculate
    except ImportError:
        return []
    try:
        return [calculation.facts() for calculation in calculate(question, english=english)]
    except Exception:
        # A calculator bug must not cost the user the answer; the articles still stand.
        logger.exception("calculators failed on the question")
        return []


def _article(rank: int, hit: Hit) -> str:
    article = hit.article
    heading = f"[{rank}] {article.law.name} 第 {article.number} 條"
    if article.chapter:
        heading += f"（{article.chapter}）"
    text = article.content
    if len(text) > ARTICLE_LIMIT:
        text = text[:ARTICLE_LIMIT].rstrip() + f"…（全文：{article.url}）"
    return f"{heading}\n{text}"


def system_prompt(
    hits: Sequence[Hit],
    *,
    english: bool,
    missing: Sequence[str] = (),
    facts: Sequence[str] = (),
    instructions: Sequence[str] = (),
) -> str:
    parts = [
        RULES.format(
            language=LANGUAGE_EN if english else LANGUAGE_ZH,
            reminder=REMINDER_EN if english else REMINDER_ZH,
        ),
        "【條文】\n"
        + ("\n\n".join(_article(i, hit) for i, hit in enumerate(hits, 1)) or NO_ARTICLES),
    ]
    if missing:
        parts.append("【注意】\n" + "\n".join(f"{line}。" for line in missing))
    if facts:
        parts.append(FACTS_HEADING + "\n" + "\n".join(f"- {fact}" for fact in facts))
    if instructions:
        # The caller's own system/developer messages, merged here because many chat templates
        # accept one system message only, and only at the start.
        parts.append("【其他指示】\n" + "\n\n".join(instructions))
    return "\n\n".join(parts)


def _turns(messages: Sequence[Message], budget: int) -> list[dict]:
    """The newest user/assistant turns that fit in `budget` tokens; the last question always."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    last_user = max(i for i, m in enumerate(turns) if m.role == "user")
    kept = turns[last_user:]
    used = sum(count_tokens(m.content) for m in kept)
    for message in reversed(turns[:last_user]):
        used += count_tokens(message.content)
        if used > budget:
            break
        kept.insert(0, message)
    while kept[0].role == "assistant":  # chat templates want the user to speak first
        kept.pop(0)
    return [{"role": m.role, "content": m.content} for m in kept]


def prompt_messages(
    messages: Sequence[Message],
    result: SearchResult,
    *,
    budget: int,
    calculations: Sequence | None = None,
) -> list[dict]:
    """The messages for the upstream: the system prompt first, within `budget` tokens overall
    (by Lawbot's count) — fewer articles before fewer turns, but always one article and the
    question."""
    question = next(m.content for m in reversed(messages) if m.role == "user")
    english = is_english(question)
    instructions = [m.content for m in messages if m.role in ("system", "developer")]
    facts = (
        calculation_facts(question, english=english)
        if calculations is None
        else [calculation.facts() for calculation in calculations]
    )
    hits = list(result.hits)
    question_tokens = count_tokens(question)
    while True:
        system = system_prompt(
            hits, english=english, missing=result.missing, facts=facts, instructions=instructions
        )
        room = budget - count_tokens(system)
        if room >= question_tokens or len(hits) <= 1:
            break
        hits.pop()
    return [{"role": "system", "content": system}, *_turns(messages, room)]
