"""The task a Dask worker runs for one file (:func:`run_file_task`): it extracts the file in
its own supervised pool (:mod:`indexer.execution.pool`), under the same limits, after
checking it runs the client's pubsearch. Imported by the workers by this module's path.
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.execution.pool import extract_all
from indexer.extraction.cache import default_cache_dir
from indexer.model import (
    ANALYSIS_VERSION,
    EXTRACTOR_VERSION,
    Extraction,
    ExtractJob,
    Job,
    Limits,
    OcrJob,
    OcrOutcome,
    RawPage,
)

DIST_NAME = "pubsearch"


def pubsearch_version() -> str:
    """The installed pubsearch version (what every worker must run too)."""
    return importlib.metadata.version(DIST_NAME)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileTask:
    """What one task gets: everything it needs; the worker reads nothing from the client's disk.

    job: the job as the client made it (its path is the client's: only its name is used,
    for the temporary copy); data: the file's bytes (empty for a text job); limits: the
    per-file limits; own_ocr_cache: the worker keeps OCR results in its own default cache
    (a remote machine) rather than in the plan's; versions: the client's
    :func:`task_versions`.
    """

    job: Job
    data: bytes
    limits: Limits
    own_ocr_cache: bool
    versions: tuple[str, int, int] = ("", 0, 0)


def task_versions() -> tuple[str, int, int]:
    """What a task's result depends on: the pubsearch release, the extractor's and the
    analysis's versions (the caches' keys). A worker that joins after the run's check at
    start must agree on all three, or its results would be cached as something else."""
    return (pubsearch_version(), EXTRACTOR_VERSION, ANALYSIS_VERSION)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrongVersion:
    """A task's answer from a worker whose :func:`task_versions` differ (so it did not
    read the file): its own versions and its address."""

    found: tuple[str, int, int]
    worker: str


def _allow_children() -> None:
    process = multiprocessing.current_process()
    if process.daemon:
        process.daemon = False


def run_file_task(task: FileTask) -> Extraction | OcrOutcome | WrongVersion:
    """The per-file work on a Dask worker: the built-in supervised pool, for one file.

    The Dask nanny starts its worker as a daemon process, which multiprocessing forbids
    to have children; the pool's child is always stopped or killed by the pool itself, so
    the flag is lifted for this process.
    """
    if (mine := task_versions()) != task.versions:
        from distributed import get_worker  # dask: runs on a Dask worker, where it is loaded

        return WrongVersion(found=mine, worker=str(get_worker().address))
    _allow_children()
    with tempfile.TemporaryDirectory(prefix="pubsearch-task-") as folder:
        path = Path(folder) / (task.job.path.name or "document.pdf")
        if task.data or isinstance(task.job, ExtractJob):  # (a text job has no bytes)
            path.write_bytes(task.data)
        job = _on_worker(task.job, path, own_ocr_cache=task.own_ocr_cache)
        # a fresh supervised process per file: one kept between files made different
        # page text on one real file (ferenda__f690153e p. 3) than the built-in pool
        for _job, result in extract_all([job], workers=1, limits=task.limits):
            return result
    raise AssertionError("the pool ended without a result")  # pragma: no cover


def _on_worker(job: Job, path: Path, *, own_ocr_cache: bool) -> Job:
    """The job as the worker runs it: on its temporary copy of the file, and an OCR job
    with the worker's own OCR cache when it keeps one."""
    match job:
        case OcrJob(plan=plan) if plan.cache_dir and own_ocr_cache:
            return replace(job, path=path, plan=replace(plan, cache_dir=str(default_cache_dir())))
        case _:
            return replace(job, path=path)


def _pages_sent(job: Job) -> tuple[RawPage, ...]:
    """The extracted pages a job carries to its worker (a text or an OCR job's)."""
    return () if isinstance(job, ExtractJob) else job.pages
