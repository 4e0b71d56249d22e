"""OCR benchmark (part of ``make bench``): seconds per page and word recall.

1. Indexes ``../shared/realpdfs/scanned`` (plus the garbled ``weird/tiru__4043_2.pdf``) with
   ``--ocr auto`` in a fresh index and a fresh cache, with 1 and with 2 workers, and prints
   the pages read with OCR, the wall-clock time, and the OCR seconds per page; then a
   ``--rebuild``, which must take every page from the OCR cache.
2. Word recall of OCR text against a text layer of the same page (words of 2+ letters,
   lower-cased, counted with multiplicity):
   - the Swedish bill scan ``scanned/ferenda__1b5df88d.PDF`` p. 1 against the one page of
     its text version ``lang-sv/ferenda__f690153e.pdf`` that has the same text (p. 65:
     the directive's heading; the text version has the rest of the appendix only as blank
     pages);
   - the text version's own pages 2-21 rendered at 300 dpi and read with OCR (a clean
     scan of each page) against pdfminer's text of them.

    .venv/bin/python tests/benchmarks/bench_ocr.py [REALPDFS]

Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from indexer import pipeline
from indexer.extraction.normalize import normalize_document
from indexer.extraction.ocr import ocr_page
from indexer.extraction.pdf import iter_pages
from indexer.extraction.tesseract import engine, recognize, render
from indexer.model import IndexReport, IndexSettings

ROOT = Path(__file__).resolve().parents[2]


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"[^\W\d_]{2,}", text))


def recall(reference: str, found: str) -> float:
    ref, got = words(reference), words(found)
    return sum((ref & got).values()) / max(1, sum(ref.values()))


def index_run(paths: list[Path], workers: int, cache: Path, rebuild: bool = False,
              index_dir: Path | None = None) -> tuple[IndexReport, float]:  # fmt: skip
    index_dir = index_dir or cache.parent / f"ix-{workers}"
    started = time.monotonic()
    report = pipeline.index(
        IndexSettings(
            index_dir=index_dir, paths=paths, workers=workers, cache_dir=cache, rebuild=rebuild
        )
    )
    return report, time.monotonic() - started


def main() -> None:
    realpdfs = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "realpdfs"
    eng = engine()
    if eng is None:
        raise SystemExit("Tesseract is not installed")
    print(f"{eng.version}; language packs: {' '.join(sorted(eng.languages))}")
    paths = [realpdfs / "scanned", realpdfs / "weird" / "tiru__4043_2.pdf"]
    with tempfile.TemporaryDirectory(prefix="pubsearch-bench-ocr-") as tmp:
        print("\nOCR while indexing (fresh index, fresh cache each):")
        print(f"{'run':<28}{'files':>6}{'OCR pages':>10}{'wall s':>8}{'OCR s/page':>11}"
              f"{'median':>8}")  # fmt: skip
        for workers in (1, 2):
            cache = Path(tmp) / f"cache-{workers}"
            report, wall = index_run(paths, workers, cache)
            per_file = [e.ocr_seconds / e.ocr_pages for e in report.files if e.ocr_pages]
            pages = report.ocr_pages
            seconds = sum(e.ocr_seconds for e in report.files)
            print(f"{f'cold, {workers} worker(s)':<28}{len(report.files):>6}{pages:>10}"
                  f"{wall:>8.1f}{seconds / max(1, pages):>11.2f}"
                  f"{statistics.median(per_file):>8.2f}")  # fmt: skip
        report, wall = index_run(paths, 2, cache, rebuild=True)
        seconds = sum(e.ocr_seconds for e in report.files)
        print(f"{'--rebuild, OCR cache':<28}{len(report.files):>6}{report.ocr_pages:>10}"
              f"{wall:>8.1f}{seconds:>11.2f}{'':>8}")  # fmt: skip
        print("(OCR s/page: render + orientation + reading, summed over pages; the median is"
              " of each file's mean)")  # fmt: skip

    print("\nWord recall of OCR text:")
    scan = realpdfs / "scanned" / "ferenda__1b5df88d.PDF"
    text = realpdfs / "lang-sv" / "ferenda__f690153e.pdf"
    text_pages = normalize_document([p.text for p in iter_pages(text)])
    first = ocr_page(scan, 1, ("sv",))
    ref = text_pages[64].text
    print(f"  scan p. 1 vs text version p. 65 ({sum(words(ref).values())} words): "
          f"{recall(ref, first.text):.3f} (confidence {first.confidence})")  # fmt: skip
    scores, total, spent = [], 0, 0.0
    for number in range(2, 22):
        started = time.monotonic()
        read, _conf = recognize(render(text, number), ["swe"])
        spent += time.monotonic() - started
        reference = text_pages[number - 1].text
        scores.append(recall(reference, normalize_document([read])[0].text))
        total += sum(words(reference).values())
    print(f"  text version pp. 2-21 rendered and read ({total} words): mean "
          f"{statistics.mean(scores):.3f}, min {min(scores):.3f}, "
          f"{spent / len(scores):.2f} s/page")  # fmt: skip


if __name__ == "__main__":
    main()
