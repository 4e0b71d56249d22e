"""Every record passed between the indexing stages (with their codes and settings).

Standard library only: :mod:`search` imports records from here without loading tantivy's
writer side, pdfminer, langdetect or multiprocessing. Records are frozen, slotted and
built with keywords. The enums are defined in :mod:`indexer.codes`, ``IndexSettings``,
``Limits`` and ``OcrSettings`` in :mod:`indexer.settings`; both are re-exported here
(``from indexer.model import Reason, IndexSettings``).

Data flow and the record of each step::

    catalog / paths      CatalogEntry -> Source                       (indexer.plan)
    index file records   FileRecord -> Change                         (indexer.plan)
    extraction           Job -> PdfInfo + RawPage... = Extraction     (indexer.workers)
    OCR                  OcrPlan -> OcrPage... = OcrOutcome           (indexer.workers, ocr)
    building             Publication + Page...                        (indexer.build)
    writing              documents, FileRecord                        (indexer.store)
    reporting            FileEvent... -> IndexReport                  (indexer.pipeline)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from indexer.codes import (
    LIMIT_REASONS,
    OCR_MODES,
    WRITTEN,
    Action,
    OcrMode,
    OcrState,
    Origin,
    PageQuality,
    Reason,
    Status,
    Step,
)
from indexer.settings import (
    ANALYSES,
    COMMIT_EVERY_FILES,
    COMMIT_EVERY_SECONDS,
    DEFAULT_MEMORY_MB,
    DEFAULT_OCR_TIMEOUT,
    DEFAULT_PAGE_TIMEOUT,
    DEFAULT_TIMEOUT,
    NEUTRAL,
    STANDARD,
    IndexSettings,
    Limits,
    OcrSettings,
)

__all__ = [  # re-exported: records, their codes and settings come from one place
    "ANALYSES",
    "COMMIT_EVERY_FILES",
    "COMMIT_EVERY_SECONDS",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_OCR_TIMEOUT",
    "DEFAULT_PAGE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "LIMIT_REASONS",
    "NEUTRAL",
    "OCR_MODES",
    "STANDARD",
    "WRITTEN",
    "Action",
    "IndexSettings",
    "Limits",
    "OcrMode",
    "OcrSettings",
    "OcrState",
    "Origin",
    "PageQuality",
    "Reason",
    "Status",
    "Step",
]

#: Bumped whenever extraction output changes for the same input (part of the cache key).
EXTRACTOR_VERSION = 5
#: Bumped whenever :func:`indexer.analyze.file_text` gives other texts for the same pages.
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
class Job:
    """One file to extract (or, with `ocr`, pages of it to read with OCR; or, with `pages`
    and no `ocr`, text already extracted): `key` identifies it to the caller. With `text`
    the worker also normalizes and language-tags the file (:mod:`indexer.analyze`)."""

    key: str
    path: Path
    passwords: tuple[str, ...] = ()
    ocr: OcrPlan | None = None
    pages: tuple[RawPage, ...] | None = None
    text: TextRequest | None = None


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


# ---------------------------------------------------------------- publications


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicationMeta:
    """What describes a publication, wherever it comes from (catalog, PDF, index).
    id: stable identifier (slug); title, subtitle: as printed (subtitle may be None);
    authors: authors and commissioning bodies, in order; year: publication year or None;
    type: report, manual, brochure, film, ... or None; languages: ISO 639-1 codes (``rom``
    for Romani); description: a short summary or None.
    """

    id: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    type: str | None = None
    languages: tuple[str, ...] = ()
    description: str | None = None


def meta_of(pub: PublicationMeta) -> dict[str, Any]:
    """The metadata fields of `pub` (of any :class:`PublicationMeta`), as keywords for
    another record's constructor."""
    return {f.name: getattr(pub, f.name) for f in fields(PublicationMeta)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogEntry(PublicationMeta):
    """One publication of the catalog; declared `languages` constrain detection.
    pdf: path of the PDF as it is to be shown (catalog folder joined with the file name),
    or None for entries without a PDF.
    """

    pdf: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Publication(PublicationMeta):
    """Publication-level fields copied onto every page document: the metadata, the path
    as given and absolute, the content hash and the number of pages."""

    path: str
    abspath: str
    sha256: str
    page_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One page ready to index.
    number: 1-based page number (0 for the one document of an entry without a PDF).
    text: normalized text ('' when the page has no usable text).
    language: analyzer code (key of :data:`indexer.schema.LANGUAGES`).
    quality: see :class:`PageQuality` (of the OCR text when OCR read it).
    error: why the page could not be read, or None.
    ocr: see :class:`OcrState`; ocr_confidence: mean OCR word confidence 0-100 when OCR'd.
    """

    number: int
    text: str
    language: str
    quality: PageQuality
    error: str | None = None
    ocr: OcrState = OcrState.NONE
    ocr_confidence: float | None = None


# ---------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One thing to index.
    path: the PDF path as it will be shown (as given, or catalog folder + file name);
        None for a catalog entry without a PDF.
    entry: the catalog entry it belongs to, or None for a PDF outside the catalog.
    """

    path: Path | None
    entry: CatalogEntry | None = None

    @property
    def key(self) -> str:
        """Identity in the index: the absolute path (a symlink's own, not its target's, so
        deleting the link removes the publication), or ``catalog:<id>`` without a PDF."""
        if self.path is None:
            assert self.entry is not None
            return f"catalog:{self.entry.id}"
        return os.path.abspath(self.path)

    @property
    def meta_hash(self) -> str:
        """Changes when the catalog's metadata for this source changes."""
        if self.entry is None:
            return ""
        data = json.dumps(asdict(self.entry), default=str, sort_keys=True)
        return hashlib.sha1(data.encode()).hexdigest()[:16]

    @property
    def origin(self) -> Origin:
        return Origin.CATALOG if self.entry is not None else Origin.PATH


@dataclass(frozen=True, slots=True, kw_only=True)
class FileRecord:
    """What the index holds about one source: one "file" document per source.
    status: see :class:`Status`; reason, detail: why it failed (or which pages did).
    size, mtime_ns: as on disk when indexed; unchanged values mean the file is unchanged.
    needs_ocr: pages with no usable text that were not read with OCR; ocr_mode: the
    ``--ocr`` mode the file was indexed with ('' before OCR existed).
    """

    key: str
    id: str
    path: str = ""
    abspath: str = ""
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""
    status: Status
    reason: Reason | None = None
    detail: str = ""
    failed_pages: tuple[int, ...] = ()
    source: Origin
    meta_hash: str = ""
    page_count: int = 0
    needs_ocr: int = 0
    ocr_mode: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One planned step: what to do with a source (or, for `remove`, a record); size,
    mtime_ns and sha256 of the file on disk when known."""

    step: Step
    source: Source | None
    record: FileRecord | None
    id: str
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""


# ---------------------------------------------------------------- reporting


@dataclass(frozen=True, slots=True, kw_only=True)
class FileProblem:
    """A file that is not fully indexed (failed, partially read, or without text), as
    its file record in the index says."""

    path: str
    status: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """A file that could not be indexed: path, reason code, and a human detail."""

    path: str
    reason: Reason | None
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FileEvent:
    """What happened to one file in a run (sent to the progress callback and reported).
    pages: pages written for it; pages_without_text: of those, pages with no text;
    failed_pages: pages that could not be read (with `detail` saying why);
    previous_path: for renamed files, the old path; ocr_pages: pages whose text came from
    OCR; needs_ocr: pages with no usable text left without OCR; ocr_seconds: time spent
    reading pages with OCR (0 when all came from the cache).
    """

    action: Action
    path: str
    id: str
    pages: int = 0
    pages_without_text: int = 0
    failed_pages: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    reason: Reason | None = None
    detail: str = ""
    previous_path: str = ""
    from_cache: bool = False
    ocr_pages: int = 0
    needs_ocr: int = 0
    ocr_seconds: float = 0.0


ProgressCallback = Callable[[FileEvent], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexReport:
    """The outcome of one index run; notes: things the user should know (how to get OCR
    working, say)."""

    events: tuple[FileEvent, ...]
    seconds: float
    index_dir: str
    notes: tuple[str, ...] = ()

    def count(self, action: Action | str) -> int:
        return sum(1 for e in self.events if e.action == action)

    @property
    def failures(self) -> tuple[Failure, ...]:
        return tuple(
            Failure(path=e.path, reason=e.reason, detail=e.detail)
            for e in self.events
            if e.action is Action.FAILED
        )

    @property
    def partial(self) -> tuple[FileEvent, ...]:
        return tuple(e for e in self.events if e.failed_pages and e.action is not Action.FAILED)

    @property
    def files(self) -> tuple[FileEvent, ...]:
        """Files whose pages were written in this run."""
        return tuple(e for e in self.events if e.action in WRITTEN)

    @property
    def pages(self) -> int:
        return sum(e.pages for e in self.files)

    @property
    def pages_without_text(self) -> int:
        return sum(e.pages_without_text for e in self.files)

    @property
    def ocr_pages(self) -> int:
        return sum(e.ocr_pages for e in self.files)

    @property
    def needs_ocr(self) -> int:
        return sum(e.needs_ocr for e in self.files)

    @property
    def ok(self) -> bool:
        return not self.failures
