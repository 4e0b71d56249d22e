"""Word fidelity of the indexed page text on the real-world PDFs (``make fidelity``).

For every page pdfminer can read, the multiset of words of the indexed page text (what
:func:`indexer.extraction.pdf.iter_pages` and
:func:`indexer.extraction.normalize.normalize_document` make of
it, the functions the indexer runs) is compared with the words pdfminer itself lays out on
the page (its ``TextConverter`` over the same layout: every text box and every loose
character, with :data:`indexer.extraction.pdf.LAPARAMS`). Both sides are normalized the same way:
NFKC, the indexer's ligature table, lower case, Romanian cedillas folded to commas below,
``(cid:N)`` runs, soft hyphens and zero-width characters dropped, each line-end hyphen
decided by the indexer's rule with the document's own vocabulary (joined, kept in a
compound, or a suspended compound before a conjunction: ``för- och``), hyphens inside
words dropped; words are ``\\w+`` runs.

Per folder it prints: files and pages compared, word coverage (mean, minimum, 1st
percentile) with running headers and footers set aside, pages under 99% coverage, the
words dropped as running headers/footers (by
:func:`indexer.extraction.normalize.strip_running_lines`,
on purpose), duplicated words (a word the indexed text has more often than pdfminer's),
and extra words (not in pdfminer's text at all: normalization differences). Pages with no
usable text layer (empty, unmapped glyphs; OCR reads those) are counted on their own, as
are pages and files pdfminer cannot read. Then every page under 99%, with its missing
words, and the files by peak memory of the process that read them.

    .venv/bin/python tests/benchmarks/fidelity.py [FOLDER] [--workers N] [--tsv FILE]

Not a test: it measures, it does not assert. About 4,000 pages; with 2 workers several
minutes, so run it in the background with its output going to a file.
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import signal
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TARGET = 0.99
FILE_TIMEOUT = 300  # the indexer's default --timeout
WORKER_MEMORY_MB = 1536

_CID = re.compile(r"\(cid:\d+\)")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_LINE_END_HYPHEN = re.compile(r"(\w)[-\u2010\u2011][ \t]*\n\s*(?=(\w+))")
_INNER_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")
_WORD = re.compile(r"\w+")


def words(text: str, vocab: frozenset[str] | None = None) -> Counter[str]:
    """The normalized words of `text` (see the module docstring), with their counts.

    With `vocab` (the document's words, :func:`indexer.extraction.normalize.vocabulary`), each
    line-end hyphen is decided as the indexer decides it (``gemen-⏎samt`` is
    ``gemensamt`` where the document writes that, ``byggnads-⏎eller`` a suspended
    compound), so a difference in the counts is a word lost or repeated, not a hyphen
    judged differently; without it, every line-end hyphen joins.
    """
    from indexer.extraction.normalize import _LINE_END_HYPHEN as INDEXER_LINE_END_HYPHEN
    from indexer.extraction.normalize import LIGATURES, _rejoin
    from indexer.index.spelling import ROMANIAN_COMMA_BELOW

    text = text.translate(str.maketrans(LIGATURES))
    if vocab is not None:
        text = INDEXER_LINE_END_HYPHEN.sub(lambda m: _rejoin(m, vocab), text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", _CID.sub(" ", text)).lower().translate(ROMANIAN_COMMA_BELOW)
    text = _INNER_HYPHEN.sub("", _LINE_END_HYPHEN.sub(r"\1", text))
    return Counter(_WORD.findall(text))


@dataclass(slots=True)
class PageResult:
    """One page compared: counts of words (see the module docstring)."""

    number: int
    expected: int  # pdfminer's words minus running headers/footers
    matched: int
    running: int
    duplicated: int
    extra: int
    missing: list[str]

    @property
    def coverage(self) -> float:
        return self.matched / self.expected if self.expected else 1.0


@dataclass(slots=True)
class FileResult:
    path: str
    pages: list[PageResult] = field(default_factory=list)
    no_text_layer: int = 0  # pages the indexer hands to OCR
    no_text_words: int = 0
    unreadable_pages: int = 0
    failure: str | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0


class FileTimeout(BaseException):
    """A file over :data:`FILE_TIMEOUT` (not an Exception: a page's error handling must not
    take it for that page's error)."""


def _timeout(_signum: int, _frame: Any) -> None:
    raise FileTimeout(f"timeout (over {FILE_TIMEOUT} s)")


def _init_worker() -> None:
    limit = WORKER_MEMORY_MB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    signal.signal(signal.SIGALRM, _timeout)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str, passwords: tuple[str, ...]) -> FileResult:
    """Compare every page of one file (in a worker process of its own)."""
    from pdfminer.converter import TextConverter
    from pdfminer.layout import LTPage
    from pdfminer.pdfinterp import PDFResourceManager

    from indexer.errors import ExtractionError
    from indexer.extraction.normalize import (
        LIGATURES,
        TextQuality,
        normalize_document,
        strip_running_lines,
        vocabulary,
    )
    from indexer.extraction.pdf import LAPARAMS, iter_pages

    result = FileResult(path)
    started = time.monotonic()
    references: dict[int, str] = {}

    def reference(number: int, layout: LTPage) -> None:
        out = io.StringIO()
        TextConverter(PDFResourceManager(), out, laparams=LAPARAMS).receive_layout(layout)
        references[number] = out.getvalue()

    signal.alarm(FILE_TIMEOUT)
    try:
        raw = list(iter_pages(Path(path), passwords, on_layout=reference))
    except ExtractionError as exc:
        result.failure = f"{exc.reason}: {exc.detail}"
        return result
    except FileTimeout as exc:
        result.failure = str(exc)
        return result
    except MemoryError:
        result.failure = f"out-of-memory (over {WORKER_MEMORY_MB} MB)"
        return result
    finally:
        signal.alarm(0)
    readable = [p for p in raw if p.error is None]
    result.unreadable_pages = len(raw) - len(readable)
    texts = [p.text for p in readable]
    cleaned = normalize_document(texts)  # what the indexer indexes
    stripped = strip_running_lines(texts)  # what normalize_document started from
    table = str.maketrans(LIGATURES)
    vocab = vocabulary(p.translate(table) for p in stripped)  # as normalize_document has it
    for page, clean, kept in zip(readable, cleaned, stripped, strict=True):
        ref = words(references.get(page.number, ""), vocab)
        if clean.quality in (TextQuality.EMPTY, TextQuality.UNMAPPED):
            result.no_text_layer += 1
            result.no_text_words += sum(ref.values())
            continue
        running = (words(page.text, vocab) - words(kept, vocab)) & ref
        expected = ref - running
        indexed = words(clean.text)
        result.pages.append(
            PageResult(
                number=page.number,
                expected=sum(expected.values()),
                matched=sum((indexed & expected).values()),
                running=sum(running.values()),
                duplicated=sum(n - ref[w] for w, n in indexed.items() if 0 < ref[w] < n),
                extra=sum(n for w, n in indexed.items() if ref[w] == 0),
                missing=sorted((expected - indexed).elements())[:12],
            )
        )
    result.seconds = time.monotonic() - started
    result.peak_mb = _peak_mb()
    return result


def passwords(folder: Path) -> tuple[str, ...]:
    """The passwords SOURCES.tsv lists for the collection's encrypted files."""
    tsv = folder / "SOURCES.tsv"
    if not tsv.is_file():
        return ()
    found = re.finditer(r"(?:password|user|owner) '([^']+)'", tsv.read_text())
    return tuple(dict.fromkeys(m.group(1) for m in found))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 1.0


def report(results: list[FileResult], folder: Path) -> str:
    by_folder: dict[str, list[FileResult]] = {}
    for r in results:
        by_folder.setdefault(Path(r.path).parent.name, []).append(r)
    head = ("| folder | files | pages | coverage mean | min | 1st pct | pages < 99% | "
            "running-header words | duplicated | extra | pages without text layer | "
            "unreadable pages / files |")  # fmt: skip
    lines = [head, "|" + "---|" * 12]
    for name in [*sorted(by_folder), "all"]:
        group = results if name == "all" else by_folder[name]
        pages = [p for r in group for p in r.pages]
        cov = [p.coverage for p in pages]
        expected = sum(p.expected for p in pages)
        lines.append(
            f"| {name} | {len(group)} | {len(pages)} | "
            f"{statistics.fmean(cov) if cov else 1:.4f} | {min(cov, default=1):.4f} | "
            f"{percentile(cov, 0.01):.4f} | {sum(1 for c in cov if c < TARGET)} | "
            f"{sum(p.running for p in pages):,} | {sum(p.duplicated for p in pages):,} | "
            f"{sum(p.extra for p in pages):,} | "
            f"{sum(r.no_text_layer for r in group)} ({sum(r.no_text_words for r in group):,}"
            f" words) | {sum(r.unreadable_pages for r in group)} / "
            f"{sum(1 for r in group if r.failure)} |"
        )
        if name == "all":
            matched = sum(p.matched for p in pages)
            lines.append(
                f"\nwords compared: {expected:,}, matched {matched:,} "
                f"({matched / max(1, expected):.4%})"
            )
    lines.append(f"\npages under {TARGET:.0%} coverage:")
    for r in results:
        for p in r.pages:
            if p.coverage < TARGET:
                rel = Path(r.path).relative_to(folder)
                lines.append(
                    f"  {rel} p{p.number}: {p.coverage:.4f} ({p.matched}/{p.expected}); "
                    f"missing: {' '.join(p.missing)}"
                )
    lines.append("\nfiles pdfminer cannot read:")
    lines += [f"  {Path(r.path).relative_to(folder)}: {r.failure}" for r in results if r.failure]
    lines.append("\nduplicated words:")
    for r in results:
        for p in r.pages:
            if p.duplicated:
                rel = Path(r.path).relative_to(folder)
                lines.append(f"  {rel} p{p.number}: {p.duplicated}")
    lines.append("\nmost memory (peak RSS of the process reading the file):")
    for r in sorted(results, key=lambda r: -r.peak_mb)[:8]:
        rel = Path(r.path).relative_to(folder)
        lines.append(f"  {r.peak_mb:6.0f} MB  {rel} ({r.seconds:.1f} s)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "realpdfs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tsv", type=Path, help="also write one row per page here")
    opts = parser.parse_args()
    if not opts.folder.is_dir():
        sys.exit(f"fidelity: {opts.folder} not found (the real-world PDF collection)")
    files = sorted(p for p in opts.folder.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
    secrets = passwords(opts.folder)
    started = time.monotonic()
    ctx = get_context("fork")
    with ctx.Pool(opts.workers, initializer=_init_worker, maxtasksperchild=1) as pool:
        jobs = [pool.apply_async(measure, (str(p), secrets)) for p in files]
        results = []
        for path, job in zip(files, jobs, strict=True):
            try:
                results.append(job.get(FILE_TIMEOUT + 60))
            except Exception as exc:  # a worker that died: report the file, go on
                results.append(FileResult(str(path), failure=f"{type(exc).__name__}: {exc}"))
    print(f"collection: {opts.folder} ({len(files)} PDFs), {time.monotonic() - started:.0f} s, "
          f"{opts.workers} workers\n")  # fmt: skip
    print(report(results, opts.folder))
    if opts.tsv:
        with opts.tsv.open("w") as out:
            out.write("file\tpage\tcoverage\tmatched\texpected\trunning\tduplicated\textra\n")
            for r in results:
                for p in r.pages:
                    out.write(f"{Path(r.path).relative_to(opts.folder)}\t{p.number}\t"
                              f"{p.coverage:.4f}\t{p.matched}\t{p.expected}\t{p.running}\t"
                              f"{p.duplicated}\t{p.extra}\n")  # fmt: skip


if __name__ == "__main__":
    main()
