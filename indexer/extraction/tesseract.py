"""Tesseract and PDFium for OCR: render a page to a grey image (pypdfium2), detect its
orientation and script (OSD), and read its words (TSV). The only pypdfium2 import of the
indexer and the only place Tesseract is run; :mod:`indexer.extraction.ocr` puts the steps
together for one page and caches what they read.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import OcrUnavailableError

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
        words.append(
            OcrWord(text=cols[11].strip(), x0=left, y0=top, x1=left + width, y1=top + height)
        )
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for (block, par, _line), line_words in lines.items():
        paragraphs.setdefault((block, par), []).append(" ".join(line_words))
    text = "\n\n".join("\n".join(p) for p in paragraphs.values())
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return text, mean, words


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrWord:
    """One word Tesseract read, with its box in pixels of the image it read (from the top
    left)."""

    text: str
    x0: int
    y0: int
    x1: int
    y1: int
