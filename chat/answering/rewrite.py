"""With an upstream LLM: one short call that rewrites the question into the statutes' vocabulary
and the laws it is probably about, before retrieval. The asker's words ("my boss fired me over
LINE") rarely meet the statute's (雇主 終止勞動契約); a model that knows both bridges them for
phrasing no word table or card foresaw.

Bounded: the call gets LAWBOT_LLM_REWRITE_SECONDS and is skipped after it (retrieval then uses the
question alone), its failures are never the answer's, and each rewrite is cached per question.
Article numbers the model names are dropped: citations come from retrieval, not its memory."""

import asyncio
import hashlib
import logging
import re
from collections.abc import Sequence

import httpx
from django.conf import settings
from django.core.cache import cache

from chat.answering.engines.upstream_http import UpstreamReported, sse_objects, upstream_post
from chat.answering.errors import AnswerError

logger = logging.getLogger(__name__)
PROMPT = (
    "把使用者的法律問題改寫成臺灣法規條文會用的詞語，並列出最可能適用的法規名稱（例如："
    "勞動基準法、民法、中華民國刑法、消費者保護法）。只輸出一行關鍵詞與法規名稱，以空白分隔，"
    "不要寫條號，不要回答問題。Rewrite the user's legal question into the words Taiwan's statutes "
    "use (in Traditional Chinese) plus the names of the laws most likely to apply; one line of "
    "keywords and law names only, no article numbers, no answer."
)
ARTICLE_RE = re.compile(
    r"第\s*[\d〇零一二三四五六七八九十百千]+\s*條(?:\s*之\s*[\d一二三四五六七八九十]+)?|§\s*\d+"
)
MAX_CHARS = 300  # of the rewrite kept: a model that starts answering is cut short
MAX_TOKENS = 120
CACHE_SECONDS = 24 * 3600


def _cache_key(question: str, earlier: Sequence[str]) -> str:
    digest = hashlib.sha256("\x1e".join([settings.LAWBOT_LLM_MODEL, *earlier, question]).encode())
    return f"lawbot:rewrite:{digest.hexdigest()}"


def _cleaned(text: str) -> str:
    return " ".join(ARTICLE_RE.sub(" ", text).split())[:MAX_CHARS]


async def _ask(question: str, earlier: Sequence[str]) -> str:
    context = "\n".join(f"（先前的問題）{turn}" for turn in earlier[-2:])
    response = await upstream_post(
        {
            "model": settings.LAWBOT_LLM_MODEL,
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": f"{context}\n{question}".strip()},
            ],
            "max_tokens": MAX_TOKENS,
            "temperature": 0,
            "stream": True,
        }
    )
    pieces: list[str] = []
    try:
        async for chunk in sse_objects(response):
            for choice in chunk.get("choices") or ():
                content = (choice.get("delta") or {}).get("content")
                if isinstance(content, str):
                    pieces.append(content)
            if sum(map(len, pieces)) > MAX_CHARS:
                break
    finally:
        await response.aclose()
    return _cleaned("".join(pieces))


async def question_rewrite(question: str, earlier: Sequence[str] = ()) -> str:
    """The statute's words for `question`, or "" when the rewrite is off, slow or failed."""
    budget = settings.LAWBOT_LLM_REWRITE_SECONDS
    if budget <= 0 or not question.strip():
        return ""
    key = _cache_key(question, earlier)
    try:
        cached = await cache.aget(key)
    except Exception:  # the cache is a helper: its outage costs a rewrite, not the answer
        cached = None
    if cached is not None:
        return cached
    try:
        rewrite = await asyncio.wait_for(_ask(question, earlier), timeout=budget)
    except TimeoutError:
        logger.info("question rewrite skipped: no answer within %.1f s", budget)
        return ""
    except (
        AnswerError,
        httpx.HTTPError,
        UpstreamReported,
        ValueError,
        TypeError,
        AttributeError,
    ) as error:
        logger.warning("question rewrite failed: %r", error)
        return ""
    try:
        await cache.aset(key, rewrite, CACHE_SECONDS)
    except Exception:
        logger.warning("question rewrite not cached (cache unavailable)")
    return rewrite
