"""Catalog/paths -> plan -> extract (workers, cache) -> OCR -> build -> store: the front door.

:func:`index` reads top to bottom like the data flow:

1. :func:`~indexer.plan.plan_sources` lists what to index and :func:`~indexer.plan.diff`
   compares it with the index's file records (:func:`~indexer.store.load_records`);
2. what needs no extraction (removals, moves, unchanged files, catalog entries without
   a PDF) is applied at once;
3. files that need text come from the extraction cache or from worker processes
   (:mod:`indexer.workers`) under :class:`~indexer.model.Limits`; pages without usable
   text are then read with OCR by the same workers;
4. :func:`~indexer.build.build_publication` normalizes, detects languages and makes the
   page records, which :class:`~indexer.store.Store` writes with commits every few files
   or seconds, so a killed run leaves the last commit searchable and the next run resumes
   from it.

A file that fails is recorded (and reported) with its reason; the run goes on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace

from indexer import build, plan, reread
from indexer import schema as s
from indexer.analyze import file_text
from indexer.cache import ExtractionCache, TextCache, default_cache_dir
from indexer.cluster import Executor, executor
from indexer.lock import index_lock
from indexer.model import (
    WRITTEN,
    Action,
    Change,
    Extraction,
    FileEvent,
    FileRecord,
    FileText,
    IndexReport,
    IndexSettings,
    Job,
    OcrOutcome,
    OcrPage,
    OcrPlan,
    OcrSettings,
    Page,
    Publication,
    Reason,
    Status,
    Step,
    TextRequest,
)
from indexer.ocr import engine
from indexer.reread import same_content
from indexer.store import Store, indexed, load_records, open_for_writing


def index(settings: IndexSettings) -> IndexReport:
    """Bring the index at ``settings.index_dir`` up to date with the catalog (no paths) or
    with the PDFs under ``settings.paths``. Only what changed is extracted.

    Raises :class:`~indexer.errors.IndexLockedError` when another run holds the index.
    """
    cache_root = settings.cache_dir or default_cache_dir()
    ocr = OcrSettings(
        mode=settings.ocr,
        available=engine() is not None,
        cache_dir=str(cache_root),
        timeout=settings.limits.ocr_timeout,
        osd_timeout=settings.limits.osd_timeout,
    )
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
        records = {} if settings.rebuild else load_records(idx)
        entries = plan.catalog_entries(settings.catalog)
        sources = plan.plan_sources(settings.paths, entries)
        changes = plan.diff(
            sources,
            records,
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
        run = _Run(settings, ocr=ocr, store=store, cache=cache, extract=extract)
        work = [c for c in changes if c.step in _EXTRACT and c.source and c.source.path]
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
            notes=build.ocr_notes(run.events, ocr),
        )
        s.write_meta(settings.index_dir, last_run={"run": store.run, **_run_summary(report)})
    return report


_EXTRACT = (Step.ADD, Step.UPDATE, Step.RENAME)


class _Run:
    """What one run's steps share: its settings, the store, the cache, the events, and
    the files whose OCR is under way (`waiting`: extraction, from cache, pages to read)."""

    def __init__(
        self,
        settings: IndexSettings,
        *,
        ocr: OcrSettings,
        store: Store,
        cache: ExtractionCache,
        extract: Executor,
    ) -> None:
        self.settings, self.ocr, self.store, self.cache = settings, ocr, store, cache
        self.texts = TextCache(cache.root)
        self.extract = extract
        self.events: list[FileEvent] = []
        self.waiting: dict[str, tuple[Extraction, bool, tuple[int, ...]]] = {}

    def emit(self, event: FileEvent) -> None:
        self.events.append(event)
        if self.settings.on_file is not None:
            self.settings.on_file(event)

    def apply_simple(self, change: Change) -> None:
        """Apply a change that needs no extraction (the others are left for later)."""
        rec, source = change.record, change.source
        if change.step is Step.REKEY and rec is not None:
            count = self.store.rekey(rec, change.id)
            detail = f"its id {rec.id} is now a catalog entry's; it is {change.id}"
            self.emit(
                FileEvent(
                    action=Action.UPDATED, path=rec.path, id=change.id, pages=count, detail=detail
                )
            )
        elif change.step is Step.REMOVE and rec is not None:
            self.store.remove(rec.id, done=True)
            self.emit(FileEvent(action=Action.REMOVED, path=rec.path or rec.key, id=rec.id))
        elif change.step is Step.MISSING and source is not None:
            self.emit(
                FileEvent(
                    action=Action.FAILED,
                    path=str(source.path),
                    id=change.id,
                    reason=Reason.CORRUPT,
                    detail="file not found",
                )
            )
        elif change.step is Step.UNCHANGED and rec is not None:
            self.emit(_unchanged(rec))
        elif change.step is Step.TOUCH and rec is not None and source is not None:
            moved = reread.as_found(rec, change, sha256=change.sha256)
            self.store.put_record(moved)
            self.emit(
                FileEvent(
                    action=Action.UNCHANGED, path=rec.path, id=rec.id, failed_pages=rec.failed_pages
                )
            )
        elif source is not None and source.path is None:  # a catalog entry without a PDF
            pub, pages = build.metadata_only(source)
            self.store.remove(pub.id)
            self.store.add_publication(pub, pages)
            record = build.file_record(change, self.ocr.effective)
            self.store.put_record(replace(record, status=Status.METADATA))
            action = Action.ADDED if change.step is Step.ADD else Action.UPDATED
            self.emit(FileEvent(action=action, path=pub.id, id=pub.id))

    def extract_and_write(self, work: Sequence[Change]) -> None:
        """Text for every changed file (extraction cache, else workers), then OCR for the
        pages that need it (same workers), then the documents."""
        by_key = {c.source.key: c for c in work if c.source is not None}
        hits: dict[str, Extraction] = {}  # from the cache, the workers making their text
        passwords = self.settings.passwords

        def jobs() -> Iterator[Job]:
            """Files to extract, and files from the cache whose text the workers make
            (read from the cache one at a time, as workers free up)."""
            for change in work:
                assert change.source is not None and change.source.path is not None
                key, path = change.source.key, change.source.path
                hit = plan.usable_cache_hit(
                    self.cache,
                    change.sha256,
                    limits=self.settings.limits,
                    have_passwords=bool(passwords),
                    retry_failed=self.settings.retry_failed,
                )
                request = self.request(change)
                if hit is None:
                    yield Job(key=key, path=path, passwords=passwords, text=request)
                elif hit.failure is None and hit.info is not None:
                    if (text := self.texts.get(change.sha256, request)) is not None:
                        found = replace(hit, text=text)  # texts made before: nothing to do
                        if (ocr_job := self.text_in(change, found, from_cache=True)) is not None:
                            yield ocr_job  # (not `more`: the pool may have seen the last job)
                        continue
                    hits[key] = hit
                    yield Job(
                        key=key, path=path, passwords=passwords, pages=hit.pages, text=request
                    )
                else:
                    self.text_in(change, hit, from_cache=True)  # fails again: nothing to read

        more: deque[Job] = deque()
        results = self.extract(
            jobs(), workers=self.settings.workers, limits=self.settings.limits, more=more
        )
        for job, result in results:
            change = by_key[job.key]
            if isinstance(result, OcrOutcome):
                extraction, from_cache, needs = self.waiting.pop(job.key)
                ocr = {p.number: p for p in result.pages}
                self.write(
                    change,
                    extraction,
                    from_cache=from_cache,
                    ocr=ocr,
                    needs_ocr=needs,
                    text=result.text,
                )
                continue
            hit = hits.pop(job.key, None)
            kept = True  # whether the cache has the pages this text was made from
            if hit is not None:
                extraction, from_cache = replace(hit, text=result.text), True
            else:
                extraction, from_cache = result, False
                locked = result.failure is not None and result.failure.reason is Reason.ENCRYPTED
                kept = not locked and not plan.worse_than_cached(self.cache, change.sha256, result)
                if kept:  # (a password may open a locked file next time)
                    self.cache.put(change.sha256, result)
            if kept and result.text is not None and job.text is not None:
                self.texts.put(change.sha256, job.text, result.text)
            if (ocr_job := self.text_in(change, extraction, from_cache=from_cache)) is not None:
                more.append(ocr_job)

    def request(self, change: Change) -> TextRequest:
        """How the workers make this file's page texts."""
        assert change.source is not None
        entry = change.source.entry
        return TextRequest(
            languages=entry.languages if entry else (),
            normalize=self.settings.normalize,
            ocr_mode=self.ocr.mode,
            ocr_runs=self.ocr.runs,
        )

    def text_in(self, change: Change, extraction: Extraction, *, from_cache: bool) -> Job | None:
        """Write the file, or return the OCR job it waits for."""
        source = change.source
        assert source is not None and source.path is not None
        needs: tuple[int, ...] = ()
        text = extraction.text
        if extraction.failure is None and extraction.info is not None:
            if text is None:  # no worker made it: do it here
                text = file_text(extraction.pages, self.request(change))
            needs = text.needs_ocr
        if needs and self.ocr.runs and text is not None:
            self.waiting[source.key] = (extraction, from_cache, needs)
            ocr_plan = OcrPlan(
                pages=needs,
                languages=text.ocr_languages,
                cache_dir=self.ocr.cache_dir,
                timeout=self.ocr.timeout,
                osd_timeout=self.ocr.osd_timeout,
            )
            return Job(
                key=source.key,
                path=source.path,
                passwords=self.settings.passwords,
                ocr=ocr_plan,
                pages=extraction.pages,
                text=self.request(change),
            )
        self.write(change, extraction, from_cache=from_cache, needs_ocr=needs, text=text)
        return None

    def write(
        self,
        change: Change,
        extraction: Extraction,
        *,
        from_cache: bool,
        ocr: Mapping[int, OcrPage] | None = None,
        needs_ocr: Collection[int] = (),
        text: FileText | None = None,
    ) -> None:
        """Replace the file's publication by what was read (or by its failure record);
        a file read again, content unchanged, keeps what this reading lost
        (:mod:`indexer.reread`)."""
        source = change.source
        assert source is not None and source.path is not None
        rec = change.record
        found = indexed(self.store.index, rec) if rec is not None and same_content(change) else None
        if extraction.failure is not None or extraction.info is None or not extraction.pages:
            if found is not None:
                self.keep(change, extraction, *found)
                return
            self._clear(change)
            record = build.failed(change, extraction, self.ocr.effective)
            self.store.put_record(record)
            self.emit(_failed(record))
            return
        self._clear(change)
        pub, pages = build.build_publication(
            source,
            change.id,
            sha256=change.sha256,
            info=extraction.info,
            raw_pages=extraction.pages,
            normalize=self.settings.normalize,
            ocr=ocr,
            needs_ocr=needs_ocr,
            text=text,
            indexed=reread.readable(rec, found[1]) if rec is not None and found else None,
        )
        self.store.add_publication(pub, pages)
        held = {p.number: p for p in found[1]} if found else {}
        kept = [p.number for p in pages if held.get(p.number) is p]
        record, event = build.written(
            change,
            pages,
            ocr_mode=self.ocr.effective,
            ocr={n: o for n, o in (ocr or {}).items() if n not in kept},
            from_cache=from_cache,
        )
        self.store.put_record(record)
        if kept:
            event = replace(
                event, detail="; ".join(filter(None, [event.detail, reread.kept_note(kept)]))
            )
        self.emit(event)

    def _clear(self, change: Change) -> None:
        """Delete what the index holds of the file, before writing it anew."""
        assert change.source is not None
        self.store.remove(change.id)
        if change.record is not None and change.record.key != change.source.key:
            self.store.remove_record(change.record.key)

    def keep(
        self, change: Change, extraction: Extraction, pub: Publication, pages: list[Page]
    ) -> None:
        """A file read again, content unchanged, that failed as a whole this time: its
        indexed pages stay (rewritten only if it moved or its catalog metadata changed)."""
        source, old = change.source, change.record
        assert source is not None and old is not None
        record = reread.kept_record(change)
        rewrite = record.key != old.key or record.meta_hash != old.meta_hash
        if rewrite:
            self.store.remove(old.id)
            self.store.remove_record(old.key)
            self.store.add_publication(build.kept_publication(source, pub), pages)
        self.store.put_record(record)
        failure = extraction.failure.detail if extraction.failure else build.NO_PAGES_READ
        self.emit(
            FileEvent(
                action=build.ACTION_OF[change.step] if rewrite else Action.UNCHANGED,
                path=record.path,
                id=record.id,
                pages=len(pages) if rewrite else 0,
                failed_pages=record.failed_pages,
                detail=reread.kept_detail(old, failure),
            )
        )


def _unchanged(rec: FileRecord) -> FileEvent:
    if rec.status is Status.FAILED:
        return _failed(rec)
    return FileEvent(
        action=Action.UNCHANGED,
        path=rec.path or rec.key,
        id=rec.id,
        failed_pages=rec.failed_pages,
        detail=rec.detail,
    )


def _failed(rec: FileRecord) -> FileEvent:
    return FileEvent(
        action=Action.FAILED, path=rec.path, id=rec.id, reason=rec.reason, detail=rec.detail
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
