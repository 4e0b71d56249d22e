"""OCR of scanned pages: render with PDFium (pypdfium2), read with Tesseract.

Rendering and Tesseract runs are in :mod:`indexer.extraction.tesseract`. One page at a time:

1. render the page to an 8-bit grey image at :data:`DPI` (the page's own /Rotate applied),
   or at the highest lower resolution that keeps it within :data:`MAX_PIXELS` (a poster:
   the page's ``note`` says so), so that memory stays bounded whatever the page size;
2. look the image up in the :class:`OcrCache` (key: SHA-256 of the pixels, languages and
   engine versions), so a page is never read twice, whatever file it comes in;
3. detect its orientation and script with Tesseract's OSD (``--psm 0``); a page the OSD
   reads as turned is rendered again, turned upright; a page whose OSD times out is read
   as it is (its ``note`` says so, and the reading is not cached);
4. read it with ``tesseract -l <languages> --psm 3`` into TSV: words with confidences,
   rebuilt into lines and paragraphs so that normalization treats OCR text like a text
   layer (line-end hyphens, running headers).

Languages: the caller's (ISO 639-1 codes, mapped by :data:`TESSERACT_LANGUAGES`), limited
to the language packs installed; with none, the OSD script picks a default set
(:data:`SCRIPT_DEFAULTS`). Tesseract runs single-threaded (``OMP_THREAD_LIMIT=1``): the
worker pool gives the parallelism, and OpenMP threads on top of it make each page several
times slower.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from indexer.errors import OcrUnavailableError
from indexer.extraction import tesseract
from indexer.extraction.cache import JsonCache, write_json_gz
from indexer.extraction.tesseract import (
    APT_HINT,
    DPI,
    FALLBACK_LANGUAGES,
    SCRIPT_DEFAULTS,
    Engine,
    Image,
    OcrWord,
    Orientation,
    orientation,
    recognize_words,
    render,
    require_engine,
)
from indexer.extraction.word_boxes import WordBox, words_from_json, words_to_json
from indexer.model import OcrPage, OcrPlan

#: Bumped whenever OCR output changes for the same image (part of the cache key).
OCR_VERSION = 1


# ---------------------------------------------------------------- cache


class OcrCache(JsonCache):
    """OCR results on disk, by SHA-256 of the rendered page and the OCR settings."""

    subdir = "ocr"
    version = OCR_VERSION

    def key(self, image: Image, languages: Sequence[str], eng: Engine) -> str:
        material = json.dumps([image.digest, list(languages), eng.version, DPI, OCR_VERSION])
        return hashlib.sha256(material.encode()).hexdigest()

    def get(self, key: str) -> OcrPage | None:
        try:
            with gzip.open(self._file(key), "rt", encoding="utf-8") as fp:
                return OcrPage(**json.load(fp))
        except (OSError, ValueError, TypeError):
            return None

    def put(self, key: str, page: OcrPage) -> None:
        write_json_gz(self._file(key), asdict(page))


# ---------------------------------------------------------------- one page


def ocr_page(
    path: Path,
    number: int,
    languages: Sequence[str] = (),
    passwords: Sequence[str] = (),
    cache: OcrCache | None = None,
    timeout: float | None = None,
    osd_timeout: float | None = None,
) -> OcrPage:
    """Read page `number` of the PDF at `path` with OCR, in `languages` (ISO codes; empty:
    by the script the OSD sees), each Tesseract run within `timeout` seconds (the OSD's
    within `osd_timeout`, when given). Raises :class:`OSError` when the page cannot be
    rendered or Tesseract fails, :class:`OcrUnavailableError` without Tesseract, and
    :class:`subprocess.TimeoutExpired` when reading it takes too long."""
    eng = require_engine()
    started = time.monotonic()
    image = first = render(path, number, passwords)
    key = cache.key(image, languages, eng) if cache is not None else ""
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:  # the same pixels in any file: no second reading
            return replace(hit, number=number, seconds=0.0, cached=True)
    osd_limit = timeout if osd_timeout is None else osd_timeout
    turn = orientation(image, osd_limit) if eng.osd else Orientation()
    rotation, script = turn.degrees, turn.script
    if rotation:
        image = render(path, number, passwords, rotation)
    packs = eng.packs(languages) or eng.packs(SCRIPT_DEFAULTS.get(script or "", ()))
    packs = packs or eng.packs(FALLBACK_LANGUAGES) or sorted(eng.languages - {"osd"})[:1]
    if not packs:
        raise OcrUnavailableError(f"no Tesseract language pack is installed; {APT_HINT}")
    text, confidence, words = recognize_words(image, packs, timeout)
    if cache is not None:  # kept for marking matches on the page picture
        OcrWordsCache(cache.root).put(first.digest, upright_words(words, rotation, image))
    notes = [f"{turn.note}: read as it is"] if turn.note else []
    if image.dpi != DPI:
        notes.append(
            f"rendered at {image.dpi} dpi, not {DPI}: at {DPI} dpi the page would be over "
            f"{tesseract.MAX_PIXELS // 1_000_000} million pixels"
        )
    page = OcrPage(
        number=number,
        text=text,
        confidence=confidence,
        rotation=rotation,
        languages="+".join(packs),
        seconds=round(time.monotonic() - started, 3),
        note="; ".join(notes),
    )
    if cache is not None and not turn.note:  # (a reading without OSD is not kept)
        cache.put(key, page)
    return page


def planned_page(
    path: Path, number: int, plan: OcrPlan, passwords: Sequence[str], cache: OcrCache | None
) -> OcrPage:
    """:func:`ocr_page` for page `number` of an :class:`~indexer.model.OcrPlan`."""
    return ocr_page(
        path,
        number,
        plan.languages,
        passwords,
        cache,
        timeout=plan.timeout,
        osd_timeout=plan.osd_timeout,
    )


# ---------------------------------------------------------------- word boxes


def upright_words(words: Sequence[OcrWord], rotation: int, image: Image) -> list[WordBox]:
    """Words read from `image` (the page turned `rotation` degrees clockwise) with their
    boxes carried back to the page as rendered unturned, as fractions of its width and
    height."""
    w, h = image.width, image.height  # of the turned image
    found: list[WordBox] = []
    for word in words:
        corners = [(word.x0, word.y0), (word.x1, word.y1)]
        if rotation == 90:  # turned clockwise: the page's (x, y) is at (w - y, x) here
            points = [(y, w - x) for x, y in corners]
            pw, ph = h, w
        elif rotation == 180:
            points = [(w - x, h - y) for x, y in corners]
            pw, ph = w, h
        elif rotation == 270:
            points = [(h - y, x) for x, y in corners]
            pw, ph = h, w
        else:
            points, pw, ph = corners, w, h
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs) / pw, min(ys) / ph, max(xs) / pw, max(ys) / ph)
        found.append(WordBox(text=word.text, box=box))
    return found


class OcrWordsCache(JsonCache):
    """Tesseract's word boxes of each OCR'd page (see :func:`upright_words`), by the SHA-256
    of the page rendered unturned at :data:`DPI`: what the page picture marks matches on.
    Each entry is :func:`~indexer.extraction.word_boxes.words_to_json`'s form."""

    subdir = "ocr-words"
    version = 1

    def get(self, digest: str) -> tuple[WordBox, ...] | None:
        try:
            with gzip.open(self._file(digest), "rt", encoding="utf-8") as fp:
                data = json.load(fp)
            return words_from_json(data) if isinstance(data, dict) else None
        except (OSError, ValueError, KeyError):  # absent or unreadable: no boxes for this page
            return None

    def put(self, digest: str, words: Sequence[WordBox]) -> None:
        write_json_gz(self._file(digest), words_to_json(words))
