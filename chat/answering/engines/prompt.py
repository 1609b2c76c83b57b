"""What an upstream LLM is sent: a system prompt holding the retrieved articles and the rules of
answering, then the conversation trimmed to the context budget."""

from collections.abc import Sequence

from chat.answering.turns import INSTRUCTION_ROLES, Turn, alternating, question_of
from labour import Calculation
from laws.search import Hit, SearchResult
from laws.text import count_tokens, is_english

ARTICLE_LIMIT = 1500  # characters of one article in the prompt; the official page has the rest

RULES = """你是 Lawbot，協助使用者了解臺灣法律的助理。下方【條文】是從全國法規資料庫檢索到、與使用者問題最相關的條文，依相關程度編號。

回答規則：
1. {language}
2. 每一項陳述都必須以【條文】中的條文為依據，並在句末以方括號寫出該條文的編號作為引用標記，例如「雇主應發給資遣費 [n]」，n 就是【條文】中該條前面的編號。提到條號時寫明法規名稱，例如「依勞動基準法第 17 條 [n]」。只能引用【條文】列出的條文與編號，不要憑記憶補充條文內容或數字；Lawbot 會逐一查核引用，無法核對的引用會被標示給使用者。
3. 如果這些條文不足以回答問題，請直接說明哪些部分無法從條文確定，並指出還需要哪些事實或應洽詢哪個主管機關。
4. 回答的最後一行必須是這句提醒：{reminder}"""
LANGUAGE_ZH = (
    "使用繁體中文（臺灣用語）回答，不要使用簡體字；如果使用者用其他語言提問，就用該語言回答。"
)
LANGUAGE_EN = "The user wrote in English: answer in English, giving each law's Chinese name the first time you cite it, and cite with the same [n] markers."
REMINDER_ZH = "以上為法律資訊，不構成法律意見；具體個案請諮詢律師或主管機關。"
REMINDER_EN = "This is legal information, not legal advice; for your own case consult a lawyer or the competent authority."
NO_ARTICLES = "（資料庫中找不到與問題直接相關的條文。請據實告訴使用者找不到依據，不要憑記憶回答。）"
FACTS_HEADING = "【計算結果】以下數字由 Lawbot 依條文精確計算，請直接採用並說明算式，不要自行重算："


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


def _turns(turns: Sequence[Turn], budget: int) -> list[dict]:
    """The newest dialogue turns that fit in `budget` tokens, alternating and starting with the
    user; the question always."""
    dialogue = alternating(turns)
    last_user = max((i for i, t in enumerate(dialogue) if t.role == "user"), default=0)
    kept = dialogue[last_user:]
    used = sum(count_tokens(t.content) for t in kept)
    for turn in reversed(dialogue[:last_user]):
        used += count_tokens(turn.content)
        if used > budget:
            break
        kept.insert(0, turn)
    while kept and kept[0].role == "assistant":  # chat templates want the user to speak first
        kept.pop(0)
    return [{"role": t.role, "content": t.content} for t in kept]


def _with_tools(turns: Sequence[Turn]) -> list[dict]:
    """A dialogue in which the caller's functions were called: sent in order and whole, since
    each tool result must follow the call it answers (agent frameworks keep their own context)."""
    messages = []
    for turn in turns:
        if turn.role in INSTRUCTION_ROLES:
            continue
        message: dict = {"role": turn.role, "content": turn.content}
        if turn.tool_calls:
            message["tool_calls"] = list(turn.tool_calls)
            message["content"] = turn.content or None
        if turn.role == "tool":
            message["tool_call_id"] = turn.tool_call_id
        messages.append(message)
    return messages


def prompt_messages(
    turns: Sequence[Turn],
    result: SearchResult,
    *,
    budget: int,
    calculations: Sequence[Calculation] = (),
) -> list[dict]:
    """The messages for the upstream: the system prompt first, within `budget` tokens overall
    (by Lawbot's count) — fewer articles before fewer turns, but always one article and the
    question."""
    question = question_of(turns)
    english = is_english(question)
    instructions = [t.content for t in turns if t.role in INSTRUCTION_ROLES]
    facts = [calculation.facts() for calculation in calculations]
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
    if any(t.tool_calls or t.role == "tool" for t in turns):
        return [{"role": "system", "content": system}, *_with_tools(turns)]
    return [{"role": "system", "content": system}, *_turns(turns, room)]
