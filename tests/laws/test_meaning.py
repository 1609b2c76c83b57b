"""The meaning signal: passages, the vector cache, building in the background, and its use in
retrieval (with a tiny fake embedder; the real one is measured by bench/)."""

import copy
import threading
from dataclasses import replace

import numpy as np
import pytest

from laws.card_vectors import (
    card_text,
    card_vectors_build,
    card_vectors_current,
    get_card_vectors,
)
from laws.cards import card_index
from laws.fusion import (
    CARD_MEANING_DEPTH,
    CARD_MEANING_WEIGHT,
    MEANING_WEIGHT,
    SIGNALS,
    Meaning,
    card_lift,
)
from laws.importer import laws_import
from laws.index import get_index, index_build
from laws.meaning import get_meaning, meaning_build, meaning_status, passages
from laws.search import analyse, lexicon, search
from laws.vector_cache import VectorCache, passage_key
from tests import corpus as synthetic

pytestmark = pytest.mark.django_db
WORDS_AND_CARDS = frozenset({"cards", "rerank"})


def keys(result) -> list[str]:
    return [f"{hit.article.law.pcode}:{hit.article.number}" for hit in result.hits]


def test_passages_are_paragraph_windows_led_by_law_and_chapter():
    long = "\n".join(f"{n}、" + "雇主應給付工資" * 8 for n in "一二三四五六")
    found = passages("勞動基準法", "第 三 章 工資", long)
    assert len(found) > 1
    assert all(p.startswith("勞動基準法 第 三 章 工資\n") for p in found)
    assert all(len(p.split("\n", 1)[1]) <= 240 for p in found)
    # Windows are cut between paragraphs, never inside one that fits.
    assert all(line.startswith(tuple("一二三四五六")) for p in found for line in p.split("\n")[1:])
    assert passages("民法", "", "短條文。") == ["民法\n短條文。"]


def test_vector_cache_survives_a_new_process_and_keeps_zero_bytes(tmp_path):
    cache = VectorCache(tmp_path, "fake-1")
    digest = b"\x01" * 15 + b"\x00"  # numpy's bytes strings would drop the trailing zero
    cache.put([digest, passage_key("b")], np.ones((2, 4), dtype=np.float32))
    again = VectorCache(tmp_path, "fake-1")
    assert digest in again and passage_key("b") in again
    assert again.get([digest]).dtype == np.float16
    assert len(VectorCache(tmp_path, "another-model")) == 0


def test_dense_stage_finds_an_article_no_word_matches(corpus, fake_embedder):
    question = "我被阿魯巴了"  # slang no article, card or word table knows
    assert keys(search(question, signals=WORDS_AND_CARDS)) == []
    meaning_build(embedder=fake_embedder, processes=1)
    found = keys(search(question))
    assert found[0] in {"N0030001:16", "N0030001:17"}


def test_cache_skips_unchanged_articles(tmp_path, corpus, fake_embedder, settings):
    first = meaning_build(embedder=fake_embedder, processes=1)
    assert first.embedded == first.passages > 0
    assert first.cards == len({card_text(card) for card in card_index().cards}) > 0
    assert fake_embedder.embedded == first.passages + first.cards
    again = meaning_build(embedder=fake_embedder, processes=1)
    assert again.embedded == again.cards == 0

    civil = copy.deepcopy(synthetic.CIVIL)
    civil["LawArticles"][0]["ArticleContent"] = "因故意或過失侵害他人權利者，應負賠償責任。"
    laws_import(sources=[str(synthetic.write_zip(tmp_path / "newer.zip", [civil]))])
    index_build(directory=settings.LAWBOT_INDEX_DIR)
    assert get_meaning(get_index()) is None  # vectors of an older index are not used
    changed = meaning_build(embedder=fake_embedder, processes=1)
    assert changed.embedded == 1  # 民法 §184 alone
    assert get_meaning(get_index()) is not None


@pytest.mark.django_db(transaction=True)  # the builder's thread reads the corpus too
def test_retrieval_answers_with_words_while_embedding_runs(corpus, fake_embedder):
    fake_embedder.gate = threading.Event()
    builder = threading.Thread(
        target=meaning_build, kwargs={"embedder": fake_embedder, "processes": 1}
    )
    builder.start()
    try:
        assert fake_embedder.started.wait(10)
        status = meaning_status()
        assert status["state"] == "embedding" and status["total"] > 0 and status["done"] == 0
        assert get_meaning(get_index()) is None
        assert keys(search("老闆不給加班費"))[0] == "N0030001:24"  # words and cards
        assert keys(search("我被阿魯巴了")) == []  # no meaning yet
    finally:
        fake_embedder.gate.set()
        builder.join(10)
    assert meaning_status()["state"] == "ready"
    assert keys(search("我被阿魯巴了"))


def test_status_before_anything_is_embedded(corpus, settings):
    assert meaning_status()["state"] == "waiting"
    settings.LAWBOT_MEANING = False
    assert meaning_status() == {"state": "off"}


class StubIndex:
    def __init__(self, near: dict[int, float]):
        self.near = near
        self.meta = {"passages": len(near)}

    def search(self, vector, depth):
        return self.near


def test_fusion_lifts_the_nearest_by_a_share_of_the_best_word_score():
    meaning = Meaning(StubIndex({3: 0.9, 1: 0.7, 2: 0.5}), np.zeros(4, dtype=np.float32))
    words = np.array([10.0, 8.0, 0.0, 0.0, 0.0], dtype=np.float32)
    gain = meaning.fuse(words) - words
    assert gain[3] == pytest.approx(MEANING_WEIGHT * 10.0)  # the nearest: no word matched it
    assert gain[3] > gain[1] > gain[2] == 0.0  # the farthest of the nearest gains nothing
    assert gain[0] == gain[4] == 0.0  # the others keep their word score
    assert {"cards", "meaning", "rerank"} == SIGNALS


def test_card_vectors_find_the_card_no_word_of_the_question_meets(corpus, fake_embedder):
    question = "我想放爽假"  # slang for 特別休假 that no card, article or word table contains
    assert keys(search(question)) == []
    cards = card_index().cards
    assert card_vectors_build(fake_embedder, cards) == len({card_text(c) for c in cards})
    # The passages are not embedded: only the cards' vectors can find 勞基法 §38's card.
    assert get_meaning(get_index()) is None
    assert keys(search(question))[0] == "N0030001:38"
    assert keys(search(question, signals=WORDS_AND_CARDS)) == []  # the meaning signal did it
    assert card_vectors_build(fake_embedder, cards) == 0  # cached: nothing embedded again


def test_a_follow_up_means_what_the_conversation_means(corpus, fake_embedder):
    card_vectors_build(fake_embedder, card_index().cards)
    follow_up = "那如果是這樣呢？"  # about nothing on its own
    assert "N0030001:38" not in keys(search(follow_up))
    assert keys(search(follow_up, history=["我想放爽假"]))[0] == "N0030001:38"


def test_an_edited_card_loses_only_its_own_vector(corpus, fake_embedder):
    cards = card_index().cards
    card_vectors_build(fake_embedder, cards)
    edited = [replace(cards[0], chinese=(*cards[0].chinese, "新說法")), *cards[1:]]
    found = get_card_vectors(edited, fake_embedder.name)
    assert found.missing == 1 and not found.matrix[0].any() and found.matrix[1].any()
    assert card_vectors_current(cards, fake_embedder.name)
    assert not card_vectors_current(edited, fake_embedder.name)
    assert get_card_vectors(cards, "another-model") is None  # another embedder's space


def test_card_lift_counts_only_the_nearest_cards():
    similarities = np.linspace(0.0, 1.0, 200, dtype=np.float32)
    shares = card_lift(similarities) / CARD_MEANING_WEIGHT
    assert shares[-1] == pytest.approx(1.0)
    assert np.count_nonzero(shares) == CARD_MEANING_DEPTH - 1  # the 50th nearest is the floor
    assert shares[-2] > shares[-3] > 0.0 == shares[0]


def test_the_laws_a_question_names_are_not_part_of_its_meaning(corpus, fake_embedder):
    asked = analyse(lexicon(get_index()), "請說明勞動基準法第 17 條中的資遣費計算方式")
    assert "勞動基準法" not in asked.unnamed and "17" not in asked.unnamed
    assert "資遣費計算方式" in asked.unnamed
    card_vectors_build(fake_embedder, card_index().cards)
    embedded = []
    real = fake_embedder.embed
    fake_embedder.embed = lambda texts: (embedded.extend(texts), real(texts))[1]
    search("勞動基準法的放爽假")
    assert embedded == ["的放爽假"]
