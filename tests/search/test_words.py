"""Which word boxes a query's highlights mark (search.pictures.words), OCR word boxes carried
back to the page as shown (indexer.extraction.ocr.upright_words), and the word boxes' form on
disk (indexer.extraction.word_boxes): tiny data written in code."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from indexer.extraction.ocr import OcrWordsCache, upright_words
from indexer.extraction.tesseract import Image, OcrWord
from indexer.extraction.word_boxes import WordBox, words_from_json, words_to_json
from search.pictures.words import PageWords, align, marked_words, split_ocr_word, split_words


def words(*texts: str) -> list[WordBox]:
    """Words on one line, 0.1 wide each, in order."""
    return [WordBox(text=t, box=(i / 10, 0.5, i / 10 + 0.09, 0.52)) for i, t in enumerate(texts)]


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
    page = PageWords(width=600.0, height=800.0, source="pdfium", words=tuple(words("ett", "två")))
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
    x0, y0, x1, y1 = box
    (found,) = upright_words([OcrWord(text="ord", x0=x0, y0=y0, x1=x1, y1=y1)], rotation, image)
    assert found.text == "ord"
    assert found.box == pytest.approx(expected)


# ---------------------------------------------------------------- the form on disk


def test_the_ocr_word_box_cache_keeps_its_format(tmp_path: Path) -> None:
    # OcrWordsCache v1 as written before word boxes were a dataclass: read back the same
    cache = OcrWordsCache(tmp_path)
    image = Image(b"", 100, 200)
    cache.put(
        "ab" * 32, upright_words([OcrWord(text="ord,", x0=10, y0=20, x1=30, y1=41)], 0, image)
    )
    with gzip.open(tmp_path / "ocr-words" / "v1" / "ab" / f"{'ab' * 32}.json.gz", "rt") as fp:
        assert fp.read() == '{"t": ["ord,"], "b": [10000, 10000, 30000, 20500]}'
    assert cache.get("ab" * 32) == (WordBox(text="ord,", box=(0.1, 0.1, 0.3, 0.205)),)
    assert cache.get("cd" * 32) is None


def test_the_picture_cache_keeps_its_word_format() -> None:
    page = PageWords(
        width=595.0,
        height=842.0,
        source="ocr",
        words=(WordBox(text="för", box=(0.1, 0.25, 0.123456, 0.3)),),
    )
    blob = json.dumps(page.to_json(), ensure_ascii=False)  # as PictureCache v1 keeps it
    expected = (
        '{"w": 595.0, "h": 842.0, "src": "ocr", "t": ["för"], "b": [10000, 25000, 12346, 30000]}'
    )
    assert blob == expected
    assert PageWords.from_json(json.loads(blob)).words[0].box == (0.1, 0.25, 0.12346, 0.3)


def test_word_boxes_with_texts_and_boxes_out_of_step_are_refused() -> None:
    assert words_to_json([]) == {"t": [], "b": []}
    with pytest.raises(ValueError, match="four box numbers"):
        words_from_json({"t": ["a", "b"], "b": [1, 2, 3, 4]})
