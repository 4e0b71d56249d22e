"""Reading order: every text box pdfminer lays out reaches the page text exactly once."""

from __future__ import annotations

import functools
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer.converter import TextConverter
from pdfminer.layout import LTPage
from pdfminer.pdfinterp import PDFResourceManager

from indexer.extraction.normalize import normalize_document
from indexer.extraction.pdf import LAPARAMS, iter_pages, reading_order
from search.cli.main import cli
from tests.support import real_pdf

PAGE_WIDTH = 600.0


class Box:
    """A text box's geometry, its number of lines and its text (what reading_order reads);
    compared by identity, as pdfminer's boxes are."""

    def __init__(self, x0: float, y0: float, x1: float, y1: float, lines: int) -> None:
        self.x0, self.y0, self.x1, self.y1, self.lines = x0, y0, x1, y1, lines

    def __len__(self) -> int:
        return self.lines

    def get_text(self) -> str:
        return "word " * (self.lines * 8)

    def __repr__(self) -> str:
        return f"Box({self.x0:.0f}, {self.y0:.0f}, {self.x1:.0f}, {self.y1:.0f}, {self.lines})"


@st.composite
def boxes(draw: st.DrawFn, x_min: float, x_max: float) -> Box:
    x0 = draw(st.floats(x_min, x_max - 5))
    x1 = draw(st.floats(x0 + 1, x_max))
    y0 = draw(st.floats(0, 780))
    y1 = draw(st.floats(y0 + 1, 800))
    return Box(x0, y0, x1, y1, draw(st.integers(1, 12)))


#: Layouts that often pass for two columns: left and right column boxes, boxes across the
#: middle (titles, tables, sidebars), narrow boxes at the middle (page numbers).
LAYOUTS = st.lists(
    st.one_of(
        boxes(30, 300),
        boxes(300, 570),
        boxes(0, PAGE_WIDTH),
        boxes(280, 320),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(LAYOUTS)
def test_reading_order_is_a_permutation(layout: list[Box]) -> None:
    ordered = reading_order(layout, 0.0, PAGE_WIDTH)
    assert Counter(map(id, ordered)) == Counter(map(id, layout))


def two_columns_with(*extra: Box) -> list[Box]:
    left = [Box(40, 700 - 120 * i, 290, 800 - 120 * i, 6) for i in range(5)]
    right = [Box(310, 700 - 120 * i, 560, 800 - 120 * i, 6) for i in range(5)]
    return [*right, *left, *extra]  # pdfminer's order may put the right column first


def test_two_columns_read_left_then_right_across_a_full_width_band() -> None:
    title = Box(40, 810, 560, 830, 1)
    layout = two_columns_with(title)
    ordered = reading_order(layout, 0.0, PAGE_WIDTH)
    assert ordered[0] is title
    assert [b.x0 for b in ordered[1:]] == [40] * 5 + [310] * 5
    assert [b.y1 for b in ordered[1:6]] == sorted((b.y1 for b in ordered[1:6]), reverse=True)


def test_column_box_beside_a_spanning_box_keeps_pdfminers_order() -> None:
    # the centre of a column box inside a full-width box's height: once dropped
    wide = Box(40, 330, 560, 400, 3)
    layout = two_columns_with(wide)
    assert reading_order(layout, 0.0, PAGE_WIDTH) == layout


def test_narrow_box_at_the_middle_is_taken_once() -> None:
    number = Box(295, 20, 305, 30, 1)  # a page number: within reach of both columns
    layout = two_columns_with(number)
    ordered = reading_order(layout, 0.0, PAGE_WIDTH)
    assert Counter(map(id, ordered)) == Counter(map(id, layout)) and ordered[-1] is number


# ------------------------------------------------------------------ real-world files

_RAW_WORD = re.compile(r"\w+")


@functools.cache
def laid_out_and_extracted(path: Path) -> list[tuple[int, str, str]]:
    """Per page: the text pdfminer's TextConverter writes for the layout (every text box)
    and the page text the indexer extracts from the same layout."""
    laid_out: dict[int, str] = {}

    def keep(number: int, layout: LTPage) -> None:
        out = io.StringIO()
        TextConverter(PDFResourceManager(), out, laparams=LAPARAMS).receive_layout(layout)
        laid_out[number] = out.getvalue()

    pages = list(iter_pages(path, on_layout=keep))
    return [(p.number, laid_out[p.number], p.text) for p in pages]


@pytest.mark.parametrize(
    "name",
    [
        "text/plumber__federal-register-2020-17221.pdf",  # two columns, full-width notices
        "lang-ru/tiru__sved.pdf",  # income declarations: tables
    ],
)
def test_every_laid_out_word_is_in_the_page_text_once(name: str) -> None:
    for number, pdfminer_text, page_text in laid_out_and_extracted(real_pdf(name)):
        laid_out = Counter(_RAW_WORD.findall(pdfminer_text))
        extracted = Counter(_RAW_WORD.findall(page_text))
        assert laid_out, (name, number)
        assert extracted == laid_out, (name, number, laid_out - extracted, extracted - laid_out)


def test_names_in_the_income_declarations_are_indexed() -> None:
    path = real_pdf("lang-ru/tiru__sved.pdf")
    pages = laid_out_and_extracted(path)
    text = " ".join(c.text for c in normalize_document([extracted for _, _, extracted in pages]))
    name = re.compile(r"[А-ЯЁ][а-яё]+ [А-ЯЁ]\.[А-ЯЁ]\.")
    names = {m for _, laid_out, _ in pages for m in name.findall(laid_out)}
    assert len(names) > 20  # the declarations list many officials
    assert {n for n in names if n not in text} == set()
    assert "Волков В.Л." in text and "Логвинов Э.В." in text


def test_search_finds_a_phrase_in_both_columns_of_the_federal_register(tmp_path: Path) -> None:
    pdf = real_pdf("text/plumber__federal-register-2020-17221.pdf")
    folder = tmp_path / "text"
    folder.mkdir()
    (folder / pdf.name).symlink_to(pdf.resolve())
    index_dir = str(tmp_path / "ix")
    runner = CliRunner()
    indexed = runner.invoke(cli, ["index", str(folder), "--index", index_dir, "--ocr", "off", "-q"])
    assert indexed.exit_code == 0, indexed.output
    found = runner.invoke(
        cli, ["search", '"Federal Aviation Administration"', "--index", index_dir, "--json",
              "--pages", "50"],
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)["hits"]
    assert [Path(h["path"]).name for h in hits] == [pdf.name]
    pages = {p["page"] for p in hits[0]["pages"]}
    assert {1, 15} <= pages
