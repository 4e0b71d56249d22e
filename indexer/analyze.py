"""One file's raw pages -> page texts: normalization, language detection, OCR planning.

:func:`file_text` is the per-file step that needs no index. It runs where the file is
extracted (a worker process of :mod:`indexer.workers`, a task of :mod:`indexer.cluster`),
also for files whose extraction comes from the cache, so a rebuild uses every core and the
index writer only writes. It is deterministic: the same pages and request give the same
:class:`~indexer.records.FileText` in any process (:func:`indexer.pipeline.build_publication`
calls it itself when a worker could not).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from indexer.normalize import (
    CleanText,
    TextQuality,
    for_language,
    normalize_document,
    unnormalized_document,
)
from indexer.records import FileText, OcrPage, PageText, RawPage, TextRequest
from indexer.schema import UNDETERMINED

#: A page covered by images at least this much, with fewer letters than SPARSE_LETTERS,
#: is a scan with at most a stamped header or page number: it is read with OCR too.
SCAN_IMAGE_SHARE = 0.5
SPARSE_LETTERS = 200
_LETTERS = re.compile(r"[^\W\d_]")
DEFAULT_REQUEST = TextRequest()


def file_text(
    raw_pages: Sequence[RawPage],
    request: TextRequest = DEFAULT_REQUEST,
    ocr: Mapping[int, OcrPage] | None = None,
) -> FileText:
    """Normalize and language-tag a file's pages; with no `ocr`, also plan its OCR.

    `ocr` holds what OCR read on some pages: it replaces their text layer before
    normalization, so OCR text is cleaned and tagged like any page (pages whose OCR
    failed keep their text layer).
    """
    from indexer.language import detect_document  # langdetect: only when there is work

    read = {n: o for n, o in (ocr or {}).items() if o.error is None}
    texts = [read[p.number].text if p.number in read else p.text for p in raw_pages]
    cleaned = normalize_document(texts) if request.normalize else unnormalized_document(texts)
    guesses = detect_document([c.text for c in cleaned], request.languages)
    pages = []
    for raw, clean, guess in zip(raw_pages, cleaned, guesses, strict=True):
        quality = "error" if raw.error else str(clean.quality)
        language = guess.code if clean.quality is TextQuality.OK else UNDETERMINED
        pages.append(PageText(raw.number, for_language(clean.text, language), language, quality))
    if ocr is not None:
        return FileText(tuple(pages))
    planning = cleaned if request.normalize else normalize_document(texts)
    needs = tuple(pages_needing_ocr(raw_pages, request.ocr_mode, planning))
    languages: tuple[str, ...] = ()
    if needs and request.ocr_runs:
        languages = ocr_languages(request.languages, raw_pages, planning, needs)
    return FileText(tuple(pages), needs, languages)


def pages_needing_ocr(
    raw_pages: Sequence[RawPage], mode: str = "auto", cleaned: Sequence[CleanText] | None = None
) -> list[int]:
    """The pages OCR should read: every readable page with ``force``; else those without
    usable text: no text layer, unmapped glyphs, a garbled layer, or a scan (mostly image)
    with little text. `cleaned` is the document normalized, if the caller has it."""
    if mode == "force":
        return [p.number for p in raw_pages if not p.error]
    if cleaned is None:
        cleaned = normalize_document([p.text for p in raw_pages])
    return [
        raw.number
        for raw, clean in zip(raw_pages, cleaned, strict=True)
        if not raw.error
        and (
            clean.quality is not TextQuality.OK
            or (
                raw.image_share >= SCAN_IMAGE_SHARE
                and len(_LETTERS.findall(clean.text)) < SPARSE_LETTERS
            )
        )
    ]


def ocr_languages(
    declared: Sequence[str],
    raw_pages: Sequence[RawPage],
    cleaned: Sequence[CleanText],
    skip: Collection[int],
) -> tuple[str, ...]:
    """The languages to read a file's scanned pages in: the catalog entry's (`declared`),
    else those detected on its other pages (at most two, most pages first), else none
    (then the script Tesseract's OSD sees picks: see :data:`indexer.ocr.SCRIPT_DEFAULTS`)."""
    if declared:
        return tuple(declared)
    others = [
        c.text
        for raw, c in zip(raw_pages, cleaned, strict=True)
        if raw.number not in skip and c.quality is TextQuality.OK
    ]
    if not others:
        return ()
    from indexer.language import detect_document

    counts = Counter(g.code for g in detect_document(others) if g.code != UNDETERMINED)
    return tuple(code for code, _ in counts.most_common(2))
