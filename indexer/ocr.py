"""OCR of scanned pages: render with PDFium (pypdfium2), read with Tesseract.

The only pypdfium2 import and the only place Tesseract is run. One page at a time:

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

import functools
import gzip
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from indexer.cache import JsonCache, write_json_gz
from indexer.errors import OcrUnavailableError
from indexer.model import OcrPage, OcrPlan

#: Bumped whenever OCR output changes for the same image (part of the cache key).
OCR_VERSION = 1
DPI = 300
#: Most pixels a page is rendered with: A3 at 300 dpi (17.4 million) fits; an A0 poster
#: (139 million at 300 dpi) is rendered at 107 dpi instead. The image, its copies and
#: Tesseract's working memory then stay within the worker's memory limit.
MAX_PIXELS = 18_000_000
#: The Tesseract program: ``$PUBSEARCH_TESSERACT``, else ``tesseract`` on the PATH.
TESSERACT = os.environ.get("PUBSEARCH_TESSERACT", "tesseract")
#: ISO 639-1 (and ``rom``) -> Tesseract language pack (fmt: skip: a table, six pairs a line).
TESSERACT_LANGUAGES = {
    "sv": "swe", "en": "eng", "ro": "ron", "bg": "bul", "ru": "rus", "uk": "ukr",
    "no": "nor", "da": "dan", "fi": "fin", "de": "deu", "fr": "fra", "es": "spa",
    "it": "ita", "nl": "nld", "pl": "pol", "pt": "por", "hu": "hun", "tr": "tur",
    "rom": "ron",  # Romani in Latin script: Romanian's letters (ă, ș, ț) cover it best
}  # fmt: skip
#: When a page's languages are unknown: the collection's languages in the script OSD saw.
SCRIPT_DEFAULTS = {"Latin": ("sv", "en"), "Cyrillic": ("ru", "bg")}
FALLBACK_LANGUAGES = ("sv", "en")
APT_PACKAGES = (
    "tesseract-ocr tesseract-ocr-osd tesseract-ocr-swe tesseract-ocr-eng tesseract-ocr-ron "
    "tesseract-ocr-bul tesseract-ocr-rus"
)
APT_HINT = f"apt-get install {APT_PACKAGES}"
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


@dataclass(frozen=True, slots=True)
class Engine:
    """The installed Tesseract: its version line and language packs."""

    version: str
    languages: frozenset[str]

    @property
    def osd(self) -> bool:
        return "osd" in self.languages

    def packs(self, codes: Sequence[str]) -> list[str]:
        """The installed packs for ISO codes `codes`, in order, without repeats."""
        packs: list[str] = []
        for code in codes:
            pack = TESSERACT_LANGUAGES.get(code)
            if pack and pack in self.languages and pack not in packs:
                packs.append(pack)
        return packs


@functools.cache
def engine() -> Engine | None:
    """The installed Tesseract, or None when there is none (see :data:`APT_HINT`)."""
    exe = shutil.which(TESSERACT)
    if exe is None:
        return None
    try:
        version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
        listing = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (version.stdout or version.stderr).splitlines()
    langs = frozenset(line.strip() for line in listing.stdout.splitlines()[1:] if line.strip())
    return Engine(first[0].strip() if first else "tesseract", langs)


def require_engine() -> Engine:
    found = engine()
    if found is None:
        raise OcrUnavailableError(f"Tesseract is not installed; install it with: {APT_HINT}")
    return found


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True, slots=True)
class Image:
    """An 8-bit grey image as a binary PGM file (what Tesseract reads on stdin), rendered
    at `dpi`."""

    pgm: bytes
    width: int
    height: int
    dpi: int = DPI

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.pgm).hexdigest()


def render(
    path: Path, number: int, passwords: Sequence[str] = (), rotation: int = 0, dpi: int = DPI
) -> Image:
    """Page `number` (1-based) of the PDF at `path`, in grey at `dpi` (lower if that makes
    more than :data:`MAX_PIXELS`), turned `rotation` degrees clockwise (on top of the page's
    own /Rotate)."""
    import pypdfium2 as pdfium  # only where pages are rendered (search reads the caches)

    last: Exception | None = None
    for password in ("", *passwords):
        try:
            pdf = pdfium.PdfDocument(str(path), password=password or None)
        except pdfium.PdfiumError as exc:
            last = exc
            continue
        try:
            page = pdf[number - 1]
            width_pt, height_pt = page.get_size()
            dpi = capped_dpi(width_pt, height_pt, dpi)
            bitmap = page.render(scale=dpi / 72, rotation=rotation, grayscale=True)
            width, height, stride = bitmap.width, bitmap.height, bitmap.stride
            raw = bytes(bitmap.buffer)
            if stride != width:
                raw = b"".join(raw[i * stride : i * stride + width] for i in range(height))
            return Image(b"P5\n%d %d\n255\n" % (width, height) + raw, width, height, dpi)
        finally:
            pdf.close()
    raise OSError(f"cannot render page {number}: {last}")


def capped_dpi(width_pt: float, height_pt: float, dpi: int = DPI) -> int:
    """`dpi`, or the highest lower one at which a page of `width_pt` x `height_pt` points
    renders to at most :data:`MAX_PIXELS` pixels (each side rounded up, as PDFium does)."""

    def pixels(at: float) -> int:
        return math.ceil(width_pt * at / 72) * math.ceil(height_pt * at / 72)

    if pixels(dpi) <= MAX_PIXELS:
        return dpi
    capped = max(1, math.floor(dpi * math.sqrt(MAX_PIXELS / pixels(dpi))))
    while capped > 1 and pixels(capped) > MAX_PIXELS:
        capped -= 1
    return capped


# ---------------------------------------------------------------- Tesseract

_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")
_OSD_SCRIPT = re.compile(r"Script:\s*(\w+)")
#: Below this OSD orientation confidence the page is read as it is.
MIN_OSD_CONFIDENCE = 2.0


def _tesseract(args: list[str], image: Image, timeout: float | None) -> str:
    result = subprocess.run(
        [TESSERACT, "stdin", "stdout", "--dpi", str(image.dpi), *args],
        input=image.pgm,
        capture_output=True,
        timeout=timeout,
        env=_ENV,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise OSError(f"tesseract failed: {message[-1] if message else result.returncode}")
    return result.stdout.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class Orientation:
    """What Tesseract's OSD made of a page: the clockwise `degrees` that make it upright,
    its `script` (None when unknown), and a `note` for people when the OSD gave up."""

    degrees: int = 0
    script: str | None = None
    note: str = ""


def orientation(image: Image, timeout: float | None = None) -> Orientation:
    """The page's orientation and script by Tesseract's OSD; upright and unknown when it
    cannot tell (too little text, or no ``osd`` pack) or, as OCRmyPDF does, when the OSD
    takes longer than `timeout` seconds (then the `note` says so and the page is read as
    it is)."""
    try:
        out = _tesseract(["--psm", "0"], image, timeout)
    except subprocess.TimeoutExpired:
        return Orientation(note=f"orientation not detected (OSD timeout after {timeout:g} s)")
    except OSError:
        return Orientation()
    rotate, conf, script = _OSD_ROTATE.search(out), _OSD_CONF.search(out), _OSD_SCRIPT.search(out)
    degrees = int(rotate.group(1)) if rotate else 0
    if conf is None or float(conf.group(1)) < MIN_OSD_CONFIDENCE:
        degrees = 0
    return Orientation(degrees=degrees % 360, script=script.group(1) if script else None)


def recognize(
    image: Image, packs: Sequence[str], timeout: float | None = None
) -> tuple[str, float | None]:
    """(text, mean word confidence) of the image read with Tesseract language `packs`."""
    text, mean, _ = recognize_words(image, packs, timeout)
    return text, mean


def recognize_words(
    image: Image, packs: Sequence[str], timeout: float | None = None
) -> tuple[str, float | None, list[OcrWord]]:
    """:func:`recognize`, and every word read with its box in pixels of `image`."""
    out = _tesseract(["-l", "+".join(packs), "--psm", "3", "tsv"], image, timeout)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    words: list[OcrWord] = []
    for row in out.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) != 12 or not cols[11].strip():
            continue
        try:
            block, par, line, conf = int(cols[2]), int(cols[3]), int(cols[4]), float(cols[10])
            left, top, width, height = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        if conf < 0:
            continue
        lines.setdefault((block, par, line), []).append(cols[11].strip())
        confidences.append(conf)
        words.append(OcrWord(cols[11].strip(), left, top, left + width, top + height))
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for (block, par, _line), line_words in lines.items():
        paragraphs.setdefault((block, par), []).append(" ".join(line_words))
    text = "\n\n".join("\n".join(p) for p in paragraphs.values())
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return text, mean, words


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
            f"{MAX_PIXELS // 1_000_000} million pixels"
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


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word Tesseract read, with its box in pixels of the image it read (from the top
    left)."""

    text: str
    x0: int
    y0: int
    x1: int
    y1: int


#: Word boxes are kept as integers in 1/WORD_SCALE of the page's width or height.
WORD_SCALE = 100_000


def upright_words(words: Sequence[OcrWord], rotation: int, image: Image) -> dict[str, object]:
    """Words read from `image` (the page turned `rotation` degrees clockwise) with their
    boxes carried back to the page as rendered unturned, as fractions of its width and
    height: ``{"t": [text, ...], "b": [x0, y0, x1, y1, ...]}`` (integers, 1/WORD_SCALE)."""
    w, h = image.width, image.height  # of the turned image
    texts: list[str] = []
    flat: list[int] = []
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
        texts.append(word.text)
        flat += [
            round(min(xs) / pw * WORD_SCALE),
            round(min(ys) / ph * WORD_SCALE),
            round(max(xs) / pw * WORD_SCALE),
            round(max(ys) / ph * WORD_SCALE),
        ]
    return {"t": texts, "b": flat}


class OcrWordsCache(JsonCache):
    """Tesseract's word boxes of each OCR'd page (see :func:`upright_words`), by the SHA-256
    of the page rendered unturned at :data:`DPI`: what the page picture marks matches on."""

    subdir = "ocr-words"
    version = 1

    def get(self, digest: str) -> dict[str, object] | None:
        try:
            with gzip.open(self._file(digest), "rt", encoding="utf-8") as fp:
                data = json.load(fp)
        except (OSError, ValueError):  # absent or unreadable: no boxes for this page
            return None
        return data if isinstance(data, dict) and {"t", "b"} <= data.keys() else None

    def put(self, digest: str, data: dict[str, object]) -> None:
        write_json_gz(self._file(digest), data)
