"""OCR of scanned pages: detection of pages without usable text, Tesseract in the worker
pool, the OCR cache, --ocr modes, and real scans from ../shared/realpdfs/scanned."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from starlette.testclient import TestClient

from indexer import pipeline
from indexer.extraction.normalize import TextQuality, garbled, normalize_document
from indexer.extraction.ocr import OcrCache, ocr_page
from indexer.extraction.ocr_plan import pages_needing_ocr
from indexer.extraction.pdf import iter_pages
from indexer.extraction.tesseract import APT_HINT
from indexer.index import schema as s
from indexer.model import IndexSettings, Limits
from search.results.answer import search
from search.results.pages import show_page
from search.results.stats import index_stats
from search.serve.web import create_app
from tests import support
from tests.support import ROOT, real_pdf

needs_tesseract = support.needs_tesseract("swe", "eng", "rus")

PAGE_ONE = """Rapport om tiggeri och tvångsarbete
Länsstyrelsen har kartlagt hur människohandel för tiggeri
går till i svenska städer och vilket stöd offren får.
Socialtjänsten och polisen samarbetar med regionkoordinatorerna."""
PAGE_TWO = """Skyddat boende och återvändande
Den som har utsatts för människohandel har rätt till skydd,
stöd och en trygg väg hem. Kontakta regionkoordinatorn."""


@pytest.fixture
def make_scan(tmp_path: Path, make_pdf: Callable[..., Path]) -> Callable[..., Path]:
    """An image-only PDF: each text page written, rendered at 200 dpi, and embedded as a
    picture (turned `rotate` degrees clockwise), as a scanner would make it."""

    def make(pages: list[str], name: str = "scan.pdf", rotate: int = 0) -> Path:
        source = make_pdf(pages, name=f"source-{name}")
        document = pdfium.PdfDocument(str(source))
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(False)
        for index in range(len(document)):
            image = document[index].render(scale=200 / 72, grayscale=True).to_pil()
            image = image.rotate(-rotate, expand=True)
            landscape = rotate in (90, 270)
            pdf.add_page(orientation="L" if landscape else "P")
            pdf.image(image, x=0, y=0, w=297 if landscape else 210, h=210 if landscape else 297)
        document.close()
        path = tmp_path / "scans" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pdf.output(str(path))
        source.unlink()
        return path

    return make


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"[^\W\d_]{2,}", text))


def recall(reference: str, found: str) -> float:
    ref, got = words(reference), words(found)
    return sum((ref & got).values()) / max(1, sum(ref.values()))


# ---------------------------------------------------------------- which pages need OCR


def test_garbled_layer_of_latin_look_alikes() -> None:
    pages = list(iter_pages(real_pdf("weird/tiru__4043_2.pdf")))
    assert normalize_document([p.text for p in pages])[0].quality is TextQuality.GARBLED
    assert garbled("CeereHllq o roxo,r{ax, o6 ulryuecrne ra o6-tgatemctBax uMyIrIecrBeIrHoI'o "
                   "xapaKTcpa 3a nep?IoA c I xnnapr no 3 1 4era6pr 2012 rotta")  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    "relative",
    ["lang-sv/ferenda__f690153e.pdf", "lang-ru/tiru__3210.pdf",
     "scanned/pymupdf__test2093.pdf", "lang-sv/riksocr__chamber_1_1939.pdf"],
)  # fmt: skip
def test_real_text_layers_are_not_garbled(relative: str) -> None:
    """Real text, noisy OCR layers included, is left alone."""
    pages = list(iter_pages(real_pdf(relative)))
    cleaned = normalize_document([p.text for p in pages])
    assert not [c for c in cleaned if c.quality is TextQuality.GARBLED]


def test_camel_case_and_codes_alone_are_not_garbled() -> None:
    text = (
        "The fields nrCrt, cifAngajator and denAngajator hold S1002 and F10 "
        "codes of the XML file, as in the iPhone and eBay reports of 2019"
    )
    assert not garbled(text)


def test_scan_pages_are_planned_for_ocr(make_scan: Callable[..., Path],
                                        make_pdf: Callable[..., Path]) -> None:  # fmt: skip
    scan = list(iter_pages(make_scan([PAGE_ONE])))
    assert scan[0].image_share > 0.95 and not scan[0].text
    assert pages_needing_ocr(scan) == [1]
    text = list(iter_pages(make_pdf([PAGE_ONE, PAGE_TWO])))
    assert text[0].image_share == 0.0
    assert pages_needing_ocr(text) == []
    assert pages_needing_ocr(text, "force") == [1, 2]


# ---------------------------------------------------------------- indexing with OCR


@pytest.mark.slow
@needs_tesseract
def test_auto_reads_scans_and_records_it(tmp_path: Path, make_scan: Callable[..., Path]) -> None:
    make_scan([PAGE_ONE, PAGE_TWO])
    cache = tmp_path / "cache"
    report = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[tmp_path / "scans"], cache_dir=cache)
    )
    (event,) = report.files
    assert event.ocr_pages == 2 and event.needs_ocr == 0 and event.ocr_seconds > 0
    assert event.languages == ("sv",)
    results = search(tmp_path / "ix", "tvångsarbete")  # also the title, guessed from p. 1
    (hit,) = results.hits
    page = hit.pages[0]
    assert page.page == 1 and page.ocr and page.ocr_confidence is not None
    assert page.ocr_confidence > 80
    assert "<b>tvångsarbete</b>" in page.snippet.tagged()
    assert recall(PAGE_ONE + PAGE_TWO, show_page(tmp_path / "ix", hit.id, 1).html
                  + show_page(tmp_path / "ix", hit.id, 2).html) >= 0.95  # fmt: skip
    stats = index_stats(tmp_path / "ix")
    assert stats.ocr_pages == 2 and stats.needs_ocr == 0 and stats.pages_without_text == 0
    web = TestClient(create_app(tmp_path / "ix"), base_url="http://127.0.0.1")
    confidence = f"{page.ocr_confidence:.0f}"
    assert '<span class="ocr" title="' in web.get("/", params={"q": "tvångsarbete"}).text
    assert f"OCR {confidence}&nbsp;%</span>" in web.get(f"/page/{hit.id}/1").text
    # a rebuild reads the OCR cache: no page is read twice
    again = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix", paths=[tmp_path / "scans"], cache_dir=cache, rebuild=True
        )
    )
    assert again.files[0].ocr_pages == 2 and again.files[0].ocr_seconds == 0
    assert OcrCache(cache).size()[0] == 2


@pytest.mark.slow
@needs_tesseract
def test_off_flags_pages_and_auto_later_reads_them(
    tmp_path: Path, make_scan: Callable[..., Path]
) -> None:
    make_scan([PAGE_ONE])
    folder, ix = tmp_path / "scans", tmp_path / "ix"
    off = pipeline.index(IndexSettings(index_dir=ix, paths=[folder], ocr="off"))
    assert off.files[0].needs_ocr == 1 and off.files[0].ocr_pages == 0
    assert off.notes and "--ocr auto" in off.notes[0]
    stats = index_stats(ix)
    assert stats.needs_ocr == 1 and stats.ocr_pages == 0 and stats.pages_without_text == 1
    assert search(ix, "tvångsarbete").total == 0
    auto = pipeline.index(
        IndexSettings(index_dir=ix, paths=[folder])
    )  # unchanged file, but now OCR can read it
    assert auto.count("updated") == 1 and auto.files[0].ocr_pages == 1
    assert search(ix, "tvångsarbete").total == 1
    assert (
        pipeline.index(IndexSettings(index_dir=ix, paths=[folder])).count("unchanged") == 1
    )  # and then it is done


@pytest.mark.slow
@needs_tesseract
def test_force_reads_text_pages_too(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    make_pdf([PAGE_ONE], name="texts/doc.pdf")
    report = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[tmp_path / "texts"], ocr="force")
    )
    assert report.files[0].ocr_pages == 1
    assert search(tmp_path / "ix", "regionkoordinatorerna").hits[0].pages[0].ocr


@pytest.mark.slow
@needs_tesseract
def test_ocr_time_limit_costs_only_that_page(
    tmp_path: Path, make_scan: Callable[..., Path]
) -> None:
    make_scan([PAGE_ONE + "\n" + PAGE_TWO * 8])
    report = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix", paths=[tmp_path / "scans"], limits=Limits(ocr_timeout=1)
        )
    )
    (event,) = report.files
    assert event.needs_ocr == 1 and event.ocr_pages == 0
    assert "OCR timeout" in event.detail
    assert report.ok and "--retry-failed" in report.notes[0]  # indexed; the page flagged
    folder, ix = tmp_path / "scans", tmp_path / "ix"
    assert (
        pipeline.index(
            IndexSettings(index_dir=ix, paths=[folder], limits=Limits(ocr_timeout=1))
        ).count("unchanged")
        == 1
    )
    retried = pipeline.index(IndexSettings(index_dir=ix, paths=[folder], retry_failed=True))
    assert retried.count("updated") == 1 and retried.files[0].ocr_pages == 1


def test_without_tesseract_pages_need_ocr_and_the_note_says_how(
    tmp_path: Path, make_scan: Callable[..., Path]
) -> None:
    make_scan([PAGE_ONE])
    env = dict(os.environ, PUBSEARCH_TESSERACT=str(tmp_path / "no-tesseract"))
    command = [sys.executable, "-m", "search", "index", "--index", str(tmp_path / "ix"),
               str(tmp_path / "scans"), "-q"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert (
        "note: 1 page without usable text need OCR, but Tesseract is not installed; "
        f"install it with: {APT_HINT}"
    ) in result.stdout
    stats = subprocess.run(
        [sys.executable, "-m", "search", "stats", "--json", "--index", str(tmp_path / "ix")],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip
    data = json.loads(stats.stdout)
    assert data["needs_ocr"] == 1 and data["ocr_pages"] == 0


# ---------------------------------------------------------------- real scans


@pytest.mark.slow
@needs_tesseract
def test_swedish_bill_scan_against_its_text_version(tmp_path: Path) -> None:
    """ferenda__1b5df88d.PDF scans pages of Prop. 2008/09:5, whose text version
    (ferenda__f690153e.pdf) has the text of only the first scanned page, its p. 65: the
    directive's heading. The rest of the appendix exists only in the scan."""
    scan, text = (
        real_pdf("scanned/ferenda__1b5df88d.PDF"),
        real_pdf("lang-sv/ferenda__f690153e.pdf"),
    )
    reference = normalize_document([p.text for p in iter_pages(text)])[64].text
    assert "Rådets direktiv 92/57/EEG" in reference
    read = ocr_page(scan, 1, ("sv",))
    assert recall(reference, read.text) >= 0.9
    # a word only the scan has: found, on the scan's page, and nowhere in the text version
    folder = tmp_path / "bill"
    folder.mkdir()
    for pdf in (scan, text):
        (folder / pdf.name).symlink_to(pdf)
    pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[folder], cache_dir=tmp_path / "cache")
    )
    hits = search(tmp_path / "ix", "gruvindustrin").hits
    assert [(h.id, [p.page for p in h.pages]) for h in hits] == [("ferenda-1b5df88d", [2])]
    assert hits[0].pages[0].ocr


@pytest.mark.slow
@needs_tesseract
def test_rotated_pages_read_upright() -> None:
    """ocrmypdf__cardinal.pdf: the same page scanned at 0, 90, 180 and 270 degrees."""
    path = real_pdf("scanned/ocrmypdf__cardinal.pdf")
    pages = [ocr_page(path, n, ("en",)) for n in (1, 2, 3, 4)]
    assert sorted(p.rotation for p in pages) == [0, 90, 180, 270]
    for page in pages:
        assert "LinnSequencer" in page.text and page.confidence is not None
        assert page.confidence > 85
    assert recall(pages[0].text, pages[2].text) > 0.95


@pytest.mark.slow
@needs_tesseract
def test_russian_scan_is_read_in_russian(tmp_path: Path) -> None:
    """tiru__good.pdf: 7 image-only pages of a Russian order; no catalog languages, no
    text pages: the OSD sees Cyrillic and the Russian packs read it."""
    folder = tmp_path / "ru"
    folder.mkdir()
    (folder / "tiru__good.pdf").symlink_to(real_pdf("scanned/tiru__good.pdf"))
    report = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[folder], cache_dir=tmp_path / "cache")
    )
    (event,) = report.files
    assert event.ocr_pages == 7 and event.languages == ("ru",)
    results = search(tmp_path / "ix", "доходах")
    assert results.total_pages == 7 and all(p.ocr for p in results.hits[0].pages)
    view = show_page(tmp_path / "ix", results.hits[0].id, 2)
    assert view.ocr and view.language == "ru" and "Российской Федерации" in view.html


@pytest.mark.slow
@needs_tesseract
def test_garbled_layer_is_replaced_by_ocr(tmp_path: Path) -> None:
    folder = tmp_path / "garbled"
    folder.mkdir()
    (folder / "tiru__4043_2.pdf").symlink_to(real_pdf("weird/tiru__4043_2.pdf"))
    report = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[folder], cache_dir=tmp_path / "cache")
    )
    assert report.files[0].ocr_pages == 1 and report.files[0].languages == ("ru",)
    (hit,) = search(tmp_path / "ix", "сведения доходах").hits
    assert hit.pages[0].ocr
    ix = s.open_index(tmp_path / "ix")
    assert ix.searcher().num_docs == 2  # the page and the file record
