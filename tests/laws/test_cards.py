"""Article cards: everyday and English words for an article lift it for questions that share no
word with its text."""

import pytest

from laws import cards as cards_module
from laws.cards import Card, CardError, CardIndex, cards_load, english_words
from laws.importer import laws_import
from laws.index import index_build
from laws.search import search
from tests.corpus import article, law, write_zip

# Paraphrased test texts, not statute text.
HARASSMENT = law(
    "D0050074",
    "性騷擾防治法",
    [
        article("2", "本法所稱性騷擾，指違反他人意願而對他人實施與性有關之行為。"),
        article("25", "意圖性騷擾，乘人不及抗拒而為親吻、擁抱或觸摸其身體隱私處者，處罰之。"),
    ],
    english="Sexual Harassment Prevention Act",
)
METRO = law(
    "K0100001",
    "大眾捷運法",
    [article("50", "旅客於捷運車廂內不得飲食，違者處罰鍰。")],
    english="Mass Rapid Transit Act",
)
TRAFFIC = law(
    "K0040012",
    "道路交通管理處罰條例",
    [article("56", "汽車駕駛人於禁止臨時停車處所停車者，處新臺幣罰鍰。")],
    english="Road Traffic Management and Penalty Act",
)
TEST_CARDS = [
    Card("D0050074:25", ("摸屁股", "被摸", "襲胸", "偷摸"), ("groped", "touched my body")),
    Card("K0040012:56", ("違規停車", "騎樓停車", "停車被開單"), ("parking ticket",)),
    Card("Z9999999:1", ("不存在的法",), ("no such law",)),  # not in this corpus: ignored
]


@pytest.fixture
def carded_corpus(tmp_path, settings, monkeypatch):
    laws_import(sources=[str(write_zip(tmp_path / "ChLaw.json.zip", [METRO, HARASSMENT, TRAFFIC]))])
    index_build(directory=settings.LAWBOT_INDEX_DIR)
    monkeypatch.setattr(cards_module, "_loaded", CardIndex(TEST_CARDS))


def titles(query: str, **kwargs) -> list[str]:
    return [hit.article.title for hit in search(query, **kwargs).hits]


@pytest.mark.django_db
def test_a_card_finds_the_article_its_everyday_words_are_about(carded_corpus):
    assert titles("在捷運上被陌生人摸屁股")[0] == "性騷擾防治法 第 25 條"
    assert titles("機車停在騎樓被開單")[0] == "道路交通管理處罰條例 第 56 條"


@pytest.mark.django_db
def test_the_best_matching_card_leads_even_when_other_words_match_another_law(carded_corpus):
    found = titles("在捷運車廂內被摸屁股")
    assert found[:2] == ["性騷擾防治法 第 25 條", "大眾捷運法 第 50 條"]


@pytest.mark.django_db
def test_a_card_finds_the_article_for_an_english_question(carded_corpus):
    assert titles("A stranger groped me on the MRT")[0] == "性騷擾防治法 第 25 條"
    assert titles("I got a parking ticket")[0] == "道路交通管理處罰條例 第 56 條"


@pytest.mark.django_db
def test_without_its_card_the_everyday_question_misses(carded_corpus, monkeypatch):
    monkeypatch.setattr(cards_module, "_loaded", CardIndex([]))
    assert "性騷擾防治法 第 25 條" not in titles("在捷運上被陌生人摸屁股")


@pytest.mark.django_db
def test_a_follow_up_leans_on_the_cards_of_the_turn_before(carded_corpus):
    found = titles("那罰多少？", history=["機車停在騎樓被開單"])
    assert found[0] == "道路交通管理處罰條例 第 56 條"


@pytest.mark.django_db
def test_a_question_no_card_is_about_gets_no_card_article(carded_corpus):
    assert "性騷擾防治法 第 25 條" not in titles("停車")


def test_card_scores_rank_the_card_that_shares_the_most_words():
    index = CardIndex(TEST_CARDS)
    scores = index.scores("騎樓停車被開單")
    assert scores.argmax() == 1
    assert scores[0] == 0


def test_english_words_are_stemmed_without_stop_words():
    assert english_words("I was groped on the train") == ["grop", "train", "grop train"]


def test_cards_load_reads_every_file_and_rejects_a_malformed_line(tmp_path):
    (tmp_path / "a.tsv").write_text(
        "# article\tChinese\tEnglish\nN0030001:24\t加班費 加班\tovertime pay, overtime\n",
        encoding="utf-8",
    )
    (tmp_path / "b.tsv").write_text("B0000001:1030-1\t分財產\tdivide property\n", encoding="utf-8")
    found = cards_load(tmp_path)
    assert found[0] == Card("N0030001:24", ("加班費", "加班"), ("overtime pay", "overtime"))
    assert found[1].pcode == "B0000001" and found[1].number == "1030-1"

    (tmp_path / "b2.tsv").write_text("N0030001:24\t加班 超時\textra hours\n", encoding="utf-8")
    merged = cards_load(tmp_path)[0]
    assert merged.chinese == ("加班費", "加班", "超時")
    assert merged.english == ("overtime pay", "overtime", "extra hours")

    (tmp_path / "c.tsv").write_text("勞基法24\t加班費\tovertime\n", encoding="utf-8")
    with pytest.raises(CardError, match="c.tsv:1"):
        cards_load(tmp_path)


def test_the_shipped_cards_load():
    cards = cards_load()
    assert len(cards) >= 500
    assert all(card.chinese and card.english for card in cards)


def test_a_whole_two_character_word_is_enough_but_half_of_a_longer_phrase_is_not():
    index = CardIndex([Card("N0030001:38", ("特休",), ()), Card("K0040012:56", ("騎樓停車",), ())])
    scores = index.scores("旺季不准排特休，只能停車")
    assert scores[0] > 0
    assert scores[1] == 0


def test_threads_asking_together_build_the_cards_once(monkeypatch):
    import threading
    import time

    calls = []

    def slow_load():
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while the first builds
        return TEST_CARDS

    monkeypatch.setattr(cards_module, "_loaded", None)
    monkeypatch.setattr(cards_module, "cards_load", slow_load)
    found = []
    threads = [
        threading.Thread(target=lambda: found.append(cards_module.card_index())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(index) for index in found}) == 1


def test_a_word_repeated_across_a_cards_phrases_counts_once():
    index = CardIndex(
        [
            Card("N0030001:18", ("不能領資遣費", "自願離職沒資遣費", "被開除沒資遣費"), ()),
            Card("N0030001:17", ("資遣費", "遣散費", "資遣費怎麼算"), ()),
            Card("N0030001:38", ("特休", "特別休假"), ()),
        ]
    )
    scores = index.scores("資遣費計算方式")
    assert scores[1] > scores[0]
