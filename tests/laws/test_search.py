import json

import pytest
from django.core.management import call_command

from laws.index import IndexMissing, SearchIndex
from laws.search import search

pytestmark = pytest.mark.django_db


def titles(result) -> list[str]:
    return [hit.article.title for hit in result.hits]


def test_explicit_citation_resolves_directly(corpus):
    result = search("勞基法第17條")
    assert titles(result)[0] == "勞動基準法 第 17 條"
    assert result.hits[0].reason == "citation"


def test_missing_article_gets_an_honest_answer(corpus):
    result = search("勞動基準法第999條")
    assert result.missing == ["勞動基準法沒有第 999 條"]
    assert all(hit.reason != "citation" for hit in result.hits)


def test_seed_question_finds_both_severance_articles(corpus):
    found = titles(search("請說明勞動基準法中的資遣費計算方式", limit=5))
    assert "勞動基準法 第 17 條" in found
    assert "勞工退休金條例 第 12 條" in found


def test_everyday_words_reach_statutory_terms(corpus):
    assert titles(search("特休有幾天"))[0] == "勞動基準法 第 38 條"


def test_acts_rank_above_their_regulations(corpus):
    found = titles(search("資遣費的計算", limit=10))
    assert found.index("勞動基準法 第 17 條") < found.index("勞動基準法施行細則 第 7 條")


def test_abolished_laws_and_repealed_articles_are_not_retrieved(corpus):
    found = titles(search("資遣費舊制度 刪除", limit=20))
    assert not any("已廢止" in title for title in found)
    assert "勞動基準法 第 39 條" not in found


def test_search_laws_command_prints_scores(corpus, capsys):
    call_command("search_laws", "資遣費")
    out = capsys.readouterr().out
    assert "勞動基準法 第 17 條 [N0030001]" in out
    assert out.splitlines()[0].startswith("1.")


def test_an_index_of_an_older_format_counts_as_missing(corpus, settings):
    meta_path = settings.LAWBOT_INDEX_DIR / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "format": 0}))
    with pytest.raises(IndexMissing, match="outdated"):
        SearchIndex(settings.LAWBOT_INDEX_DIR)


def test_english_question_finds_the_chinese_articles(corpus):
    found = titles(search("How much severance pay do I get if I am laid off?"))
    assert found[0] == "勞動基準法 第 17 條"
    assert "勞工退休金條例 第 12 條" in found


def test_english_citation_resolves_directly(corpus):
    result = search("What does Article 38 of the Labor Standards Act say?")
    assert titles(result)[0] == "勞動基準法 第 38 條"
    assert result.hits[0].reason == "citation"


def test_several_citations_keep_their_order(corpus):
    found = titles(search("勞基法第 38 條、第 17 條與勞退條例第十二條"))
    assert found[:3] == ["勞動基準法 第 38 條", "勞動基準法 第 17 條", "勞工退休金條例 第 12 條"]


def test_follow_up_question_uses_the_earlier_turn(corpus):
    alone = titles(search("那如果是工作很多年的呢？"))
    followed = titles(search("那如果是工作很多年的呢？", history=["資遣費怎麼算"]))
    assert "勞動基準法 第 17 條" not in alone[:2]
    assert followed[0] == "勞動基準法 第 17 條"


def test_a_question_about_its_own_topic_ignores_history(corpus):
    found = titles(search("特休有幾天", history=["資遣費怎麼算"]))
    assert found[0] == "勞動基準法 第 38 條"


def test_plain_baseline_is_bare_bm25(corpus):
    result = search("勞基法第17條", plain=True)
    assert all(hit.reason == "text" for hit in result.hits)
    assert not result.missing


def test_english_words_the_glossary_lacks_retrieve_nothing_rather_than_noise(corpus):
    assert search("hello there, general kenobi").hits == []


def test_a_pasted_document_is_read_only_as_far_as_a_question_goes(corpus):
    result = search("勞基法第17條" + "資遣費" * 5000)
    assert titles(result)[0] == "勞動基準法 第 17 條"


def test_an_article_cited_alone_belongs_to_the_law_of_the_earlier_turn(corpus):
    result = search("那第38條呢？", history=["勞基法第17條在說什麼"])
    assert titles(result)[0] == "勞動基準法 第 38 條"
    assert result.hits[0].reason == "citation"
    assert search("那第38條呢？").hits[:1] != result.hits[:1]
