"""Extraction in worker processes, each file under a time limit and a memory limit.

:func:`extract_all` runs :func:`indexer.extract.iter_pages` for many files in ``workers``
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

Peak memory is therefore bounded by ``workers`` x the per-worker limit, not by corpus size.

The same pool reads pages with OCR: a :class:`Job` with an :class:`~indexer.model.OcrPlan`
renders and reads its pages one by one (:func:`indexer.ocr.ocr_page`) under the plan's own
per-page time limit (no file limit: a long scan takes as long as its pages), and a page
that times out or kills its worker is recorded with that reason while a fresh worker goes
on with the next. Jobs can be added while the pool runs (`more`). With a job's `text`
request the worker also makes the file's page texts (:mod:`indexer.analyze`). Workers fork
from a fork server with pdfminer and langdetect loaded (:mod:`indexer.preload`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import subprocess
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from indexer.errors import ExtractionError, OcrUnavailableError
from indexer.model import (
    DEFAULT_MEMORY_MB,
    DEFAULT_PAGE_TIMEOUT,
    DEFAULT_TIMEOUT,
    Extraction,
    FileFailure,
    FileText,
    Job,
    Limits,
    OcrOutcome,
    OcrPage,
    OcrPlan,
    PdfInfo,
    RawPage,
    Reason,
    TextRequest,
)
from indexer.ocr import OcrCache, planned_page

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_PAGE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "Job",
    "extract_all",
]

#: A worker is replaced after this many files, so slow leaks cannot pile up.
FILES_PER_WORKER = 200
#: Seconds a worker may spend making one file's text (past it, the indexer makes it).
TEXT_TIMEOUT = 120.0
_POLL = 0.25
DEFAULT_LIMITS = Limits()


# ------------------------------------------------------------------ worker side


def _limit_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


#: Exit status of a worker that ran out of memory (its report may not have gone through).
OOM_EXIT = 75


def _worker_main(conn: Connection, memory_mb: int) -> None:
    """Receive ("extract", path, passwords, start, request), ("text", pages, request) or
    ("ocr", path, passwords, plan, start, pages, request) jobs; stream info, pages (or OCR
    pages), the file's text when asked (after an ("analyzing", None) mark), and a final
    word back.

    Any MemoryError, wherever it strikes, ends the worker with :data:`OOM_EXIT`; the
    supervisor records the page and goes on with a fresh worker.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when to stop
    from indexer.extract import iter_pages  # pdfminer: in the worker process only

    _limit_memory(memory_mb)
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            if message[0] == "ocr":
                _ocr_job(conn, *message[1:])
                continue
            if message[0] == "text":
                _send_text(conn, message[1], message[2])
                conn.send(("done", None))
                continue
            _kind, path, passwords, start, request = message
            try:
                on_info = (lambda info: conn.send(("info", info))) if start == 1 else None
                pages = []
                for page in iter_pages(Path(path), passwords, on_info, start=start):
                    conn.send(("page", page))
                    pages.append(page)
                if request is not None and start == 1 and pages:
                    _send_text(conn, pages, request)
                conn.send(("done", None))
            except ExtractionError as exc:
                conn.send(("fail", FileFailure(reason=exc.reason, detail=exc.detail)))
            except MemoryError:
                raise
            except Exception as exc:  # a bug or an unforeseen pdfminer error: report, go on
                detail = f"extraction failed ({type(exc).__name__}: {exc})"
                conn.send(("fail", FileFailure(reason=Reason.CORRUPT, detail=detail)))
    except MemoryError:
        os._exit(OOM_EXIT)


def _send_text(
    conn: Connection,
    pages: Sequence[RawPage],
    request: TextRequest,
    ocr: dict[int, OcrPage] | None = None,
) -> None:
    from indexer.analyze import file_text  # langdetect: in the worker process only

    conn.send(("analyzing", None))
    conn.send(("text", file_text(pages, request, ocr)))


def _ocr_job(
    conn: Connection,
    path: str,
    passwords: tuple[str, ...],
    plan: OcrPlan,
    start: int,
    pages: tuple[RawPage, ...] | None,
    request: TextRequest | None,
) -> None:
    """Read the plan's pages from index `start` on; one ("ocr-start", n) before each page
    (so the supervisor times it) and one ("ocr-page", OcrPage) after; then, for a job read
    in one go with a request, the file's text with the OCR text in."""
    cache = OcrCache(Path(plan.cache_dir)) if plan.cache_dir else None
    read: dict[int, OcrPage] = {}
    for number in plan.pages[start:]:
        conn.send(("ocr-start", number))
        try:
            page = planned_page(Path(path), number, plan, passwords, cache)
        except subprocess.TimeoutExpired:
            page = OcrPage(number=number, error="timeout")
        except (OSError, OcrUnavailableError, ValueError) as exc:
            page = OcrPage(number=number, error=f"ocr failed ({exc})")
        except MemoryError:
            raise
        except Exception as exc:  # pdfium or a bug: this page only
            page = OcrPage(number=number, error=f"ocr failed ({type(exc).__name__}: {exc})")
        conn.send(("ocr-page", page))
        read[number] = page
    if request is not None and pages is not None and start == 0:
        _send_text(conn, pages, request, read)
    conn.send(("done", None))


# ------------------------------------------------------------------ supervisor side


@dataclass(slots=True)
class _Task:
    job: Job
    deadline: float
    info: PdfInfo | None = None
    pages: list[RawPage] = field(default_factory=list)
    next_page: int = 1
    ocr_pages: list[OcrPage] = field(default_factory=list)
    analyzing: bool = False  # the worker is making the file's text (all pages are in)
    text: FileText | None = None

    def result(self, failure: FileFailure | None, limits: Limits) -> Extraction:
        return Extraction(
            info=self.info, pages=tuple(self.pages), failure=failure, limits=limits, text=self.text
        )

    def ended(self, limits: Limits) -> Extraction | OcrOutcome:  # of an OCR or text job
        if self.job.ocr is not None:
            return OcrOutcome(pages=tuple(self.ocr_pages), text=self.text)
        pages = self.job.pages or ()
        return Extraction(info=None, pages=pages, failure=None, limits=limits, text=self.text)


@dataclass(slots=True)
class _Slot:
    process: BaseProcess
    conn: Connection
    files: int = 0
    task: _Task | None = None
    last_progress: float = 0.0


class _Pool:
    def __init__(self, ctx: BaseContext, memory_mb: int) -> None:
        self.ctx: Any = ctx  # a forkserver or spawn context: it has Process and Pipe
        self.memory_mb = memory_mb

    def spawn(self) -> _Slot:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker_main, args=(child, self.memory_mb), daemon=True)
        process.start()
        child.close()
        return _Slot(process=process, conn=parent)

    @staticmethod
    def kill(slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(timeout=5)
        slot.conn.close()

    @staticmethod
    def stop(slot: _Slot) -> None:
        with contextlib.suppress(OSError):
            slot.conn.send(None)
        slot.process.join(timeout=2)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join(timeout=5)
        slot.conn.close()


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["indexer.preload"])
        return ctx
    return multiprocessing.get_context("spawn")


class KeptWorkers:
    """Idle workers kept from one :func:`extract_all` call to the next (a Dask task reads
    one file per call; a fresh process would load pdfminer's caches again each time)."""

    def __init__(self) -> None:
        self._idle: dict[int, list[_Slot]] = {}

    def take(self, memory_mb: int) -> _Slot | None:
        idle = self._idle.get(memory_mb, [])
        while idle:
            slot = idle.pop()
            if slot.process.is_alive():
                return slot
            _Pool.kill(slot)
        return None

    def keep(self, memory_mb: int, slot: _Slot) -> None:
        self._idle.setdefault(memory_mb, []).append(slot)


def start_fork_server() -> int:
    """Start the fork server now (its modules loaded); the pid of a worker it forked."""
    pool = _Pool(_context(), 0)
    slot = pool.spawn()
    pid = slot.process.pid or 0
    pool.stop(slot)
    return pid


def _describe_death(process: BaseProcess, memory_note: str) -> tuple[Reason, str]:
    """Why a worker died: its reason code and the words for people."""
    process.join(timeout=2)
    code = process.exitcode
    if code == OOM_EXIT:
        return Reason.OUT_OF_MEMORY, f"out-of-memory (over the {memory_note} limit)"
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if -code == signal.SIGKILL:
            return Reason.OUT_OF_MEMORY, f"out-of-memory (worker killed by {name})"
        return Reason.CRASHED, f"crashed (worker killed by {name})"
    return Reason.CRASHED, f"crashed (worker exited with code {code})"


_TIMEOUT = (Reason.TIMEOUT, "timeout")


def _page_limit(job: Job, page_timeout: float, analyzing: bool = False) -> float:
    """How long one page may take: the extraction limit; for OCR (Tesseract's runs have
    their own limit) a backstop past render, OSD and reading; :data:`TEXT_TIMEOUT`."""
    if analyzing:
        return max(page_timeout, TEXT_TIMEOUT)
    if job.ocr is None:
        return page_timeout
    return 3 * job.ocr.timeout + 30


def extract_all(
    jobs: Iterable[Job],
    *,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    more: deque[Job] | None = None,
    kept: KeptWorkers | None = None,
) -> Iterator[tuple[Job, Extraction | OcrOutcome]]:
    """Extract every job's file in worker processes; yield (job, extraction) as each ends
    (an :class:`~indexer.model.OcrOutcome` for OCR jobs). With `kept`, idle workers are
    taken from it and left in it at the end instead of being stopped.

    Never raises for a bad file: every job ends as an :class:`Extraction`, with per-page
    errors or a file-level ``failure`` (reason, detail). Jobs appended to `more` (say, by
    the consumer between two results) are run too, before the pool stops.
    """
    workers = max(1, workers or os.cpu_count() or 1)
    timeout, page_timeout, memory_mb = limits.timeout, limits.page_timeout, limits.memory_mb
    queue: deque[_Task] = deque()
    pending = iter(jobs)
    pool = _Pool(_context(), memory_mb)
    slots: list[_Slot] = []
    exhausted = False

    def next_task() -> _Task | None:
        nonlocal exhausted
        if queue:
            return queue.popleft()
        job: Job | None = more.popleft() if more else None
        if job is None and not exhausted:
            job = next(pending, None)
            exhausted = job is None
        if job is None:
            return None
        now = time.monotonic()
        # OCR has a limit per page only: a long scan takes as long as its pages
        return _Task(job=job, deadline=now + timeout if job.ocr is None else float("inf"))

    def assign(slot: _Slot, task: _Task) -> None:
        slot.task = task
        slot.files += 1
        slot.last_progress = time.monotonic()
        job = task.job
        if job.ocr is not None:
            start = len(task.ocr_pages)
            message = ("ocr", str(job.path), job.passwords, job.ocr, start, job.pages, job.text)
            slot.conn.send(message)
        elif job.pages is not None:
            slot.conn.send(("text", job.pages, job.text or TextRequest()))
        else:
            slot.conn.send(("extract", str(job.path), job.passwords, task.next_page, job.text))

    def lost_page(slot: _Slot, why: tuple[Reason, str]) -> Extraction | OcrOutcome | None:
        """The worker died or was killed on its current page: record it, maybe go on."""
        task = slot.task
        assert task is not None
        slot.task = None
        pool.kill(slot)
        slots.remove(slot)
        is_file = task.job.ocr is None and task.job.pages is None
        if task.analyzing or (not is_file and task.job.ocr is None):  # the indexer does it
            return _finish(task, None) if is_file else task.ended(limits)
        reason, error = why
        plan = task.job.ocr
        if plan is not None:
            task.ocr_pages.append(OcrPage(number=plan.pages[len(task.ocr_pages)], error=error))
            if len(task.ocr_pages) < len(plan.pages):
                queue.appendleft(task)  # the next page, with a fresh worker
                return None
            return OcrOutcome(pages=tuple(task.ocr_pages))
        if task.info is None:  # never got past opening the file
            failure = FileFailure(reason=reason, detail=f"{error} before the first page")
            return task.result(failure, limits)
        task.pages.append(RawPage(number=task.next_page, text="", error=error, reason=reason))
        task.next_page += 1
        if task.next_page <= task.info.page_count:
            if time.monotonic() < task.deadline:
                queue.appendleft(task)  # go on from the next page with a fresh worker
                return None
            task.pages.extend(
                RawPage(number=n, text="", error="timeout", reason=Reason.TIMEOUT)
                for n in range(task.next_page, task.info.page_count + 1)
            )
        return _finish(task, None)

    def _finish(task: _Task, failure: FileFailure | None) -> Extraction:
        reasons = {p.reason for p in task.pages}
        if failure is None and task.pages and all(p.error for p in task.pages):
            (first, *others) = reasons
            if not others and first in (Reason.TIMEOUT, Reason.OUT_OF_MEMORY):
                failure = FileFailure(reason=first, detail=f"{first} on every page")
        return task.result(failure, limits)

    try:
        while True:
            # hand out work
            for slot in [s for s in slots if s.task is None]:
                task = next_task()
                if task is None:
                    break
                if slot.files >= FILES_PER_WORKER:
                    pool.stop(slot)
                    slots.remove(slot)
                    queue.appendleft(task)
                    continue
                assign(slot, task)
            while len(slots) < workers:
                task = next_task()
                if task is None:
                    break
                slot = (kept.take(memory_mb) if kept is not None else None) or pool.spawn()
                slots.append(slot)
                assign(slot, task)
            busy = [s for s in slots if s.task is not None]
            if not busy:
                break
            waitables: list[Any] = [s.conn for s in busy] + [s.process.sentinel for s in busy]
            multiprocessing.connection.wait(waitables, timeout=_POLL)
            now = time.monotonic()
            for slot in busy:
                task = slot.task
                assert task is not None
                done: Extraction | OcrOutcome | None = None
                try:
                    while slot.task is not None and slot.conn.poll():
                        kind, payload = slot.conn.recv()
                        slot.last_progress = time.monotonic()
                        if kind == "info":
                            task.info = payload
                        elif kind == "page":
                            task.pages.append(payload)
                            task.next_page = payload.number + 1
                        elif kind == "ocr-page":
                            task.ocr_pages.append(payload)
                        elif kind == "ocr-start":
                            pass  # last_progress is now: the page's time starts
                        elif kind == "analyzing":
                            task.analyzing = True
                        elif kind == "text":
                            task.text = payload
                        elif kind == "done":
                            slot.task = None
                            if task.job.ocr is None and task.job.pages is None:
                                done = _finish(task, None)
                            else:
                                done = task.ended(limits)
                        elif kind == "fail":
                            slot.task = None
                            done = task.result(payload, limits)
                except (EOFError, OSError):
                    if slot.task is not None:
                        done = lost_page(slot, _describe_death(slot.process, f"{memory_mb} MB"))
                if slot.task is not None and slot in slots:
                    if not slot.process.is_alive():
                        done = lost_page(slot, _describe_death(slot.process, f"{memory_mb} MB"))
                    elif now > task.deadline and not task.analyzing:
                        done = lost_page(slot, _TIMEOUT)  # past the deadline: never requeued
                    elif now - slot.last_progress > _page_limit(
                        task.job, page_timeout, task.analyzing
                    ):
                        done = lost_page(slot, _TIMEOUT)
                if done is not None:
                    yield task.job, done
    finally:
        for slot in slots:
            if slot.task is not None:
                pool.kill(slot)
            elif kept is not None and slot.files < FILES_PER_WORKER:
                kept.keep(memory_mb, slot)
            else:
                pool.stop(slot)
