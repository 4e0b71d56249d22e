"""OCR page rendering stays within a pixel cap: a poster is read at a lower resolution,
and the page's note says so."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fpdf import FPDF

from indexer import pipeline
from indexer.extraction import tesseract
from indexer.extraction.ocr import ocr_page
from indexer.extraction.tesseract import DPI, MAX_PIXELS, capped_dpi, render
from indexer.index import schema
from indexer.index.store import load_records
from indexer.model import IndexSettings
from search import render as format
from tests import support

needs_tesseract = support.needs_tesseract("swe")


def poster(path: Path, size_mm: tuple[float, float], text: str) -> Path:
    pdf = FPDF(unit="mm", format=size_mm)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=size_mm[0] / 6)
    pdf.text(size_mm[0] / 10, size_mm[1] / 3, text)
    pdf.output(str(path))
    return path


def pixels(width_pt: float, height_pt: float, dpi: int) -> int:
    return math.ceil(width_pt * dpi / 72) * math.ceil(height_pt * dpi / 72)


def test_capped_dpi() -> None:
    a4, a3, a0 = (595, 842), (842, 1191), (2384, 3370)
    assert capped_dpi(*a4) == capped_dpi(*a3) == DPI  # A3 at 300 dpi: 17.4 million pixels
    assert capped_dpi(*a0) == 107  # 139 million pixels at 300 dpi
    for width, height in (a0, (14400, 14400)):
        dpi = capped_dpi(width, height)
        assert pixels(width, height, dpi) <= MAX_PIXELS < pixels(width, height, dpi + 1)
    assert pixels(3, 200000, capped_dpi(3, 200000)) <= MAX_PIXELS  # a strip


def test_a4_page_renders_at_full_resolution(tmp_path: Path) -> None:
    image = render(poster(tmp_path / "a4.pdf", (210, 297), "Skydd"), 1)
    assert image.dpi == DPI and (image.width, image.height) == (2481, 3508)


def test_a0_poster_renders_within_the_pixel_cap(tmp_path: Path) -> None:
    image = render(poster(tmp_path / "a0.pdf", (841, 1189), "Skydd"), 1)
    assert image.dpi == 107 and (image.width, image.height) == (3543, 5009)
    assert image.width * image.height <= MAX_PIXELS
    assert len(image.pgm) < MAX_PIXELS + 100


@needs_tesseract
def test_page_over_the_cap_is_read_and_the_note_says_at_what_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a cap of 2 million pixels makes an A4 page a "poster" (A0 at 107 dpi reads the same,
    # four times slower)
    monkeypatch.setattr(tesseract, "MAX_PIXELS", 2_000_000)
    page = ocr_page(poster(tmp_path / "a4.pdf", (210, 297), "Skyddat boende"), 1, ("sv",))
    assert "Skyddat" in page.text and "boende" in page.text
    assert page.note == (
        "rendered at 143 dpi, not 300: at 300 dpi the page would be over 2 million pixels"
    )


@pytest.mark.slow
@needs_tesseract
def test_page_within_the_cap_has_no_note(tmp_path: Path) -> None:
    page = ocr_page(poster(tmp_path / "a4.pdf", (210, 297), "Skyddat boende"), 1, ("sv",))
    assert "Skyddat" in page.text and page.note == ""


@pytest.mark.slow
@needs_tesseract
def test_the_index_run_says_which_page_was_read_at_a_lower_resolution(tmp_path: Path) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    poster(folder / "poster.pdf", (841, 1189), "Skyddat boende")  # A0: 107 dpi, not 300
    report = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix", paths=[folder], cache_dir=tmp_path / "cache", ocr="force"
        )
    )
    (event,) = report.events
    note = (
        f"page 1: OCR rendered at 107 dpi, not {DPI}: at {DPI} dpi the page would be over "
        f"{MAX_PIXELS // 1_000_000} million pixels"
    )
    assert event.ocr_pages == 1 and event.detail == note
    assert format.file_line(event) == (
        f"added {folder / 'poster.pdf'}: 1 pages [und], 1 read with OCR; {note}"
    )
    (record,) = load_records(schema.open_index(tmp_path / "ix")).values()
    assert record.detail == note
