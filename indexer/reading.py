"""The records of reading one file: what a job asks for, what a worker sends back, and
what extraction and OCR produce (document facts, raw pages, OCR pages and plans, page
texts). Standard library only; re-exported by :mod:`indexer.model`, the one place records
come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from indexer.codes import OcrMode, PageQuality, Reason
from indexer.settings import Limits

#: Bumped whenever extraction output changes for the same input (part of the cache key).
EXTRACTOR_VERSION = 5
#: Bumped whenever :func:`indexer.extraction.analyze.file_text` gives other texts for the
#: same pages.
ANALYSIS_VERSION = 2

# ---------------------------------------------------------------- extraction and OCR


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class RawPage:
    """The text pdfminer found on one page.
    number: 1-based page number.
    text: text boxes in reading order, separated by blank lines; may hold ``(cid:N)`` runs.
    error: why the page could not be read, for people (``out-of-memory (over the 2048 MB
        limit)``, a parse error), or None; reason: its code.
    image_share: the share of the page's area covered by images (0..1): a page of little
        text on a big image is a scan with, at most, a stamped header.
    """

    number: int
    text: str
    error: str | None = None
    reason: Reason | None = None
    image_share: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrPage:
    """What OCR made of one page.
    number: 1-based page number; text: lines and paragraphs ('' when nothing was read);
    confidence: mean word confidence 0-100 (None without words); rotation: degrees the
    page was turned clockwise to read it; languages: the Tesseract languages used
    (``swe+eng``); seconds: time spent (0 for a cache hit); cached: read from the cache;
    error: why the page could not be read (``timeout``, a Tesseract message), or None;
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


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrPlan:
    """Pages of one file to read with OCR, in a worker. pages: 1-based page numbers;
    languages: ISO codes to read them in (empty: by the script Tesseract's OSD sees);
    cache_dir: the cache root ('' for none); timeout: seconds per page; osd_timeout: for
    its orientation (None: `timeout`)."""

    pages: tuple[int, ...]
    languages: tuple[str, ...]
    cache_dir: str
    timeout: float
    osd_timeout: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrOutcome:
    """What OCR made of the pages of an :class:`OcrPlan`, in order; `text`: the file's
    page texts with the OCR text in, when the worker made them."""

    pages: tuple[OcrPage, ...]
    text: FileText | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextRequest:
    """How to make the page texts of one file's raw pages (sent with a job to a worker).
    languages: the languages the catalog entry declares (detection chooses among them);
    normalize: False for the evaluation ablation without normalization; ocr_mode: which
    pages need OCR; ocr_runs: whether OCR will read them (then the languages to read them
    in are worked out too).
    """

    languages: tuple[str, ...] = ()
    normalize: bool = True
    ocr_mode: OcrMode = OcrMode.AUTO
    ocr_runs: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PageText:
    """One page's text as it is indexed: normalized, with its language's fixes; language:
    analyzer code (``und`` when unsure or unusable); quality: of the text (of the OCR
    text when OCR read the page)."""

    number: int
    text: str
    language: str
    quality: PageQuality


@dataclass(frozen=True, slots=True, kw_only=True)
class FileText:
    """Normalization and language detection of one file, done where it was extracted.
    pages: every page in order; needs_ocr: the pages OCR should read (empty when OCR text
    was given); ocr_languages: the languages to read them in.
    """

    pages: tuple[PageText, ...]
    needs_ocr: tuple[int, ...] = ()
    ocr_languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractJob:
    """One file to extract: `key` identifies it to the caller. With `text` the worker also
    normalizes and language-tags the file (:mod:`indexer.extraction.analyze`)."""

    key: str
    path: Path
    passwords: tuple[str, ...] = ()
    text: TextRequest | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextJob:
    """A file whose `pages` are already extracted (from the cache): the worker makes their
    page texts as `text` asks. `path` names the file; it is not read."""

    key: str
    path: Path
    pages: tuple[RawPage, ...]
    text: TextRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrJob:
    """Pages of a file to read with OCR (`plan`); `pages`: the file's extracted pages, which
    the OCR text goes into when the worker also makes the page texts (with `text`)."""

    key: str
    path: Path
    passwords: tuple[str, ...] = ()
    plan: OcrPlan
    pages: tuple[RawPage, ...]
    text: TextRequest | None = None


#: One job for the worker pool (:func:`indexer.execution.pool.extract_all`): a file to
#: extract, the page texts of pages already extracted, or pages to read with OCR.
Job: TypeAlias = ExtractJob | TextJob | OcrJob


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFailure:
    """Why a whole file could not be read: a reason code and a detail for people."""

    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Extraction:
    """Everything extraction produced for one file.
    info: document facts, or None when the file could not be opened.
    pages: every page in order (with per-page errors such as ``timeout``).
    failure: why the whole file failed, else None.
    limits: the limits it ran under; a cached timeout or out-of-memory is retried only
        under a larger limit.
    """

    info: PdfInfo | None
    pages: tuple[RawPage, ...]
    failure: FileFailure | None
    limits: Limits
    text: FileText | None = None  # made by the worker (not cached: depends on the run)
