"""Extraction in worker processes, each file under a time limit and a memory limit.

:func:`extract_all` runs :func:`indexer.extraction.pdf.iter_pages` for many files in ``workers``
processes and yields one :class:`~indexer.model.Extraction` per file, in completion order.

Workers stream a file page by page. The supervisor (the calling process) enforces:

- a **page time limit**: a page that takes longer kills the worker; the page is recorded
  as ``timeout`` and a fresh worker goes on from the next page, so one page that hangs
  pdfminer does not lose the rest of the document;
- a **file time limit**: past it the worker is killed and the pages not yet read are
  recorded as ``timeout``; a file that produced no page at all fails as ``timeout``;
- a **memory limit** (``RLIMIT_AS`` in the worker): an allocation past it raises
  :class:`MemoryError` in the worker, which reports the page as ``out-of-memory`` and
  exits; a worker killed from outside (the kernel's OOM killer, a crash) is reported the
  same way with its signal.

The limits are the :class:`~indexer.model.Limits` passed in. Peak memory is therefore
bounded by ``workers`` x the per-worker limit, not by corpus size.

A job is one of three kinds (:data:`~indexer.model.Job`). The same pool reads pages with
OCR: an :class:`~indexer.model.OcrJob` renders and reads its pages one by one
(:func:`indexer.extraction.ocr.ocr_page`) under the plan's own per-page time limit (no file
limit: a long scan takes as long as its pages), and a page that times out or kills its
worker is recorded with that reason while a fresh worker goes on with the next. With a
job's `text` request the worker also makes the file's page texts
(:mod:`indexer.extraction.analyze`); a :class:`~indexer.model.TextJob` asks only for those,
for pages already extracted. Jobs can be added while the pool runs (`more`).

Supervisor and workers talk in the typed messages of :mod:`indexer.execution.messages`.
Workers fork from a fork server with pdfminer and langdetect loaded
(:data:`indexer.execution.processes.PRELOAD`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias, assert_never

from indexer.execution.messages import (
    Analyzing,
    Done,
    ExtractFile,
    Failed,
    InfoRead,
    MakeText,
    OcrPageRead,
    OcrPageStarted,
    PageRead,
    ReadWithOcr,
    Reply,
    Request,
    TextMade,
)
from indexer.execution.processes import Processes, Slot, context, describe_death
from indexer.execution.worker import Hanging
from indexer.model import (
    DEFAULT_MEMORY_MB,
    DEFAULT_PAGE_TIMEOUT,
    DEFAULT_TIMEOUT,
    Extraction,
    ExtractJob,
    FileFailure,
    FileText,
    Job,
    Limits,
    OcrJob,
    OcrOutcome,
    OcrPage,
    PdfInfo,
    RawPage,
    Reason,
    TextJob,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_PAGE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ExtractJob",
    "Job",
    "OcrJob",
    "TextJob",
    "extract_all",
]

#: A worker is replaced after this many files, so slow leaks cannot pile up.
FILES_PER_WORKER = 200
#: Seconds a worker may spend making one file's text (past it, the indexer makes it).
TEXT_TIMEOUT = 120.0
_POLL = 0.25
DEFAULT_LIMITS = Limits()
#: Test seam: pages that hang the worker that reads them, as a page that hangs pdfminer
#: would: the page time limit ends the worker, the page is recorded as ``timeout`` and a
#: fresh worker goes on with the next page. Read when a pool starts and handed to its
#: workers; empty unless a test sets it (``monkeypatch.setattr``).
HANGING_PAGES: Hanging = frozenset()


# ------------------------------------------------------------------ supervisor side


@dataclass(slots=True)
class _Task:
    """A job and what its workers have sent of it so far."""

    job: Job
    deadline: float
    info: PdfInfo | None = None
    pages: list[RawPage] = field(default_factory=list)
    next_page: int = 1
    ocr_pages: list[OcrPage] = field(default_factory=list)
    analyzing: bool = False  # the worker is making the file's text (all pages are in)
    text: FileText | None = None

    def request(self) -> Request:
        """What a worker is asked to do: the job, from where the last worker left it."""
        match self.job:
            case ExtractJob(path=path, passwords=passwords, text=text):
                return ExtractFile(path=path, passwords=passwords, start=self.next_page, text=text)
            case TextJob(pages=pages, text=text):
                return MakeText(pages=pages, text=text)
            case OcrJob(path=path, passwords=passwords, plan=plan, pages=pages, text=text):
                start = len(self.ocr_pages)
                return ReadWithOcr(
                    path=path, passwords=passwords, plan=plan, start=start, pages=pages, text=text
                )

    def result(self, failure: FileFailure | None, limits: Limits) -> Extraction:
        return Extraction(
            info=self.info, pages=tuple(self.pages), failure=failure, limits=limits, text=self.text
        )

    def finished(self, limits: Limits) -> Extraction:
        """The file's extraction; a file that timed out (or ran out of memory) on every
        page fails as a whole with that reason."""
        failure = None
        if self.pages and all(p.error for p in self.pages):
            (first, *others) = {p.reason for p in self.pages}
            if not others and first in (Reason.TIMEOUT, Reason.OUT_OF_MEMORY):
                failure = FileFailure(reason=first, detail=f"{first} on every page")
        return self.result(failure, limits)

    def ended(self, limits: Limits) -> Extraction | OcrOutcome:
        """The result of a job that is over (or whose text the indexer makes instead)."""
        match self.job:
            case ExtractJob():
                return self.finished(limits)
            case TextJob(pages=pages):
                return Extraction(
                    info=None, pages=pages, failure=None, limits=limits, text=self.text
                )
            case OcrJob():
                return OcrOutcome(pages=tuple(self.ocr_pages), text=self.text)


_TIMEOUT = (Reason.TIMEOUT, "timeout")

#: What a job ends as: an extraction (a file or a text job) or an OCR outcome.
Result: TypeAlias = Extraction | OcrOutcome


class _Supervisor:
    """One :func:`extract_all` run: hands jobs to worker slots, reads what they send,
    and ends a worker that dies or runs past a limit (of ``limits``)."""

    def __init__(
        self, jobs: Iterable[Job], *, workers: int, limits: Limits, more: deque[Job] | None
    ) -> None:
        self.workers, self.limits = workers, limits
        self.pending, self.exhausted = iter(jobs), False
        self.more: deque[Job] = more if more is not None else deque()
        self.queue: deque[_Task] = deque()  # tasks to go on with a fresh worker
        self.pool = Processes(context(), limits.memory_mb, HANGING_PAGES)
        self.slots: list[Slot[_Task]] = []

    def run(self) -> Iterator[tuple[Job, Result]]:
        try:
            while busy := self.hand_out():
                waitables: list[Any] = [s.conn for s in busy] + [s.process.sentinel for s in busy]
                multiprocessing.connection.wait(waitables, timeout=_POLL)
                now = time.monotonic()
                for slot in busy:
                    task = slot.task
                    assert task is not None
                    if (done := self.serve(slot, task, now)) is not None:
                        yield task.job, done
        finally:
            for slot in self.slots:
                if slot.task is not None:
                    self.pool.kill(slot)
                else:
                    self.pool.stop(slot)

    def next_task(self) -> _Task | None:
        if self.queue:
            return self.queue.popleft()
        job: Job | None = self.more.popleft() if self.more else None
        if job is None and not self.exhausted:
            job = next(self.pending, None)
            self.exhausted = job is None
        if job is None:
            return None
        # OCR has a limit per page only: a long scan takes as long as its pages
        deadline = (
            float("inf") if isinstance(job, OcrJob) else time.monotonic() + self.limits.timeout
        )
        return _Task(job=job, deadline=deadline)

    def hand_out(self) -> list[Slot[_Task]]:
        """Give idle workers, then new ones (up to `workers`), the next tasks; the busy slots."""
        for slot in [s for s in self.slots if s.task is None]:
            task = self.next_task()
            if task is None:
                break
            if slot.files >= FILES_PER_WORKER:
                self.pool.stop(slot)
                self.slots.remove(slot)
                self.queue.appendleft(task)
                continue
            self.assign(slot, task)
        while len(self.slots) < self.workers and (task := self.next_task()) is not None:
            slot = self.pool.spawn()
            self.slots.append(slot)
            self.assign(slot, task)
        return [s for s in self.slots if s.task is not None]

    @staticmethod
    def assign(slot: Slot[_Task], task: _Task) -> None:
        slot.task = task
        slot.files += 1
        slot.last_progress = time.monotonic()
        slot.conn.send(task.request())

    def serve(self, slot: Slot[_Task], task: _Task, now: float) -> Result | None:
        """Read what the slot's worker sent; the task's result if it ended (done, failed,
        its worker dead or past a time limit), None while it goes on."""
        try:
            while slot.conn.poll():
                message: Reply = slot.conn.recv()
                slot.last_progress = time.monotonic()
                if (done := self.receive(slot, task, message)) is not None:
                    return done
        except (EOFError, OSError):
            return self.lost_page(slot, self.death(slot))
        if not slot.process.is_alive():
            return self.lost_page(slot, self.death(slot))
        if now > task.deadline and not task.analyzing:
            return self.lost_page(slot, _TIMEOUT)  # past the deadline: never requeued
        if now - slot.last_progress > self.page_limit(task):
            return self.lost_page(slot, _TIMEOUT)
        return None

    def receive(self, slot: Slot[_Task], task: _Task, message: Reply) -> Result | None:
        """Take one message in; the task's result when it is the job's last."""
        match message:
            case InfoRead(info=info):
                task.info = info
            case PageRead(page=page):
                task.pages.append(page)
                task.next_page = page.number + 1
            case OcrPageStarted():
                pass  # last_progress is now: the page's time starts
            case OcrPageRead(page=ocr_page):
                task.ocr_pages.append(ocr_page)
            case Analyzing():
                task.analyzing = True
            case TextMade(text=text):
                task.text = text
            case Done():
                slot.task = None
                return task.ended(self.limits)
            case Failed(failure=failure):
                slot.task = None
                return task.result(failure, self.limits)
            case _:
                assert_never(message)
        return None

    def page_limit(self, task: _Task) -> float:
        """How long one page may take: the extraction limit; for OCR (Tesseract's runs have
        their own limit) a backstop past render, OSD and reading; :data:`TEXT_TIMEOUT`."""
        if task.analyzing:
            return max(self.limits.page_timeout, TEXT_TIMEOUT)
        if isinstance(task.job, OcrJob):
            return 3 * task.job.plan.timeout + 30
        return self.limits.page_timeout

    def death(self, slot: Slot[_Task]) -> tuple[Reason, str]:
        return describe_death(slot.process, f"{self.limits.memory_mb} MB")

    def lost_page(self, slot: Slot[_Task], why: tuple[Reason, str]) -> Result | None:
        """The worker died or was killed on its current page: record it, maybe go on (the
        task is queued for a fresh worker: None)."""
        task = slot.task
        assert task is not None
        slot.task = None
        self.pool.kill(slot)
        self.slots.remove(slot)
        job = task.job
        if task.analyzing or isinstance(job, TextJob):  # the indexer makes the text
            return task.ended(self.limits)
        reason, error = why
        if isinstance(job, OcrJob):
            pages = job.plan.pages
            task.ocr_pages.append(OcrPage(number=pages[len(task.ocr_pages)], error=error))
            if len(task.ocr_pages) < len(pages):
                self.queue.appendleft(task)  # the next page, with a fresh worker
                return None
            return OcrOutcome(pages=tuple(task.ocr_pages))
        if task.info is None:  # never got past opening the file
            failure = FileFailure(reason=reason, detail=f"{error} before the first page")
            return task.result(failure, self.limits)
        task.pages.append(RawPage(number=task.next_page, text="", error=error, reason=reason))
        task.next_page += 1
        if task.next_page <= task.info.page_count:
            if time.monotonic() < task.deadline:
                self.queue.appendleft(task)  # go on from the next page with a fresh worker
                return None
            task.pages.extend(
                RawPage(number=n, text="", error="timeout", reason=Reason.TIMEOUT)
                for n in range(task.next_page, task.info.page_count + 1)
            )
        return task.finished(self.limits)


def extract_all(
    jobs: Iterable[Job],
    *,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    more: deque[Job] | None = None,
) -> Iterator[tuple[Job, Extraction | OcrOutcome]]:
    """Run every job in worker processes; yield (job, result) as each ends: an
    :class:`~indexer.model.Extraction` for a file or text job, an
    :class:`~indexer.model.OcrOutcome` for an OCR job.

    Never raises for a bad file: every job ends as an :class:`Extraction`, with per-page
    errors or a file-level ``failure`` (reason, detail). Jobs appended to `more` (say, by
    the consumer between two results) are run too, before the pool stops.
    """
    workers = max(1, workers or os.cpu_count() or 1)
    yield from _Supervisor(jobs, workers=workers, limits=limits, more=more).run()
