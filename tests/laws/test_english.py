"""English questions against the Ministry's English translations: the English word index."""

import pytest

from laws import search as search_module
from laws.importer import laws_import
from laws.index import get_index, index_build
from laws.models import Article
from laws.search import search
from tests import corpus as synthetic

pytestmark = pytest.mark.django_db
QUESTION = "Is what I accrued preserved if I elect the scheme?"  # words of the translation only


@pytest.fixture
def bilingual(tmp_path, corpus_files, settings):
    laws_import(sources=[*corpus_files, synthetic.write_english(tmp_path / "english")])
    index_build(directory=settings.LAWBOT_INDEX_DIR)


def keys(hits) -> list[str]:
    return [f"{hit.article.law.pcode}:{hit.article.number}" for hit in hits]


def test_english_index_reads_the_translations(bilingual):
    index = get_index()
    assert index.english_documents == 5  # 勞基法 §10-1, §17, §38, 勞退條例 §11, 刑法 §185-3
    scores = index.bm25_english("severance payments")
    best = Article.objects.get(pk=int(index.doc_article[int(scores.argmax())]))
    assert (best.law.pcode, best.number) == ("N0030001", "17")
    assert int((scores > 0).sum()) == 1
    assert not index.bm25_english("the shall of").any()  # stop words and statute words


def test_english_question_matches_english_text_no_glossary_word_meets(bilingual):
    assert keys(search(QUESTION, limit=3).hits)[0] == "N0030020:11"


def test_without_the_english_route_the_question_misses(bilingual, monkeypatch):
    monkeypatch.setattr(search_module, "ENGLISH_WEIGHT", 0.0)
    assert "N0030020:11" not in keys(search(QUESTION, limit=3).hits)
