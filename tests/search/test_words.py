"""Which word boxes a query's highlights mark (search.pictures.words), and OCR word boxes carried
back to the page as shown (indexer.extraction.ocr.upright_words): tiny data written in code."""

from __future__ import annotations

import pytest

from indexer.extraction.ocr import Image, OcrWord, upright_words
from search.pictures.words import PageWords, Word, align, marked_words, split_ocr_word, split_words


def words(*texts: str) -> list[Word]:
    """Words on one line, 0.1 wide each, in order."""
    return [Word(t, (i / 10, 0.5, i / 10 + 0.09, 0.52)) for i, t in enumerate(texts)]


def test_the_highlighted_occurrence_is_boxed_not_every_look_alike() -> None:
    text = "barn och barn"
    second = (text.rindex("barn"), len(text))
    page = words("barn", "och", "barn")
    assert marked_words(text, [second], page) == [page[2]]
    assert marked_words(text, [(0, 4)], page) == [page[0]]


def test_line_end_hyphenation_joined_in_the_text_marks_both_pieces() -> None:
    text = "om människohandel i dag"
    page = words("om", "männis", "kohandel", "i", "dag")
    start = text.index("människohandel")
    found = marked_words(text, [(start, start + len("människohandel"))], page)
    assert found == [page[1], page[2]]


def test_ligatures_case_and_punctuation_do_not_stop_the_alignment() -> None:
    text = "Official (FIRST) offer."
    page = words("Oﬃcial", "first", "offer")  # U+FB03 in the text layer
    assert align(text, page) == {0: [0], 1: [1], 2: [2]}


def test_a_highlighted_word_missing_from_the_page_gets_no_box() -> None:
    text = "alpha beta gamma"
    page = words("alpha", "gamma")
    assert marked_words(text, [(6, 10)], page) == []
    assert marked_words(text, [], page) == []


def test_split_words_cuts_runs_at_punctuation_and_line_changes() -> None:
    line1 = [(c, (i * 0.01, 0.1, i * 0.01 + 0.009, 0.12)) for i, c in enumerate("ab,c")]
    line2 = [("d", (0.0, 0.2, 0.009, 0.22))]
    found = split_words([*line1, *line2])
    assert [w.text for w in found] == ["ab", "c", "d"]
    assert found[0].box == pytest.approx((0.0, 0.1, 0.019, 0.12))


def test_split_words_follows_a_column_of_letters() -> None:
    column = [(c, (0.5, 0.1 + i * 0.02, 0.51, 0.1 + i * 0.02 + 0.015)) for i, c in enumerate("abc")]
    found = split_words([*column, ("x", (0.7, 0.1, 0.71, 0.115))])
    assert [w.text for w in found] == ["abc", "x"]
    assert found[0].box == pytest.approx((0.5, 0.1, 0.51, 0.155))


def test_split_ocr_word_gives_each_run_its_share_of_the_box() -> None:
    parts = split_ocr_word("(ab),", (0.0, 0.0, 0.5, 0.1))
    assert [p.text for p in parts] == ["ab"]
    assert parts[0].box == pytest.approx((0.1, 0.0, 0.3, 0.1))


def test_page_words_json_round_trip_and_points() -> None:
    page = PageWords(600.0, 800.0, "pdfium", tuple(words("ett", "två")))
    again = PageWords.from_json(page.to_json())
    assert [w.text for w in again.words] == ["ett", "två"]
    assert again.words[1].box == pytest.approx(page.words[1].box, abs=1e-5)
    assert again.points((0.5, 0.25, 1.0, 0.5)) == [300.0, 200.0, 600.0, 400.0]


@pytest.mark.parametrize(
    ("rotation", "box", "expected"),
    [
        (0, (10, 20, 30, 40), (0.1, 0.1, 0.3, 0.2)),
        # the page (100 x 200) turned 90° clockwise to read it: 200 x 100 in the image
        (90, (160, 10, 180, 30), (0.1, 0.1, 0.3, 0.2)),
        (180, (70, 160, 90, 180), (0.1, 0.1, 0.3, 0.2)),
        (270, (20, 70, 40, 90), (0.1, 0.1, 0.3, 0.2)),
    ],
)
def test_ocr_boxes_are_carried_back_to_the_page_as_shown(
    rotation: int, box: tuple[int, int, int, int], expected: tuple[float, ...]
) -> None:
    width, height = (200, 100) if rotation in (90, 270) else (100, 200)
    image = Image(b"", width, height)
    data = upright_words([OcrWord("ord", *box)], rotation, image)
    assert data["t"] == ["ord"]
    flat = data["b"]
    assert isinstance(flat, list)
    assert [v / 100_000 for v in flat] == pytest.approx(expected)
