"""Extracted pages -> publication and page records: titles, normalization,
language tags, and the file record and event that report the outcome.

:func:`build_publication` normalizes, detects languages and makes the
:class:`~indexer.model.Publication` and its :class:`~indexer.model.Page` records;
:func:`file_record` and :func:`written_event` summarize what was written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from indexer.extraction.tesseract import APT_HINT
from indexer.index.schema import UNDETERMINED
from indexer.model import (
    WRITTEN,
    Action,
    CatalogEntry,
    Change,
    Extraction,
    FileEvent,
    FileFailure,
    FileRecord,
    FileText,
    OcrMode,
    OcrPage,
    OcrSettings,
    OcrState,
    Page,
    PageQuality,
    PdfInfo,
    Publication,
    RawPage,
    Reason,
    Source,
    Status,
    Step,
    TextRequest,
    meta_of,
)
from indexer.planning.changes import file_sha256
from indexer.planning.reread import merge

NO_PAGES_READ = "no pages could be read"


def ocr_notes(events: Sequence[FileEvent], settings: OcrSettings) -> tuple[str, ...]:
    """What the user should know about pages left without OCR, and how to fix it."""
    needing = sum(e.needs_ocr for e in events if e.action in WRITTEN)
    if not needing:
        return ()
    pages = f"{needing} page{'s' if needing != 1 else ''}"
    if settings.mode is OcrMode.OFF:
        return (
            f"{pages} without usable text need OCR (--ocr off); index again with "
            "--ocr auto to read them",
        )
    if not settings.available:
        return (
            f"{pages} without usable text need OCR, but Tesseract is not installed; "
            f"install it with: {APT_HINT}",
        )
    return (
        f"{pages} could not be read with OCR (see the files' details); "
        "--retry-failed (with a larger --ocr-timeout) tries them again",
    )


# ---------------------------------------------------------------- titles

_EXPORT_PREFIX = re.compile(
    r"^(microsoft (word|powerpoint|excel)|untitled|document\d*)\b\s*-?\s*", re.I
)
_FILE_NAME = re.compile(r"^[\w.\-]+\.(docx?|odt|rtf|pdf|xlsx?|pptx?|indd|qxd)$", re.I)
_LATIN1_LETTERS = re.compile(r"[\u00c0-\u00ff]")


def _plausible_title(text: str | None) -> bool:
    """A document-info title or a first-page line that reads like a title."""
    if not text:
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or len(text) > 200 or _FILE_NAME.match(text):
        return False
    if len(letters) < 0.5 * len(text.replace(" ", "")):
        return False  # mostly digits and punctuation: "Prop. 2012/13:144", "4 2 0"
    # Cyrillic or UTF-8 read as Latin-1 ("Ñâåäåíèÿ"): many accented Latin-1 letters.
    return len(_LATIN1_LETTERS.findall(text)) < 0.3 * len(letters)


def guess_title(info_title: str | None, first_page: str, file_stem: str) -> str:
    """A title for a PDF outside the catalog: its document-info title when that is a real
    title (not "Microsoft Word - 121314400", a file name or mojibake), else the first
    title-like block of the first page, else the file name."""
    if info_title:
        info_title = _EXPORT_PREFIX.sub("", info_title).strip()
        if _plausible_title(info_title) and len(info_title.split()) >= 2:
            return info_title
    for block in first_page.split("\n\n")[:6]:
        line = " ".join(block.split())
        if len(line.split()) >= 2 and _plausible_title(line):
            return line
    if _plausible_title(info_title):
        return str(info_title)
    return re.sub(r"[_\s]+", " ", file_stem).strip() or file_stem


# ---------------------------------------------------------------- publications and pages


def _pages(
    raw_pages: Sequence[RawPage],
    text: FileText,
    ocr: Mapping[int, OcrPage],
    needs_ocr: Collection[int],
) -> list[Page]:
    """The page records: each raw page with its text and language, and its OCR state."""
    read_by_ocr = {n: o for n, o in ocr.items() if o.error is None}
    pages: list[Page] = []
    for raw, page in zip(raw_pages, text.pages, strict=True):
        read = read_by_ocr.get(raw.number)
        if read is not None:
            state, confidence = OcrState.DONE, read.confidence
        else:
            state = OcrState.NEEDED if raw.number in needs_ocr else OcrState.NONE
            confidence = None
        pages.append(
            Page(
                number=raw.number,
                text=page.text,
                language=page.language,
                quality=page.quality,
                error=raw.error,
                ocr=state,
                ocr_confidence=confidence,
            )
        )
    return pages


def build_publication(
    source: Source,
    pub_id: str,
    *,
    sha256: str,
    info: PdfInfo,
    raw_pages: Sequence[RawPage],
    normalize: bool = True,
    ocr: Mapping[int, OcrPage] | None = None,
    needs_ocr: Collection[int] = (),
    text: FileText | None = None,
    indexed: Mapping[int, Page] | None = None,
) -> tuple[Publication, list[Page]]:
    """The publication and page records of one source (`normalize=False`: the evaluation
    ablation without text normalization). `indexed`: the pages the index holds of this
    file, content unchanged; each page this reading lost keeps its indexed text
    (:func:`indexer.planning.reread.merge`).

    `text`: the pages normalized and language-tagged (:func:`indexer.extraction.analyze.file_text`,
    with `ocr`'s text in) by the worker that read them; without it that is done here.
    `ocr` holds what OCR read on some pages; pages in `needs_ocr` that OCR did not read are
    marked as still needing it."""
    from indexer.extraction.analyze import file_text  # langdetect: only when no worker did it

    entry = source.entry
    assert source.path is not None
    if text is None:
        request = TextRequest(languages=entry.languages if entry else (), normalize=normalize)
        text = file_text(raw_pages, request, ocr or None)
    pages = _pages(raw_pages, text, ocr or {}, needs_ocr)
    if indexed:
        pages, _ = merge(pages, indexed)
    if entry is not None:
        return _publication(entry, source, sha256=sha256, pages=len(pages)), pages
    first_text = next((p.text for p in pages if p.text), "")
    pub = Publication(
        id=pub_id,
        title=guess_title(info.title, first_text, source.path.stem),
        authors=tuple(a for a in [info.author] if a),
        year=info.year,
        languages=tuple(sorted({p.language for p in pages if p.text} - {UNDETERMINED})),
        path=str(source.path),
        abspath=os.path.abspath(source.path),
        sha256=sha256,
        page_count=len(pages),
    )
    return pub, pages


def _publication(entry: CatalogEntry, source: Source, *, sha256: str, pages: int) -> Publication:
    """A catalog entry's publication (its metadata, the source's file)."""
    path = source.path
    return Publication(
        **meta_of(entry),
        path=str(path) if path is not None else "",
        abspath=os.path.abspath(path) if path is not None else "",
        sha256=sha256,
        page_count=pages,
    )


def kept_publication(source: Source, indexed: Publication) -> Publication:
    """The publication of a file whose `indexed` pages are kept, for the file as it is
    now: its path, and its catalog entry's metadata."""
    if source.entry is not None:
        return _publication(source.entry, source, sha256=indexed.sha256, pages=indexed.page_count)
    assert source.path is not None
    return replace(indexed, path=str(source.path), abspath=os.path.abspath(source.path))


def metadata_only(source: Source) -> tuple[Publication, list[Page]]:
    """A catalog entry without a PDF (a film): indexed as one page-0 document."""
    assert source.entry is not None and source.path is None
    empty = Page(number=0, text="", language=UNDETERMINED, quality=PageQuality.NONE)
    return _publication(source.entry, source, sha256="", pages=0), [empty]


def read_publication(
    source: Source, pub_id: str, passwords: Sequence[str] = ()
) -> tuple[Publication, list[Page]]:
    """Extract (in this process, no limits) and build one source: for tests and tools."""
    from indexer.extraction.pdf import iter_pages  # pdfminer: loaded only by those who extract

    assert source.path is not None
    infos: list[PdfInfo] = []
    raw_pages = list(iter_pages(source.path, passwords, infos.append))
    return build_publication(
        source, pub_id, sha256=file_sha256(source.path), info=infos[0], raw_pages=raw_pages
    )


# ---------------------------------------------------------------- outcome

ACTION_OF = {Step.ADD: Action.ADDED, Step.UPDATE: Action.UPDATED, Step.RENAME: Action.RENAMED}


def file_record(change: Change, ocr_mode: OcrMode) -> FileRecord:
    """The file record of a source as planned, before its outcome is known (failed)."""
    source = change.source
    assert source is not None
    return FileRecord(
        key=source.key,
        id=change.id,
        path=str(source.path) if source.path is not None else "",
        abspath=source.key if source.path is not None else "",
        size=change.size,
        mtime_ns=change.mtime_ns,
        sha256=change.sha256,
        status=Status.FAILED,
        source=source.origin,
        meta_hash=source.meta_hash,
        ocr_mode=ocr_mode if source.path is not None else "",
    )


def failed(change: Change, extraction: Extraction, ocr_mode: OcrMode) -> FileRecord:
    """The record of a file that could not be read at all."""
    failure = extraction.failure or FileFailure(reason=Reason.CORRUPT, detail=NO_PAGES_READ)
    record = file_record(change, ocr_mode)
    return replace(record, reason=failure.reason, detail=failure.detail)


def _status(pages: Sequence[Page]) -> Status:
    if any(p.error for p in pages):
        return Status.PARTIAL
    return Status.INDEXED if any(p.text for p in pages) else Status.NO_TEXT


def _page_detail(pages: Sequence[Page], ocr: Mapping[int, OcrPage]) -> str:
    """What the file's record says of its pages: why pages failed, and OCR's notes (a
    page read at a lower resolution, or without orientation detection), by page."""
    reasons: dict[str, list[int]] = {}
    for p in pages:
        if p.error:
            reasons.setdefault(str(p.error), []).append(p.number)
    for number, read in sorted(ocr.items()):
        if read.error:
            reasons.setdefault(f"OCR {read.error}", []).append(number)
        elif read.note:
            reasons.setdefault(f"OCR {read.note}", []).append(number)
    if not reasons:
        return ""
    return "; ".join(f"page {','.join(map(str, ns))}: {r}" for r, ns in reasons.items())


def written(
    change: Change,
    pages: Sequence[Page],
    *,
    ocr_mode: OcrMode,
    ocr: Mapping[int, OcrPage],
    from_cache: bool,
) -> tuple[FileRecord, FileEvent]:
    """The file record and the event of a file whose pages were built."""
    source = change.source
    assert source is not None
    failed_pages = tuple(p.number for p in pages if p.error)
    detail = _page_detail(pages, ocr)
    still = sum(1 for p in pages if p.ocr is OcrState.NEEDED)
    record = replace(
        file_record(change, ocr_mode),
        status=_status(pages),
        detail=detail,
        failed_pages=failed_pages,
        page_count=len(pages),
        needs_ocr=still,
    )
    renamed = change.step is Step.RENAME and change.record is not None
    event = FileEvent(
        action=ACTION_OF[change.step],
        path=str(source.path),
        id=change.id,
        pages=len(pages),
        pages_without_text=sum(1 for p in pages if not p.text),
        failed_pages=failed_pages,
        languages=tuple(sorted({p.language for p in pages if p.text})),
        detail=detail,
        previous_path=change.record.path if renamed and change.record else "",
        from_cache=from_cache,
        ocr_pages=sum(1 for p in pages if p.ocr is OcrState.DONE),
        needs_ocr=still,
        ocr_seconds=round(sum(o.seconds for o in ocr.values()), 3),
    )
    return record, event
