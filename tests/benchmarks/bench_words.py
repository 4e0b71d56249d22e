"""Word boxes for the page picture: PDFium's text page at view time against pdfminer's
character boxes kept at index time (part of ``make bench-web``).

For every text page of the bundled corpus and of ``../shared/realpdfs/lang-sv``, indexed
into a temp folder (``--ocr off``: text layers only), both sources give the page's words
with boxes, and each is aligned with the page's *indexed* text the way the page view does
it (:func:`search.pictures.words.align`). Printed per source and collection:

- indexed words placed: the share of the indexed text's words that get a box;
- agreement: for words both place, the share whose two boxes overlap (intersection over
  the smaller box > 0.5), on unrotated pages whose crop box is the media box;
- ms per page: the time to get the page's words (PDFium: open, text page, characters; the
  cost of a first page view; pdfminer: the layout analysis, paid at index time);
- bytes per page: the words and boxes as the compact gzip'd JSON the picture cache keeps
  (what the extraction cache would grow by per page if pdfminer's boxes were stored).

    .venv/bin/python tests/benchmarks/bench_words.py [REALPDFS]

Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTContainer, LTTextLine

from indexer import pipeline
from indexer.extraction.word_boxes import WordBox
from indexer.index import schema as s
from indexer.index.documents import int_of, text_of
from indexer.model import IndexSettings, OcrMode
from search.pictures.render_worker import text_words
from search.pictures.words import PageWords, align

ROOT = Path(__file__).resolve().parents[2]


def _lines(item: Any) -> Iterator[Any]:
    if isinstance(item, LTTextLine):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _lines(child)


def _runs(line: Any) -> Iterator[list[Any]]:
    """The runs of word characters of a pdfminer text line."""
    run: list[Any] = []
    for char in [*line, None]:
        if isinstance(char, LTChar) and re.fullmatch(r"\w", char.get_text()):
            run.append(char)
        elif run:
            yield run
            run = []


def pdfminer_words(path: Path) -> dict[int, tuple[list[WordBox], bool, float]]:
    """page -> (words with boxes as fractions of the media box, from the top left; whether
    the page is unrotated; seconds of layout analysis)."""
    out: dict[int, tuple[list[WordBox], bool, float]] = {}
    started = time.perf_counter()
    for number, page in enumerate(extract_pages(str(path), laparams=LAParams(all_texts=True)), 1):
        x0p, _, x1p, y1p = page.bbox
        w, h = (x1p - x0p) or 1, (y1p - page.bbox[1]) or 1
        words = []
        for line in _lines(page):
            for run in _runs(line):
                left, right = min(c.x0 for c in run), max(c.x1 for c in run)
                top, bottom = max(c.y1 for c in run), min(c.y0 for c in run)
                box = ((left - x0p) / w, (y1p - top) / h, (right - x0p) / w, (y1p - bottom) / h)
                words.append(WordBox(text="".join(c.get_text() for c in run), box=box))
        now = time.perf_counter()
        out[number] = (words, page.rotate % 360 == 0, now - started)
        started = now
    return out


def pdfium_words(path: Path) -> dict[int, tuple[list[WordBox], bool, float]]:
    out: dict[int, tuple[list[WordBox], bool, float]] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        for number in range(1, len(pdf) + 1):
            started = time.perf_counter()
            page = pdf[number - 1]
            words = text_words(page)
            seconds = time.perf_counter() - started
            plain = page.get_rotation() == 0 and page.get_cropbox() == page.get_mediabox()
            out[number] = (words, plain, seconds)
    finally:
        pdf.close()
    return out


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / smaller if smaller > 0 else 0.0


def indexed_pages(index_dir: Path) -> dict[str, dict[int, str]]:
    """abspath -> page -> indexed text, for pages with text."""
    index = s.open_index(index_dir)
    searcher = index.searcher()
    query = index.parse_query(f"{s.F_KIND}:{s.KIND_PAGE}", [s.F_KIND])
    out: dict[str, dict[int, str]] = {}
    for _, address in searcher.search(query, 1_000_000).hits:
        doc = searcher.doc(address)
        text = text_of(doc, s.text_field(text_of(doc, s.F_LANG) or s.UNDETERMINED)) or ""
        page = int_of(doc, s.F_PAGE) or 0
        if page and text.strip() and text_of(doc, s.F_OCR) != s.OCR_DONE:
            out.setdefault(text_of(doc, s.F_ABSPATH) or "", {})[page] = text
    return out


def measure(name: str, folder: Path | None, catalog: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="pubsearch-bench-words-") as tmp:
        os.environ.setdefault("PUBSEARCH_CACHE", str(Path(tmp) / "cache"))
        index_dir = Path(tmp) / "ix"
        if catalog is not None:
            pipeline.index(IndexSettings(index_dir=index_dir, catalog=catalog, ocr=OcrMode.OFF))
        else:
            assert folder is not None
            pipeline.index(IndexSettings(index_dir=index_dir, paths=(folder,), ocr=OcrMode.OFF))
        pages = indexed_pages(index_dir)
    totals: dict[str, dict[str, list[float]]] = {
        src: {"tokens": [], "placed": [], "ms": [], "bytes": []} for src in ("pdfium", "pdfminer")
    }
    agree: list[float] = []
    for abspath, texts in sorted(pages.items()):
        by_source = {
            "pdfium": pdfium_words(Path(abspath)),
            "pdfminer": pdfminer_words(Path(abspath)),
        }
        for number, text in texts.items():
            maps = {}
            for src, found in by_source.items():
                words, _, seconds = found.get(number, ([], True, 0.0))
                mapping = align(text, words)
                tokens = len(re.findall(r"\w+", text))
                totals[src]["tokens"].append(tokens)
                totals[src]["placed"].append(sum(1 for v in mapping.values() if v))
                totals[src]["ms"].append(seconds * 1000)
                page_words = PageWords(width=0, height=0, source=src, words=tuple(words))
                blob = json.dumps(page_words.to_json()).encode()
                totals[src]["bytes"].append(len(gzip.compress(blob)))
                maps[src] = (mapping, words, found.get(number, ([], False, 0.0))[1])
            (m1, w1, plain1), (m2, w2, plain2) = maps["pdfium"], maps["pdfminer"]
            if plain1 and plain2:
                for token, js in m1.items():
                    if js and m2.get(token):
                        agree.append(overlap(w1[js[0]].box, w2[m2[token][0]].box) > 0.5)
    print(f"\n{name}: {len(totals['pdfium']['ms'])} text pages")
    print(
        f"{'source':<10}{'indexed words placed':>22}{'ms/page p50':>13}{'p90':>8}{'bytes/page':>12}"
    )
    for src, t in totals.items():
        placed = sum(t["placed"]) / max(1, sum(t["tokens"]))
        ms = sorted(t["ms"])
        p90 = ms[int(len(ms) * 0.9) - 1] if ms else 0.0
        print(
            f"{src:<10}{placed:>21.2%} {statistics.median(ms):>12.1f}{p90:>8.1f}"
            f"{statistics.mean(t['bytes']):>12.0f}"
        )
    if agree:
        print(
            f"boxes agree (overlap > 0.5) on {sum(agree) / len(agree):.2%} of "
            f"{len(agree)} words both place"
        )


def main() -> None:
    realpdfs = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "realpdfs"
    measure("bundled corpus", None, ROOT / "corpus" / "catalog.toml")
    if (realpdfs / "lang-sv").is_dir():
        measure("lang-sv", realpdfs / "lang-sv", None)
    else:
        print(f"\n{realpdfs / 'lang-sv'} not found: skipped")


if __name__ == "__main__":
    main()
