"""Bugs of the indexer's seams (retries, ids, OCR orientation), each pinned by the test
named after it."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from indexer import pipeline
from indexer.execution import pool, processes
from indexer.extraction.cache import ExtractionCache
from indexer.extraction.ocr import ocr_page
from indexer.index import schema as s
from indexer.index.store import load_records
from indexer.model import (
    Action,
    FileRecord,
    IndexReport,
    IndexSettings,
    Limits,
    Origin,
    PdfInfo,
    RawPage,
    Reason,
    Source,
    Status,
)
from indexer.planning.changes import file_sha256
from indexer.planning.records import build_publication
from indexer.planning.reread import readable
from search.results.answer import search
from tests import support

# ---------------------------------------------------------------- retries


def _two_pages(path: Path) -> Path:
    """Two short pages; the second says "Seasonal vehicle designations"."""
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for text in ("Winter tyre rules", "Seasonal vehicle designations"):
        pdf.add_page()
        pdf.text(15, 20, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


@pytest.mark.slow
def test_a_retry_that_fails_again_keeps_the_indexed_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _two_pages(tmp_path / "docs" / "hangs.pdf")
    # page 1 hangs its worker, as a page that hangs pdfminer would: it times out under any
    # page limit, however fast the machine, and a fresh worker goes on with page 2
    monkeypatch.setattr(pool, "HANGING_PAGES", frozenset({("hangs.pdf", 1)}))
    ix = tmp_path / "ix"

    def retry(limits: Limits) -> IndexReport:
        settings = IndexSettings(
            index_dir=ix, paths=[path], cache_dir=tmp_path / "c", retry_failed=True, limits=limits
        )
        return pipeline.index(settings)

    def record() -> tuple[str, tuple[int, ...], str]:
        (rec,) = load_records(s.open_index(ix)).values()
        return rec.status, rec.failed_pages, rec.detail

    # a file limit passed at once (page 1 is still being read): nothing read
    first = retry(Limits(timeout=0.01))
    assert [f.reason for f in first.failures] == ["timeout"]
    assert search(ix, "seasonal").total == 0
    # the retry reads page 2 (page 1 times out after 3 s; page 2 takes a fresh worker well
    # under that, even on a loaded machine): more pages, so they replace the failure
    better = retry(Limits(page_timeout=3))
    (event,) = better.events
    assert (event.action, event.pages, event.failed_pages) == (Action.UPDATED, 2, (1,))
    assert search(ix, "seasonal").total == 1
    assert record() == (Status.PARTIAL, (1,), "page 1: timeout")
    # a retry that times out on every page: page 2 stays indexed, the record says what
    # is missing and why, and the run reports the file as partial, not failed
    worse = retry(Limits(timeout=0.01))
    assert worse.ok
    (event,) = worse.events
    assert (event.action, event.failed_pages) == (Action.UNCHANGED, (1,))
    # (the file limit passes before the worker has opened the file, or after)
    assert re.fullmatch(
        r"page 1: timeout \(read again: timeout (on every page|before the first page); "
        r"the indexed pages are kept\)",
        event.detail,
    )
    assert search(ix, "seasonal").total == 1
    assert record() == (Status.PARTIAL, (1,), "page 1: timeout")
    # nor does it replace the better reading in the extraction cache (what --rebuild reads)
    cached = ExtractionCache(tmp_path / "c").get(file_sha256(path))
    assert cached is not None and [p.error for p in cached.pages] == ["timeout", None]


def test_the_fork_server_preload_module_is_importable() -> None:
    # multiprocessing ignores an ImportError in a fork server's preload: a wrong module
    # path would only make every worker load pdfminer and langdetect's profiles itself
    assert importlib.import_module(processes.PRELOAD).__name__ == "indexer.execution.preload"


def _timed_out(number: int) -> RawPage:
    return RawPage(number=number, text="", error="timeout", reason=Reason.TIMEOUT)


def test_a_page_that_fails_on_a_retry_keeps_its_indexed_text(tmp_path: Path) -> None:
    """Page 2 was read before and times out now, page 1 failed before and is read now:
    the file gets both (and only misses what neither reading got)."""
    source = Source(path=tmp_path / "x.pdf")
    info = PdfInfo(title=None, author=None, year=None, page_count=3, encrypted=False)
    one = RawPage(number=1, text="Polisen utreder brotten och åklagaren väcker åtal.")
    two = RawPage(number=2, text="Socialtjänsten ska ge barnen stöd och skydd.")
    _, before = build_publication(
        source, "x", sha256="s", info=info, raw_pages=(_timed_out(1), two, _timed_out(3))
    )
    record = FileRecord(
        key=source.key, id="x", status=Status.PARTIAL, failed_pages=(1, 3), source=Origin.PATH
    )
    _, pages = build_publication(
        source,
        "x",
        sha256="s",
        info=info,
        raw_pages=(one, _timed_out(2), _timed_out(3)),
        indexed=readable(record, before),
    )
    assert [(p.number, p.text[:12], p.error) for p in pages] == [
        (1, "Polisen utre", None),
        (2, "Socialtjänst", None),
        (3, "", "timeout"),
    ]


# ---------------------------------------------------------------- ids


def _catalog(folder: Path, pub_id: str, text: str, make_pdf: Callable[..., Path]) -> Path:
    """A catalog with one entry `pub_id` whose PDF says `text`."""
    make_pdf([text], name=f"{folder.name}/pdf/{pub_id}.pdf")
    catalog = folder / "catalog.toml"
    catalog.write_text(
        f'[[publication]]\nid = "{pub_id}"\ntitle = "Catalogued report"\n'
        f'languages = ["en"]\nfile = "{pub_id}.pdf"\n',
        encoding="utf-8",
    )
    return catalog


def _ids(ix: Path, word: str) -> list[str]:
    return [h.id for h in search(ix, word).hits]


def test_a_loose_pdf_never_takes_a_catalog_id_in_the_same_run(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    catalog = _catalog(tmp_path / "corpus", "annual-report", "catalogued zebra", make_pdf)
    make_pdf(["loose giraffe"], name="loose/annual-report.pdf")
    ix = tmp_path / "ix"
    paths = [tmp_path / "corpus" / "pdf", tmp_path / "loose"]
    pipeline.index(IndexSettings(index_dir=ix, paths=paths, catalog=catalog))
    assert _ids(ix, "zebra") == ["annual-report"]
    (loose_id,) = _ids(ix, "giraffe")
    assert loose_id.startswith("annual-report-") and loose_id != "annual-report"
    # stable across runs, and either one goes without taking the other along
    again = pipeline.index(IndexSettings(index_dir=ix, paths=paths, catalog=catalog))
    assert again.count(Action.UNCHANGED) == 2
    (tmp_path / "loose" / "annual-report.pdf").unlink()
    gone = pipeline.index(IndexSettings(index_dir=ix, paths=paths, catalog=catalog))
    assert [(e.action, e.id) for e in gone.events if e.action is not Action.UNCHANGED] == [
        (Action.REMOVED, loose_id)
    ]
    assert _ids(ix, "zebra") == ["annual-report"] and _ids(ix, "giraffe") == []


def test_a_catalog_entry_added_later_does_not_wipe_a_loose_pdf_of_its_id(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    loose = make_pdf(["loose giraffe"], name="loose/annual-report.pdf")
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[loose]))
    assert _ids(ix, "giraffe") == ["annual-report"]
    # the catalog now lists a publication of that id: it gets its id, the loose PDF moves
    catalog = _catalog(tmp_path / "corpus", "annual-report", "catalogued zebra", make_pdf)
    pipeline.index(IndexSettings(index_dir=ix, catalog=catalog))
    assert _ids(ix, "zebra") == ["annual-report"]
    (loose_id,) = _ids(ix, "giraffe")
    assert loose_id.startswith("annual-report-")
    # stable: both unchanged next time, whichever way the index is brought up to date
    assert pipeline.index(IndexSettings(index_dir=ix, catalog=catalog)).count("unchanged") == 1
    again = pipeline.index(IndexSettings(index_dir=ix, paths=[loose], catalog=catalog))
    assert [(e.action, e.id) for e in again.events] == [(Action.UNCHANGED, loose_id)]
    # re-indexing the loose PDF (changed) leaves the catalog's publication alone
    make_pdf(["loose giraffe, second edition"], name="loose/annual-report.pdf")
    pipeline.index(IndexSettings(index_dir=ix, paths=[loose], catalog=catalog))
    assert _ids(ix, "zebra") == ["annual-report"] and _ids(ix, "edition") == [loose_id]
    # the catalog drops its entry: the loose PDF stays
    catalog.write_text("publication = []\n", encoding="utf-8")
    (tmp_path / "corpus" / "pdf" / "annual-report.pdf").unlink()
    pipeline.index(IndexSettings(index_dir=ix, catalog=catalog))
    assert _ids(ix, "zebra") == [] and _ids(ix, "giraffe") == [loose_id]


# ---------------------------------------------------------------- OCR orientation

needs_tesseract = support.needs_tesseract("eng")
SCANNED = "Protection and support for victims of trafficking in every region"


def _scan(tmp_path: Path, make_pdf: Callable[..., Path]) -> Path:
    """An image-only PDF of one page of text, as a scanner makes it."""
    source = make_pdf([SCANNED], name="source.pdf")
    document = pdfium.PdfDocument(str(source))
    image = document[0].render(scale=200 / 72, grayscale=True).to_pil()
    document.close()
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(image, x=0, y=0, w=210, h=297)
    path = tmp_path / "scans" / "scan.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


@needs_tesseract
def test_an_osd_timeout_reads_the_page_unrotated(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    scan = _scan(tmp_path, make_pdf)
    # no Tesseract run ends within a millisecond: the OSD step always times out
    page = ocr_page(scan, 1, ("en",), timeout=120, osd_timeout=0.001)
    assert page.error is None and page.rotation == 0
    assert "victims of trafficking" in page.text
    assert page.note == "orientation not detected (OSD timeout after 0.001 s): read as it is"
    # through the pipeline: the page is indexed
    report = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix",
            paths=[scan],
            cache_dir=tmp_path / "c",
            limits=Limits(osd_timeout=0.001),
        )
    )
    (event,) = report.events
    assert (event.action, event.ocr_pages, event.failed_pages) == (Action.ADDED, 1, ())
    assert [h.id for h in search(tmp_path / "ix", "trafficking").hits] == ["scan"]
