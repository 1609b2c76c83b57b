"""The REST resources over the corpus and the calculators: thin DRF views (validate, call one
function of laws/ or labour/, serialise). Key, limits, log and errors: chat.api.rest.base."""

from rest_framework.response import Response

from chat.api.contract import json_object
from chat.api.endpoint import request_body
from chat.api.errors import ApiError, invalid
from chat.api.rest import serializers as s
from chat.api.rest.base import LawbotApiView
from chat.api.rest.calculation_adapter import (
    CalculationRefused,
    calculation_json,
    calculations_run,
)
from chat.api.rest.pagination import ListCursor
from laws.lookup import CitationNotFound, citation_resolve, laws_matching
from laws.models import Article, Law
from laws.search import Hit, search
from laws.structure import Paragraph, paragraphs
from laws.text import bigram_keys


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PagedView(LawbotApiView):
    pagination = ListCursor

    def page(self, request, queryset, ordering: tuple[str, ...], serializer_class) -> Response:
        validated(s.PageQuery, request.query_params)
        paginator = self.pagination()
        paginator.ordering = ordering
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer_class(rows, many=True).data)


class LawList(PagedView):
    def get(self, request):
        query = validated(s.LawQuery, request.query_params)
        laws = laws_matching(
            q=query.get("q", ""), level=query.get("level", ""), in_force=query.get("in_force")
        )
        return self.page(request, laws, ("pcode",), s.LawOut)


def law_or_404(pcode: str) -> Law:
    law = Law.objects.filter(pcode=pcode).first()
    if law is None:
        raise ApiError(404, f"No law has the code '{pcode[:40]}'.", param="pcode", code="not_found")
    return law


class LawDetail(LawbotApiView):
    def get(self, request, pcode: str):
        return Response(s.LawDetailOut(law_or_404(pcode)).data)


class ArticleList(PagedView):
    def get(self, request, pcode: str):
        law = law_or_404(pcode)
        articles = Article.objects.filter(law=law).select_related("law")
        return self.page(request, articles, ("position",), s.ArticleOut)


class ArticleDetail(LawbotApiView):
    def get(self, request, pcode: str, number: str):
        law = law_or_404(pcode)
        article = Article.objects.filter(law=law, number=number).select_related("law").first()
        if article is None:
            raise ApiError(
                404, f"{law.name} has no article {number[:20]}.", param="number", code="not_found"
            )
        return Response(s.ArticleOut(article).data)


class CitationResolve(LawbotApiView):
    def get(self, request):
        cite = validated(s.ResolveQuery, request.query_params)["cite"]
        try:
            found = citation_resolve(cite)
        except CitationNotFound as exc:
            raise ApiError(404, str(exc), param="cite", code="not_found") from exc
        return Response(
            {
                "object": "citation",
                "cite": cite,
                "paragraph": found.paragraph,
                "subparagraph": found.subparagraph,
                "text": found.text,
                "url": found.article.url,
                "article": s.ArticleOut(found.article).data,
            }
        )


def best_paragraph(query: str, content: str) -> Paragraph | None:
    """The paragraph sharing the most character bigrams with the query."""
    parts = paragraphs(content)
    if not parts:
        return None
    wanted = set(bigram_keys(query).tolist())
    return max(parts, key=lambda p: len(wanted & set(bigram_keys(p.full_text).tolist())))


def hit_json(query: str, hit: Hit) -> dict:
    paragraph = best_paragraph(query, hit.article.content)
    return {
        "score": None if hit.score == float("inf") else round(hit.score, 4),
        "reason": hit.reason,
        "paragraph": s.ParagraphOut(paragraph).data if paragraph else None,
        "article": s.ArticleOut(hit.article).data,
    }


class Search(LawbotApiView):
    def get(self, request):
        query = validated(s.SearchQuery, request.query_params)
        result = search(query["q"], limit=query["limit"])
        return Response(
            {
                "object": "list",
                "data": [hit_json(query["q"], hit) for hit in result.hits],
                "missing": result.missing,
            }
        )


class Calculations(LawbotApiView):
    def post(self, request):
        raw = request_body(request._request)
        data = validated(s.CalculationInput, json_object(raw, request.content_type or ""))
        try:
            found = calculations_run(data)
        except CalculationRefused as exc:
            raise invalid(exc.message, param=exc.param) from exc
        return Response({"object": "list", "data": [calculation_json(c) for c in found]})
