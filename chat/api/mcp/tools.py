"""The MCP tools: what each takes (a JSON Schema) and what it does, over the same functions as the
REST resources (laws.lookup, laws.search, the calculator adapter) and, for ask_lawbot, the one
answer pipeline. Each result carries the official URL of every article it shows."""

from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from rest_framework.exceptions import ValidationError

from chat.answering.catalogue import DEFAULT_MODEL, MODELS
from chat.answering.pipeline import AnswerOptions, answer_aprepare, engine_open
from chat.answering.stopping import Finish
from chat.answering.turns import Turn
from chat.api.rest import serializers as s
from chat.api.rest.calculation_adapter import (
    CalculationRefused,
    calculation_json,
    calculations_run,
)
from chat.api.rest.errors import validation_error
from chat.api.rest.schema import serializer_schema
from chat.api.rest.views import hit_json
from laws.citations import article_citations
from laws.lookup import CitationNotFound, citation_resolve, laws_matching, laws_named
from laws.models import Article, Law
from laws.search import search
from laws.text import count_tokens


class ToolFailed(Exception):
    """A failure the caller (an assistant) should read and act on: bad arguments, nothing found."""


@dataclass
class Usage:
    """What a tool call spent, for the request log: a model and tokens (ask_lawbot only)."""

    model: str = ""
    question: str = ""
    answer: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0


def article_json(article: Article) -> dict:
    return s.ArticleOut(article).data


def _search(arguments: dict) -> dict:
    query = arguments["query"]
    result = search(query, limit=arguments.get("limit", 5))
    return {"results": [hit_json(query, hit) for hit in result.hits], "missing": result.missing}


def _law_named(name: str) -> Law:
    law = laws_named(name).first()
    if law is None:
        matches = list(laws_matching(q=name)[:2])
        if len(matches) != 1:
            raise ToolFailed(
                f"'{name}' names {'no law' if not matches else 'more than one law'}; "
                "give the law's code (N0030001) or its full name (勞動基準法)."
            )
        law = matches[0]
    return law


def _article_number(text: str) -> str:
    """「17」「10-1」「第十條之一」「Article 17」 → "17", "10-1" (as the corpus numbers them)."""
    found = article_citations(text if "條" in text else f"第{text}條", [])
    return found[0].number if found else text


def _get_article(arguments: dict) -> dict:
    law = _law_named(arguments["law"].strip())
    number = _article_number(arguments["article"].strip())
    article = Article.objects.filter(law=law, number=number).select_related("law").first()
    if article is None:
        raise ToolFailed(f"{law.name} ({law.pcode}) has no article {number}.")
    return {"article": article_json(article), "law_url": law.url}


def _resolve(arguments: dict) -> dict:
    try:
        found = citation_resolve(arguments["citation"])
    except CitationNotFound as exc:
        raise ToolFailed(str(exc)) from exc
    return {
        "paragraph": found.paragraph,
        "subparagraph": found.subparagraph,
        "text": found.text,
        "url": found.article.url,
        "article": article_json(found.article),
    }


def _calculate(arguments: dict) -> dict:
    serializer = s.CalculationInput(data=arguments)
    if not serializer.is_valid():
        raise ToolFailed(validation_error(ValidationError(serializer.errors)).message)
    try:
        found = calculations_run(serializer.validated_data)
    except CalculationRefused as exc:
        raise ToolFailed(f"Invalid value for '{exc.param}': {exc.message}") from exc
    return {"calculations": [calculation_json(c) for c in found]}


def _database(work):
    """A tool's reads, on Django's database thread, with a connection that is still good."""

    def run(arguments: dict) -> dict:
        close_old_connections()
        return work(arguments)

    return sync_to_async(run)


async def _ask(arguments: dict, api_key, usage: Usage) -> dict:
    model = arguments.get("model", DEFAULT_MODEL)
    if api_key is not None and not api_key.allows_model(model):
        raise ToolFailed(f"This API key may not use the model '{model}'.")
    question = arguments["question"]
    prepared = await answer_aprepare(turns=[Turn("user", question)], model=model)
    finish = Finish()
    deltas = await engine_open(prepared, AnswerOptions(paced=False), finish)
    text = "".join([piece async for piece in deltas])
    usage.model, usage.question, usage.answer = model, question, text
    usage.prompt_tokens, usage.completion_tokens = count_tokens(question), count_tokens(text)
    if finish.usage:
        usage.prompt_tokens = finish.usage["prompt_tokens"]
        usage.completion_tokens = finish.usage["completion_tokens"]
    return {"answer": text, "model": model, "citations": prepared.citations}


# The pipeline's calculators read numbers in time quadratic in a run of digits (bench/RESULTS.md):
# a question is bounded so one call cannot hold the worker's database thread for long.
QUESTION = {"type": "string", "minLength": 1, "maxLength": 500}
TOOLS: dict[str, dict[str, Any]] = {
    "search_laws": {
        "title": "Search Taiwan's laws",
        "description": "Finds the articles of Taiwan's laws and regulations that answer a question "
        "or match words (Chinese or English), ranked as Lawbot's answers rank them; each with its "
        "law, number, the best-matching paragraph (項), the full text and the official URL.",
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {**QUESTION, "description": "A question or words, e.g. 資遣費怎麼算."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    },
    "get_article": {
        "title": "Get an article",
        "description": "One article of a law, by the law (code N0030001, name 勞動基準法, "
        "abbreviation 勞基法 or English name) and the article number (17, 10-1); with its "
        "paragraphs (項) and subparagraphs (款) and the official URL. `deleted` is true for an "
        "article that reads （刪除）.",
        "input_schema": {
            "type": "object",
            "properties": {
                "law": {"type": "string", "minLength": 1, "maxLength": 200},
                "article": {"type": "string", "minLength": 1, "maxLength": 20},
            },
            "required": ["law", "article"],
            "additionalProperties": False,
        },
    },
    "resolve_citation": {
        "title": "Resolve a citation",
        "description": "The text a citation points at: 勞基法第38條第1項, 民法第184條, "
        "'Article 17 of the Labor Standards Act' → the article, the paragraph (項) or "
        "subparagraph (款) cited, and the official URL.",
        "input_schema": {
            "type": "object",
            "properties": {"citation": {"type": "string", "minLength": 1, "maxLength": 200}},
            "required": ["citation"],
            "additionalProperties": False,
        },
    },
    "calculate": {
        "title": "Labour-law calculators",
        "description": "Computes what Taiwan's labour law prescribes — severance pay (new and "
        "old pension systems), notice period, annual paid leave, overtime pay, average wage — from "
        "numbers (kind + wages, dates, service, hours) or from a question in words; returns the "
        "result, the arithmetic step by step and the articles it rests on, with their URLs.",
        "input_schema": None,  # the REST resource's own input (CalculationInput), filled in below
    },
    "ask_lawbot": {
        "title": "Ask Lawbot",
        "description": "A whole answer to a legal question about Taiwan's law, written from the "
        "retrieved articles (and any calculation the question asks for), with numbered citations "
        "[1], [2] … matching the `citations` list (law, article, text, official URL).",
        "input_schema": {
            "type": "object",
            "properties": {
                "question": QUESTION,
                "model": {"type": "string", "enum": list(MODELS), "default": DEFAULT_MODEL},
            },
            "required": ["question"],
            "additionalProperties": False,
        },
    },
}
TOOLS["calculate"]["input_schema"] = {
    **serializer_schema(s.CalculationInput(), incoming=True),
    "anyOf": [{"required": ["kind"]}, {"required": ["question"]}],
}
RUNNERS = {
    "search_laws": _database(_search),
    "get_article": _database(_get_article),
    "resolve_citation": _database(_resolve),
    "calculate": _database(_calculate),
}


async def tool_run(name: str, arguments: dict, *, api_key=None, usage: Usage | None = None) -> dict:
    """Runs one tool on arguments already checked against its input schema."""
    if name == "ask_lawbot":
        return await _ask(arguments, api_key, usage or Usage())
    return await RUNNERS[name](arguments)
