"""Which pages of a file OCR should read, and in which languages.

Planned where the file is extracted (:func:`indexer.extraction.analyze.file_text`), from the
raw pages and their normalized text; :mod:`indexer.extraction.ocr` then reads them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

from indexer.extraction.normalize import CleanText, TextQuality, normalize_document
from indexer.index.schema import UNDETERMINED
from indexer.model import OcrMode, RawPage, Source

#: A page covered by images at least this much, with fewer letters than SPARSE_LETTERS,
#: is a scan with at most a stamped header or page number: it is read with OCR too.
SCAN_IMAGE_SHARE = 0.5
SPARSE_LETTERS = 200
_LETTERS = re.compile(r"[^\W\d_]")


def pages_needing_ocr(
    raw_pages: Sequence[RawPage],
    mode: OcrMode | str = OcrMode.AUTO,
    cleaned: Sequence[CleanText] | None = None,
) -> list[int]:
    """The pages OCR should read: every readable page with ``force``; else those without
    usable text: no text layer, unmapped glyphs, a garbled layer, or a scan (mostly image)
    with little text. `cleaned` is the document normalized, if the caller has it."""
    if mode == OcrMode.FORCE:
        return [p.number for p in raw_pages if not p.error]
    if cleaned is None:
        cleaned = normalize_document([p.text for p in raw_pages])

    def scan(raw: RawPage, clean: CleanText) -> bool:
        sparse = len(_LETTERS.findall(clean.text)) < SPARSE_LETTERS
        return raw.image_share >= SCAN_IMAGE_SHARE and sparse

    return [
        raw.number
        for raw, clean in zip(raw_pages, cleaned, strict=True)
        if not raw.error and (clean.quality is not TextQuality.OK or scan(raw, clean))
    ]


def ocr_languages(
    source: Source,
    raw_pages: Sequence[RawPage],
    cleaned: Sequence[CleanText],
    *,
    skip: Collection[int],
) -> tuple[str, ...]:
    """The languages to read a file's scanned pages in: the catalog entry's, else those
    detected on its other pages (at most two, most pages first), else none (then the
    script Tesseract's OSD sees picks: see :data:`indexer.extraction.tesseract.SCRIPT_DEFAULTS`)."""
    if source.entry is not None and source.entry.languages:
        return source.entry.languages
    others = [
        c.text
        for raw, c in zip(raw_pages, cleaned, strict=True)
        if raw.number not in skip and c.quality is TextQuality.OK
    ]
    if not others:
        return ()
    from indexer.extraction.language import detect_document  # langdetect: only when there is work

    counts = Counter(g.code for g in detect_document(others) if g.code != UNDETERMINED)
    return tuple(code for code, _ in counts.most_common(2))
