"""Ranking behaviour that needs its own small corpus: near-copies across laws, a law found from
its own words, regulations below acts."""

import pytest

from laws.importer import laws_import
from laws.index import index_build
from laws.search import search
from tests.corpus import article, law, write_zip

pytestmark = pytest.mark.django_db

# Paraphrased test texts, not statute text.
DEPOSIT = "押金之金額不得超過二個月之租金總額，租約消滅時出租人應返還押金。"
RENTAL = law(
    "D0060125",
    "租賃住宅市場發展及管理條例",
    [article("7", DEPOSIT), article("8", "出租人應負責修繕租賃住宅。")],
    english="Rental Housing Market Development and Regulation Act",
)
RENTAL_COPY = law(
    "Z0000002",
    "某市租賃住宅押金管理自治條例",
    [article("3", DEPOSIT + "。")],
    level="命令",
)
COPYRIGHT = law(
    "J0070017",
    "著作權法",
    [
        article("52", "為報導、評論、教學或研究之必要，在合理範圍內得引用已公開發表之著作。"),
        article("65", "著作之合理使用，不構成著作財產權之侵害。"),
    ],
    english="Copyright Act",
)
SCHOOL = law(
    "Z0000003",
    "某大學學生報告評分要點",
    [article("2", "學生報告引用他人文章應註明出處，評論研究報告應於期限內繳交。")],
    level="命令",
)


@pytest.fixture
def small_corpus(tmp_path, settings):
    acts = write_zip(tmp_path / "ChLaw.json.zip", [RENTAL, COPYRIGHT])
    orders = write_zip(tmp_path / "ChOrder.json.zip", [RENTAL_COPY, SCHOOL], inner="ChOrder.json")
    laws_import(sources=[str(acts), str(orders)])
    index_build(directory=settings.LAWBOT_INDEX_DIR)


def titles(query: str, **kwargs) -> list[str]:
    return [hit.article.title for hit in search(query, **kwargs).hits]


def test_near_identical_articles_in_two_laws_are_shown_once(small_corpus):
    found = titles("押金最多可以收幾個月")
    assert found[0] == "租賃住宅市場發展及管理條例 第 7 條"
    assert "某市租賃住宅押金管理自治條例 第 3 條" not in found
    # the bare baseline shows both copies
    plain = titles("押金最多可以收幾個月", plain=True)
    assert "某市租賃住宅押金管理自治條例 第 3 條" in plain


def test_a_law_is_recognised_from_its_own_words(small_corpus):
    found = titles("寫報告引用別人的文章，有著作權的問題嗎")
    assert found[0] == "著作權法 第 52 條"


def test_english_question_reaches_the_same_article(small_corpus):
    assert titles("How much deposit can my landlord ask for?")[0] == (
        "租賃住宅市場發展及管理條例 第 7 條"
    )
