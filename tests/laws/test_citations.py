import pytest

from laws.citations import LawNameMatcher, article_citations
from laws.text import count_tokens, to_int

LAWS = [
    [1, "N0030001", "勞動基準法", "法律", "Labor Standards Act"],
    [2, "B0000001", "民法", "法律", "Civil Code"],
    [3, "C0000001", "中華民國刑法", "法律", "Criminal Code"],
    [4, "N0030002", "勞動基準法施行細則", "命令", ""],
    [5, "N0030020", "勞工退休金條例", "法律", "Labor Pension Act"],
    [6, "J0070017", "著作權法", "法律", "Copyright Act"],
    [7, "N0030028", "最低工資法（112.12.27制定）", "法律", "Minimum Wage Act"],
]


@pytest.mark.parametrize(
    "numeral, value",
    [
        ("十七", 17),
        ("三十八", 38),
        ("一百八十四", 184),
        ("十", 10),
        ("一○五", 105),
        ("３８", 38),
        ("767", 767),
        ("abc", None),
    ],
)
def test_numerals(numeral, value):
    assert to_int(numeral) == value


def cite(text: str) -> list[tuple[int | None, str]]:
    matcher = LawNameMatcher(LAWS)
    return [(c.law_id, c.number) for c in article_citations(text, matcher.mentions(text))]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("勞基法第38條", [(1, "38")]),
        ("勞動基準法第三十八條", [(1, "38")]),
        ("勞基法第 10-1 條", [(1, "10-1")]),
        ("勞基法第十條之一", [(1, "10-1")]),
        ("民法第184條第1項", [(2, "184")]),
        ("刑法第185條之3", [(3, "185-3")]),
        ("勞基法§17", [(1, "17")]),
        ("民法第 767 條和第 184 條", [(2, "767"), (2, "184")]),
        ("勞基法第17條與勞退條例第12條", [(1, "17"), (5, "12")]),
        ("勞動基準法施行細則第7條", [(4, "7")]),
        ("第17條", [(None, "17")]),
        ("勞基法第３８條", [(1, "38")]),
        ("民法第一百八十四條之一", [(2, "184-1")]),
        ("勞基法第38條、第39條及第40條", [(1, "38"), (1, "39"), (1, "40")]),
        ("勞動基準法 § 17-1", [(1, "17-1")]),
        ("刑法第271條和民法第184條", [(3, "271"), (2, "184")]),
        ("勞退條例第12條", [(5, "12")]),
        ("最低工資法第5條", [(7, "5")]),
        ("Article 38 of the Labor Standards Act", [(1, "38")]),
        ("article 17 of the Labour Standards Act", [(1, "17")]),
        ("Labor Standards Act Article 17", [(1, "17")]),
        ("Art. 184 of the Civil Code", [(2, "184")]),
        ("Article 185-3 of the Criminal Code", [(3, "185-3")]),
    ],
)
def test_citation_forms(text, expected):
    assert cite(text) == expected


def test_longest_law_name_wins():
    matcher = LawNameMatcher(LAWS)
    assert [m.law_id for m in matcher.mentions("勞動基準法施行細則與勞動基準法")] == [4, 1]


def test_token_count_is_documented_rule():
    assert count_tokens("勞基法 article 17 條") == 6
    assert count_tokens("") == 0


def test_english_law_names_are_found():
    matcher = LawNameMatcher(LAWS)
    found = matcher.mentions("What does the Labor Pension Act say? And the criminal code?")
    assert [m.law_id for m in found] == [5, 3]


def test_a_laws_own_words_point_to_it_without_naming_it():
    matcher = LawNameMatcher(LAWS)
    assert matcher.topics("別人的文章有著作權嗎") == {6}
    assert matcher.topics("民事的問題") == set()  # 民 alone is too short to tell


def test_an_unknown_law_before_an_article_leaves_it_unattached():
    assert cite("第5條") == [(None, "5")]
