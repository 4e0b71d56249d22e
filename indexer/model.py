"""Every record passed between the indexing stages (with their codes and settings).

Standard library only: :mod:`search` imports records from here without loading tantivy's
writer side, pdfminer, langdetect or multiprocessing. Records are frozen, slotted and
built with keywords. The enums are defined in :mod:`indexer.codes`, ``IndexSettings``,
``Limits`` and ``OcrSettings`` in :mod:`indexer.settings`, the records of reading one
file (jobs, raw pages, OCR, page texts, extractions) in :mod:`indexer.reading`; all are
re-exported here (``from indexer.model import Reason, IndexSettings, RawPage``).

Data flow and the record of each step::

    catalog / paths      CatalogEntry -> Source                       (indexer.planning.changes)
    index file records   FileRecord -> Change                         (indexer.planning.changes)
    extraction           Job -> PdfInfo + RawPage... = Extraction     (indexer.execution.pool)
    OCR                  OcrPlan -> OcrPage... = OcrOutcome           (indexer.execution.pool, ocr)
    building             Publication + Page...                        (indexer.planning.records)
    writing              documents, FileRecord                        (indexer.index.store)
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
from indexer.reading import (
    ANALYSIS_VERSION,
    EXTRACTOR_VERSION,
    Extraction,
    ExtractJob,
    FileFailure,
    FileText,
    Job,
    OcrJob,
    OcrOutcome,
    OcrPage,
    OcrPlan,
    PageText,
    PdfInfo,
    RawPage,
    TextJob,
    TextRequest,
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
    "ANALYSIS_VERSION",
    "COMMIT_EVERY_FILES",
    "COMMIT_EVERY_SECONDS",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_OCR_TIMEOUT",
    "DEFAULT_PAGE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "EXTRACTOR_VERSION",
    "LIMIT_REASONS",
    "NEUTRAL",
    "OCR_MODES",
    "STANDARD",
    "WRITTEN",
    "Action",
    "ExtractJob",
    "Extraction",
    "FileFailure",
    "FileText",
    "IndexSettings",
    "Job",
    "Limits",
    "OcrJob",
    "OcrMode",
    "OcrOutcome",
    "OcrPage",
    "OcrPlan",
    "OcrSettings",
    "OcrState",
    "Origin",
    "PageQuality",
    "PageText",
    "PdfInfo",
    "RawPage",
    "Reason",
    "Status",
    "Step",
    "TextJob",
    "TextRequest",
]

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
    language: analyzer code (key of :data:`indexer.index.schema.LANGUAGES`).
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
