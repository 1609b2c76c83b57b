import pytest

from laws.citations import LawNameMatcher, article_citations
from laws.text import count_tokens, to_int

LAWS = [
    [1, "N0030001", "勞動基準法", "法律", "Labor Standards Act"],
    [2, "B0000001", "民法", "法律", "Civil Code"],
    [3, "C0000001", "中華民國刑法", "法律", "Criminal Code"],
    [4, "N0030002", "勞動基準法施行細則", "命令", ""],
    [5, "N0030020", "勞工退休金條例", "法律", ""],
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
