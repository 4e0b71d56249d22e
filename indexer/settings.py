"""How a run is told what to do: :class:`IndexSettings` (everything ``index()`` takes),
:class:`Limits` (what one file may cost), :class:`OcrSettings`, and their defaults (the
``pubsearch index`` option defaults). Standard library only; :mod:`indexer.model`
re-exports every name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.codes import OCR_MODES, OcrMode

if TYPE_CHECKING:  # only for annotations: indexer.model imports this module
    from indexer.model import ProgressCallback

# Limits and commit policy defaults (the ``pubsearch index`` option defaults).
DEFAULT_TIMEOUT = 300.0
DEFAULT_PAGE_TIMEOUT = 60.0
DEFAULT_OCR_TIMEOUT = 120.0
#: MB per worker (``RLIMIT_AS``; Tesseract, run by a worker, gets its own). With the default
#: two workers the whole process tree stays under 1.2 GB even with both at the limit; real
#: files need at most 262 MB (docs/benchmarks.md).
DEFAULT_MEMORY_MB = 512
#: Commit after this many files or seconds, whichever comes first.
COMMIT_EVERY_FILES = 20
COMMIT_EVERY_SECONDS = 10.0

#: How an index analyzes text: "standard" (per-language analyzers, the product) or
#: "neutral" (every field language-neutral: an evaluation ablation).
STANDARD = "standard"
NEUTRAL = "neutral"
ANALYSES = (STANDARD, NEUTRAL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """What one file may cost: `timeout` seconds per file, `page_timeout` per page,
    `memory_mb` per worker (0: no limit), `ocr_timeout` seconds per OCR'd page (for each
    Tesseract run), `osd_timeout` seconds for its orientation detection (None: as
    `ocr_timeout`; past it the page is read as it is, unturned)."""

    timeout: float = DEFAULT_TIMEOUT
    page_timeout: float = DEFAULT_PAGE_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    ocr_timeout: float = DEFAULT_OCR_TIMEOUT
    osd_timeout: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrSettings:
    """How a run reads pages without usable text (``--ocr``).
    mode: see :class:`OcrMode`; available: whether Tesseract is installed; cache_dir: the
    OCR cache root; timeout: seconds per page; osd_timeout: for its orientation detection
    (None: `timeout`).
    """

    mode: OcrMode = OcrMode.AUTO
    available: bool = False
    cache_dir: str = ""
    timeout: float = DEFAULT_OCR_TIMEOUT
    osd_timeout: float | None = None

    @property
    def runs(self) -> bool:
        return self.mode is not OcrMode.OFF and self.available

    @property
    def effective(self) -> OcrMode:
        """The mode pages were actually read under (``off`` when OCR could not run)."""
        return self.mode if self.runs else OcrMode.OFF


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexSettings:
    """Everything one ``index`` run is told.
    index_dir: the index folder; paths: PDFs or folders (none: the catalog's entries);
    catalog: the catalog file, or None; passwords: tried on encrypted PDFs; rebuild: index
    everything anew; retry_failed: read failed and timed-out files again even if unchanged;
    workers: extraction processes (None: one per core); limits: per-file limits; cache_dir:
    the extraction/OCR cache root (None: the default); ocr: the ``--ocr`` mode;
    commit_every, commit_seconds: the commit policy; analysis (for a new index) and
    normalize: evaluation ablations; scheduler: run the per-file work on a Dask cluster
    (``local``, ``local:N`` or ``tcp://HOST:8786``; None: the built-in pool, see
    :mod:`indexer.execution.cluster`); on_plan(n): called with the number of files that need
    work; on_file(event): called after each file.
    """

    index_dir: Path
    paths: tuple[Path, ...] = ()
    catalog: Path | None = None
    passwords: tuple[str, ...] = ()
    rebuild: bool = False
    retry_failed: bool = False
    workers: int | None = None
    limits: Limits = Limits()
    cache_dir: Path | None = None
    ocr: OcrMode = OcrMode.AUTO
    commit_every: int = COMMIT_EVERY_FILES
    commit_seconds: float = COMMIT_EVERY_SECONDS
    analysis: str = STANDARD
    normalize: bool = True
    scheduler: str | None = None
    on_plan: Callable[[int], None] | None = field(default=None, compare=False)
    on_file: ProgressCallback | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Accept any sequence of paths/passwords (a list from a caller) but hold tuples.
        object.__setattr__(self, "paths", tuple(self.paths))
        object.__setattr__(self, "passwords", tuple(self.passwords))
        if self.ocr not in OCR_MODES:
            raise ValueError(f"ocr: expected one of {', '.join(OCR_MODES)}, not {self.ocr!r}")
        object.__setattr__(self, "ocr", OcrMode(self.ocr))
