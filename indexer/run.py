"""One index run's work, for :func:`indexer.pipeline.index`: apply the changes that need no
extraction, hand the rest to the executor, OCR what needs it, build the records and write
them through the store, reporting one event per file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace

from indexer.execution.cluster import Executor
from indexer.extraction.analyze import file_text
from indexer.extraction.cache import ExtractionCache, TextCache
from indexer.index.store import Store, indexed
from indexer.model import (
    Action,
    Change,
    Extraction,
    ExtractJob,
    FileEvent,
    FileRecord,
    FileText,
    IndexSettings,
    Job,
    OcrJob,
    OcrOutcome,
    OcrPage,
    OcrPlan,
    OcrSettings,
    Page,
    Publication,
    Reason,
    Status,
    Step,
    TextJob,
    TextRequest,
)
from indexer.planning import changes as plan
from indexer.planning import records, reread
from indexer.planning.reread import same_content

EXTRACT = (Step.ADD, Step.UPDATE, Step.RENAME)


class Run:
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
            pub, pages = records.metadata_only(source)
            self.store.remove(pub.id)
            self.store.add_publication(pub, pages)
            record = records.file_record(change, self.ocr.effective)
            self.store.put_record(replace(record, status=Status.METADATA))
            action = Action.ADDED if change.step is Step.ADD else Action.UPDATED
            self.emit(FileEvent(action=action, path=pub.id, id=pub.id))

    def extract_and_write(self, work: Sequence[Change]) -> None:
        """Text for every changed file (extraction cache, else workers), then OCR for the
        pages that need it (same workers), then the documents."""
        by_key = {c.source.key: c for c in work if c.source is not None}
        hits: dict[str, Extraction] = {}  # from the cache, the workers making their text
        more: deque[Job] = deque()
        results = self.extract(
            self.jobs(work, hits),
            workers=self.settings.workers,
            limits=self.settings.limits,
            more=more,
        )
        for job, result in results:
            change = by_key[job.key]
            if isinstance(result, OcrOutcome):
                self.ocr_read(change, job, result)
                continue
            hit = hits.pop(job.key, None)
            if (ocr_job := self.extracted(change, job, result, hit)) is not None:
                more.append(ocr_job)

    def jobs(self, work: Sequence[Change], hits: dict[str, Extraction]) -> Iterator[Job]:
        """Files to extract, and files from the cache whose text the workers make (read
        from the cache one at a time, as workers free up; put in `hits` by key)."""
        passwords = self.settings.passwords
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
                yield ExtractJob(key=key, path=path, passwords=passwords, text=request)
            elif hit.failure is None and hit.info is not None:
                if (text := self.texts.get(change.sha256, request)) is not None:
                    found = replace(hit, text=text)  # texts made before: nothing to do
                    if (ocr_job := self.text_in(change, found, from_cache=True)) is not None:
                        yield ocr_job  # (not `more`: the pool may have seen the last job)
                    continue
                hits[key] = hit
                yield TextJob(key=key, path=path, pages=hit.pages, text=request)
            else:
                self.text_in(change, hit, from_cache=True)  # fails again: nothing to read

    def ocr_read(self, change: Change, job: Job, outcome: OcrOutcome) -> None:
        """Write a file whose pages the workers read with OCR."""
        extraction, from_cache, needs = self.waiting.pop(job.key)
        ocr = {p.number: p for p in outcome.pages}
        self.write(
            change, extraction, from_cache=from_cache, ocr=ocr, needs_ocr=needs, text=outcome.text
        )

    def extracted(
        self, change: Change, job: Job, result: Extraction, hit: Extraction | None
    ) -> OcrJob | None:
        """A file extracted (or, with its cache `hit`, its texts made): cache what is new,
        then write the file, or return the OCR job it waits for."""
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
        return self.text_in(change, extraction, from_cache=from_cache)

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

    def text_in(self, change: Change, extraction: Extraction, *, from_cache: bool) -> OcrJob | None:
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
            return OcrJob(
                key=source.key,
                path=source.path,
                passwords=self.settings.passwords,
                plan=ocr_plan,
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
        (:mod:`indexer.planning.reread`)."""
        source = change.source
        assert source is not None and source.path is not None
        rec = change.record
        found = indexed(self.store.index, rec) if rec is not None and same_content(change) else None
        if extraction.failure is not None or extraction.info is None or not extraction.pages:
            if found is not None:
                self.keep(change, extraction, *found)
                return
            self._clear(change)
            record = records.failed(change, extraction, self.ocr.effective)
            self.store.put_record(record)
            self.emit(_failed(record))
            return
        self._clear(change)
        pub, pages = records.build_publication(
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
        record, event = records.written(
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
            self.store.add_publication(records.kept_publication(source, pub), pages)
        self.store.put_record(record)
        failure = extraction.failure.detail if extraction.failure else records.NO_PAGES_READ
        self.emit(
            FileEvent(
                action=records.ACTION_OF[change.step] if rewrite else Action.UNCHANGED,
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
