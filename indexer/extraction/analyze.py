"""One file's raw pages -> page texts: normalization, language detection, OCR planning.

:func:`file_text` is the per-file step that needs no index. It runs where the file is
extracted (a worker process of :mod:`indexer.execution.pool`, also inside a Dask task of
:mod:`indexer.execution.cluster`), for files whose extraction comes from the cache too, so a rebuild
uses every core and the index writer only writes. It is deterministic: the same pages and
request give the same :class:`~indexer.model.FileText` in any process
(:func:`indexer.planning.records.build_publication` calls it itself when no worker did).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from indexer.extraction import ocr_plan
from indexer.extraction.normalize import (
    TextQuality,
    normalize_document,
    unnormalized_document,
)
from indexer.index.schema import UNDETERMINED
from indexer.index.spelling import for_language
from indexer.model import (
    FileText,
    OcrPage,
    PageQuality,
    PageText,
    RawPage,
    Source,
    TextRequest,
)

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
    from indexer.extraction.language import detect_document  # langdetect: only when there is work

    read = {n: o for n, o in (ocr or {}).items() if o.error is None}
    texts = [read[p.number].text if p.number in read else p.text for p in raw_pages]
    cleaned = normalize_document(texts) if request.normalize else unnormalized_document(texts)
    guesses = detect_document([c.text for c in cleaned], request.languages)
    pages = []
    for raw, clean, guess in zip(raw_pages, cleaned, guesses, strict=True):
        language = guess.code if clean.quality is TextQuality.OK else UNDETERMINED
        quality = PageQuality.ERROR if raw.error else PageQuality(clean.quality)
        text = for_language(clean.text, language)
        pages.append(PageText(number=raw.number, text=text, language=language, quality=quality))
    if ocr is not None:
        return FileText(pages=tuple(pages))
    planning = cleaned if request.normalize else normalize_document(texts)
    needs = tuple(ocr_plan.pages_needing_ocr(raw_pages, request.ocr_mode, planning))
    languages: tuple[str, ...] = ()
    if needs and request.ocr_runs:
        if request.languages:
            languages = request.languages
        else:  # detected on the other pages
            anywhere = Source(path=None)
            languages = ocr_plan.ocr_languages(anywhere, raw_pages, planning, skip=needs)
    return FileText(pages=tuple(pages), needs_ocr=needs, ocr_languages=languages)
