"""Typed records passed between the indexing stages (no heavy imports here).

:class:`PdfInfo` and :class:`RawPage` come out of extraction; worker processes send them to
the parent and the extraction cache stores them. :class:`OcrPlan` asks a worker to read
pages with OCR; :class:`OcrPage` is what it sends back (and the OCR cache stores).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bumped whenever extraction output changes for the same input (part of the cache key).
EXTRACTOR_VERSION = 4


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """Document-level facts read from the PDF.

    title, author: from the document info dictionary, stripped; None when absent or empty.
    year: the creation year (``/CreationDate``), else the modification year, else None.
    page_count: number of pages in the page tree.
    encrypted: whether the file is encrypted (and was opened with a password, maybe empty).
    """

    title: str | None
    author: str | None
    year: int | None
    page_count: int
    encrypted: bool


@dataclass(frozen=True, slots=True)
class RawPage:
    """The text pdfminer found on one page.

    number: 1-based page number.
    text: text boxes in reading order, separated by blank lines; may hold ``(cid:N)`` runs.
    error: why the page could not be read (``timeout``, ``out-of-memory``, a parse error),
        or None.
    image_share: the share of the page's area covered by images (0..1): a page of little
        text on a big image is a scan with, at most, a stamped header.
    """

    number: int
    text: str
    error: str | None = None
    image_share: float = 0.0


@dataclass(frozen=True, slots=True)
class OcrPage:
    """What OCR made of one page.

    number: 1-based page number; text: lines and paragraphs ('' when nothing was read);
    confidence: mean word confidence 0-100 (None without words); rotation: degrees the
    page was turned clockwise to read it; languages: the Tesseract languages used
    (``swe+eng``); seconds: time spent (0 for a cache hit); cached: read from the cache;
    error: why the page could not be read (``timeout``, a Tesseract message), or None.
    note: what the user should know about how it was read ('' for nothing), e.g. a poster
    rendered at a lower resolution to stay within the pixel cap.
    """

    number: int
    text: str = ""
    confidence: float | None = None
    rotation: int = 0
    languages: str = ""
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class OcrPlan:
    """Pages of one file to read with OCR, in a worker.

    pages: 1-based page numbers; languages: ISO codes to read them in (empty: by the
    script Tesseract's OSD sees); cache_dir: the cache root ('' for none); timeout: seconds
    per page.
    """

    pages: tuple[int, ...]
    languages: tuple[str, ...]
    cache_dir: str
    timeout: float


@dataclass(frozen=True, slots=True)
class OcrOutcome:
    """What OCR made of the pages of an :class:`OcrPlan`, in order."""

    pages: tuple[OcrPage, ...]
