"""Catalog/paths -> plan -> extract (workers, cache) -> OCR -> build -> store: the front door.

:func:`index` reads top to bottom like the data flow:

1. :func:`~indexer.planning.changes.plan_sources` lists what to index and
   :func:`~indexer.planning.changes.diff` compares it with the index's file records
   (:func:`~indexer.index.store.load_records`);
2. what needs no extraction (removals, moves, unchanged files, catalog entries without
   a PDF) is applied at once;
3. files that need text come from the extraction cache or from worker processes
   (:mod:`indexer.execution.pool`) under :class:`~indexer.model.Limits`; pages without usable
   text are then read with OCR by the same workers;
4. :func:`~indexer.planning.records.build_publication` normalizes, detects languages and makes the
   page records, which :class:`~indexer.index.store.Store` writes with commits every few files
   or seconds, so a killed run leaves the last commit searchable and the next run resumes
   from it.

A file that fails is recorded (and reported) with its reason; the run goes on.
"""

from __future__ import annotations

import time
from pathlib import Path

from indexer.execution.cluster import executor
from indexer.extraction.cache import ExtractionCache, default_cache_dir
from indexer.extraction.tesseract import engine
from indexer.index import schema as s
from indexer.index.lock import index_lock
from indexer.index.store import Store, load_records, open_for_writing
from indexer.model import (
    WRITTEN,
    Action,
    IndexReport,
    IndexSettings,
    OcrSettings,
    Step,
)
from indexer.planning import changes as plan
from indexer.planning import records
from indexer.run import EXTRACT, Run


def index(settings: IndexSettings) -> IndexReport:
    """Bring the index at ``settings.index_dir`` up to date with the catalog (no paths) or
    with the PDFs under ``settings.paths``. Only what changed is extracted.

    Raises :class:`~indexer.errors.IndexLockedError` when another run holds the index.
    """
    cache_root = settings.cache_dir or default_cache_dir()
    ocr = _ocr_settings(settings, cache_root)
    retry = plan.RetryPolicy(
        ocr=ocr, retry_failed=settings.retry_failed, have_passwords=bool(settings.passwords)
    )
    plan.check_paths(settings.paths)  # usage errors: before anything is written
    s.check_index_dir(settings.index_dir)
    started = time.monotonic()

    # the cluster is reached and checked before anything touches the index
    with executor(settings.scheduler) as extract, index_lock(settings.index_dir):
        idx, clear = open_for_writing(
            settings.index_dir, rebuild=settings.rebuild, analysis=settings.analysis
        )
        indexed_files = {} if settings.rebuild else load_records(idx)
        entries = plan.catalog_entries(settings.catalog)
        sources = plan.plan_sources(settings.paths, entries)
        changes = plan.diff(
            sources,
            indexed_files,
            paths=settings.paths,
            retry=retry,
            catalog_ids={e.id for e in entries},
        )
        store = Store(
            idx,
            every_files=settings.commit_every,
            every_seconds=settings.commit_seconds,
            analysis=s.analysis_of(settings.index_dir),
        )
        if clear:
            store.reset()
        cache = ExtractionCache(cache_root)
        run = Run(settings, ocr=ocr, store=store, cache=cache, extract=extract)
        work = [c for c in changes if c.step in EXTRACT and c.source and c.source.path]
        if settings.on_plan is not None:
            settings.on_plan(len(work))
        for change in changes:
            run.apply_simple(change)
        if any(c.step is Step.REKEY for c in changes):
            store.commit()  # the moved pages are what later steps read back
        run.extract_and_write(work)
        store.close()
        report = IndexReport(
            events=tuple(run.events),
            seconds=time.monotonic() - started,
            index_dir=str(settings.index_dir),
            notes=records.ocr_notes(run.events, ocr),
        )
        s.write_meta(settings.index_dir, last_run={"run": store.run, **_run_summary(report)})
    return report


def _ocr_settings(settings: IndexSettings, cache_root: Path) -> OcrSettings:
    """How this run reads pages with OCR (and whether it can: Tesseract found)."""
    return OcrSettings(
        mode=settings.ocr,
        available=engine() is not None,
        cache_dir=str(cache_root),
        timeout=settings.limits.ocr_timeout,
        osd_timeout=settings.limits.osd_timeout,
    )


def _run_summary(report: IndexReport) -> dict[str, object]:
    """What ``pubsearch stats`` shows of the last run (stored in the index metadata)."""
    return {
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(report.seconds, 3),
        **{a.value: report.count(a) for a in (*WRITTEN, Action.REMOVED, Action.UNCHANGED)},
        "failed": [
            {"path": f.path, "reason": f.reason, "detail": f.detail} for f in report.failures
        ],
        "pages_indexed": report.pages,
        "pages_without_text": report.pages_without_text,
        "ocr_pages": report.ocr_pages,
        "needs_ocr": report.needs_ocr,
    }
