"""The Ministry's full snapshot (LAWBOT_TEST_CORPUS, imported once in conftest.py): the import's
counts, a re-import that changes nothing, and the seed question."""

from pathlib import Path

import pytest

from laws.importer import laws_import
from laws.models import Article, Law
from laws.search import search
from tests.composed import composed
from tests.integration.conftest import SOURCES

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def titles(query: str, limit: int = 5) -> list[str]:
    return [hit.article.title for hit in search(query, limit=limit).hits]


def test_full_snapshot_answers_the_seed_question(full_corpus):
    assert full_corpus.summary.laws_added == Law.objects.count() == 11547
    assert Article.objects.count() == 218139
    assert Law.objects.filter(abolished=True).count() == 3473

    if any("Eng" in Path(source).name for source in SOURCES):
        assert Law.objects.exclude(url_en="").count() == 3089
        assert Article.objects.exclude(content_en="").count() == 82992
        severance = Article.objects.get(law__pcode="N0030001", number="17")
        assert severance.content_en.startswith("An employer terminating a labor contract")

    again = laws_import(sources=SOURCES)
    assert (again.laws_added, again.laws_changed, again.laws_unchanged) == (0, 0, 11547)

    seed = "請說明勞動基準法中的資遣費計算方式"
    found = titles(seed)
    assert "勞動基準法 第 17 條" in found
    assert "勞工退休金條例 第 12 條" in found
    answer = composed(seed)
    assert "雇主依前條終止勞動契約者，應依下列規定發給勞工資遣費" in answer  # 勞基法 §17, verbatim
    assert "勞動基準法 第 17 條" in answer and "勞工退休金條例 第 12 條" in answer

    assert titles("勞基法第38條")[0] == "勞動基準法 第 38 條"
    assert titles("刑法第185條之3")[0] == "中華民國刑法 第 185-3 條"
    assert titles("民法第 767 條和第 184 條")[:2] == ["民法 第 767 條", "民法 第 184 條"]
    assert search("勞動基準法第999條").missing == ["勞動基準法沒有第 999 條"]
