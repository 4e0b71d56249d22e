"""Typed records passed between the indexing stages (no heavy imports here).

:class:`PdfInfo` and :class:`RawPage` come out of extraction; worker processes send them to
the parent and the extraction cache stores them. :class:`OcrPlan` asks a worker to read
pages with OCR; :class:`OcrPage` is what it sends back (and the OCR cache stores).
:class:`TextRequest` asks a worker to normalize and language-tag a file's pages;
:class:`FileText` is what it sends back.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bumped whenever extraction output changes for the same input (part of the cache key).
EXTRACTOR_VERSION = 3


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
    """

    number: int
    text: str = ""
    confidence: float | None = None
    rotation: int = 0
    languages: str = ""
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None


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
    text: FileText | None = None  # the file's page texts with the OCR text in, if made


@dataclass(frozen=True, slots=True)
class TextRequest:
    """How to make page texts of one file's raw pages (sent with a job to a worker).

    languages: the languages the catalog entry declares (detection chooses among them);
    normalize: False for the evaluation ablation without normalization; ocr_mode: auto,
    off or force (which pages need OCR); ocr_runs: whether OCR will read them (then the
    languages to read them in are worked out too).
    """

    languages: tuple[str, ...] = ()
    normalize: bool = True
    ocr_mode: str = "auto"
    ocr_runs: bool = False


@dataclass(frozen=True, slots=True)
class PageText:
    """One page's text as it is indexed.

    number: 1-based page number; text: normalized, with the fixes of its language;
    language: analyzer code (``und`` when unsure or the text is unusable); quality: ok /
    empty / unmapped / garbled (of the OCR text when OCR read the page).
    """

    number: int
    text: str
    language: str
    quality: str


@dataclass(frozen=True, slots=True)
class FileText:
    """Normalization and language detection of one file, done where it was extracted.

    pages: every page in order; needs_ocr: the pages OCR should read (from the text layer,
    by the request's mode; empty when OCR text was given); ocr_languages: the languages to
    read them in (the declared ones, else those detected on the other pages).
    """

    pages: tuple[PageText, ...]
    needs_ocr: tuple[int, ...] = ()
    ocr_languages: tuple[str, ...] = ()
