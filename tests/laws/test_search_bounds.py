"""A hostile question (1 MiB, thousands of citations) costs retrieval a bounded amount of work."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laws.index import SearchIndex
from laws.search import MAX_CITED, MAX_QUESTION, clip, search

pytestmark = pytest.mark.django_db


def test_clip_keeps_the_start_and_the_end_of_a_long_question():
    text = "開頭" + "x" * 100_000 + "結尾"
    clipped = clip(text)
    assert len(clipped) <= MAX_QUESTION + 1
    assert clipped.startswith("開頭") and clipped.endswith("結尾")
    assert clip("短") == "短"


def test_thousands_of_citations_cost_at_most_max_cited_lookups(corpus):
    question = "".join(f"勞動基準法第{n}條" for n in range(1, 400))
    with CaptureQueriesContext(connection) as queries:
        result = search(question)
    assert len(queries) <= MAX_CITED + 2
    assert len(result.missing) + len([h for h in result.hits if h.reason == "citation"]) == (
        MAX_CITED
    )


def test_a_megabyte_question_is_scored_on_a_bounded_text(corpus, monkeypatch):
    scored: list[int] = []
    bm25 = SearchIndex.bm25
    monkeypatch.setattr(
        SearchIndex, "bm25", lambda self, text: scored.append(len(text)) or bm25(self, text)
    )
    question = "勞動基準法第17條資遣費" * 30_000
    result = search(question, history=[question] * 3)
    assert scored and max(scored) < 2 * MAX_QUESTION  # the clipped text and its statutory words
    assert result.hits[0].article.title == "勞動基準法 第 17 條"
