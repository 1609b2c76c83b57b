"""An article's 項 and 款, and the one that matches a question."""

from chat.answering.paragraphs import Paragraph, best_paragraph, english_paragraph, paragraphs

# Paraphrased test text, not statute text.
ARTICLE = (
    "雇主有下列情形之一者，得預告終止契約：\n"
    "一、歇業或轉讓時。\n"
    "二、虧損或業務緊縮時。\n"
    "（一）連續三個月虧損。\n"
    "雇主依前項終止契約者，應發給資遣費。"
)
ENGLISH = (
    "An employer may terminate the contract with notice in any of these cases:\n"
    "1. The business is closed or transferred.\n"
    "2. The business suffers a loss or contracts.\n"
    "(a) a loss for three months in a row.\n"
    "An employer terminating under the preceding paragraph shall pay severance."
)


def weights(*words: str) -> dict[int, float]:
    from chat.answering.paragraphs import terms

    return {key: 1.0 for word in words for key in terms(word)}


def test_an_article_splits_into_paragraphs_and_subparagraphs():
    units = paragraphs(ARTICLE)
    assert [(u.paragraph, u.item) for u in units] == [(1, 1), (1, 2), (2, None)]
    # a 款 is quoted with the line that introduces it, and keeps its 目
    assert (
        units[1].text
        == "雇主有下列情形之一者，得預告終止契約：\n二、虧損或業務緊縮時。\n（一）連續三個月虧損。"
    )
    assert units[1].label() == "第 1 項第 2 款" and units[2].label() == "第 2 項"
    assert units[1].label(english=True) == "paragraph 1, subparagraph 2"


def test_the_paragraph_sharing_the_question_words_is_picked():
    assert best_paragraph(ARTICLE, weights("公司虧損")).item == 2
    assert best_paragraph(ARTICLE, weights("資遣費")).paragraph == 2
    # nothing shared: the first unit, where a statute states its rule
    assert best_paragraph(ARTICLE, weights("押金")) == paragraphs(ARTICLE)[0]
    assert best_paragraph("", weights("押金")) is None


def test_the_same_unit_is_found_in_the_english_translation():
    assert english_paragraph(ENGLISH, Paragraph(1, 2, "")) == (
        "An employer may terminate the contract with notice in any of these cases:\n"
        "2. The business suffers a loss or contracts.\n(a) a loss for three months in a row."
    )
    assert english_paragraph(ENGLISH, Paragraph(2, None, "")).startswith("An employer terminating")
    # a translation whose lines do not line up gives nothing rather than the wrong paragraph
    assert english_paragraph(ENGLISH, Paragraph(3, None, "")) == ""
    assert english_paragraph(ENGLISH, Paragraph(1, 5, "")) == ""
