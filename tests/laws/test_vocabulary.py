import re

from laws.aliases import ALIASES, ENGLISH_ALIASES
from laws.english import english_terms, glossary_key
from laws.vocabulary import COLLOQUIAL, ENGLISH, LEXICON, TOPIC_LAWS

PCODE = re.compile(r"^[A-Z]\d{7}$")


def _words(name: str) -> list[str]:
    lines = (LEXICON / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]


def test_every_word_is_listed_once():
    for name in ("colloquial.tsv", "english.tsv"):
        words = _words(name)
        assert len(words) == len(set(words)), [w for w in words if words.count(w) > 1]


def test_tables_hold_law_codes_and_chinese_words():
    assert all(PCODE.match(code) for codes in TOPIC_LAWS.values() for code in codes)
    assert all(PCODE.match(code) for code in [*ALIASES.values(), *ENGLISH_ALIASES.values()])
    cjk = re.compile(r"[\u3400-\u9fff]")
    assert all(cjk.search(words) for words in [*COLLOQUIAL.values(), *ENGLISH.values()])
    assert all(word == word.lower() for word in ENGLISH)


def test_everyday_words_map_to_the_statutes_words():
    assert "雇主" in COLLOQUIAL["老闆"]
    assert "延長工作時間" in COLLOQUIAL["加班"]
    assert "特別休假" in COLLOQUIAL["特休"]
    assert "資遣" in COLLOQUIAL["被裁員"]
    assert TOPIC_LAWS["特休"] == ("N0030001",)


def test_english_phrases_become_chinese_words_longest_first():
    assert "資遣費" in english_terms("How much severance pay do I get?")
    assert "特別休假" in english_terms("annual leave")
    # "minimum wage" is one phrase, not "wage" on its own
    assert english_terms("What is the minimum wage?") == "最低工資"
    assert english_terms("Labour day") == ""


def test_english_endings_are_folded_on_both_sides():
    assert glossary_key("Divorces") == glossary_key("divorce")
    assert glossary_key("threatened") == glossary_key("threaten")
    assert "離婚" in english_terms("How is property divided when a couple divorces?")
    assert glossary_key("business") == "business"
