"""The worker side of the extraction pool: one process that reads the jobs the supervisor
(:mod:`indexer.execution.pool`) sends it, page by page, under a memory limit, and answers
with the typed messages of :mod:`indexer.execution.messages`. pdfminer, langdetect and
Tesseract run here, never in the supervisor.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NoReturn, TypeAlias, assert_never

from indexer.errors import ExtractionError, OcrUnavailableError
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
    Request,
    Stop,
    TextMade,
)
from indexer.extraction.ocr import OcrCache, planned_page
from indexer.model import (
    FileFailure,
    OcrPage,
    PdfInfo,
    RawPage,
    Reason,
    TextRequest,
)

#: Pages a worker never finishes: ``(file name, page number)`` pairs.
Hanging: TypeAlias = frozenset[tuple[str, int]]
PageReader: TypeAlias = Callable[..., Iterator[RawPage]]


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


def worker_main(conn: Connection, memory_mb: int, hanging: Hanging = frozenset()) -> None:
    """Run the :data:`~indexer.execution.messages.Request` jobs received one at a time,
    streaming :data:`~indexer.execution.messages.Reply` messages back, until
    :class:`~indexer.execution.messages.Stop` or the pipe closes.

    Any MemoryError, wherever it strikes, ends the worker with :data:`OOM_EXIT`; the
    supervisor records the page and goes on with a fresh worker.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when to stop
    from indexer.extraction.pdf import iter_pages  # pdfminer: in the worker process only

    _limit_memory(memory_mb)
    try:
        while True:
            try:
                request: Request = conn.recv()
            except EOFError:
                return
            match request:
                case Stop():
                    return
                case ExtractFile():
                    _extract(conn, request, iter_pages, hanging)
                case MakeText(pages=pages, text=text):
                    _send_text(conn, pages, text)
                    conn.send(Done())
                case ReadWithOcr():
                    _read_with_ocr(conn, request)
                case _:
                    assert_never(request)
    except MemoryError:
        os._exit(OOM_EXIT)


def _extract(conn: Connection, request: ExtractFile, read: PageReader, hanging: Hanging) -> None:
    """Stream the file's info (from page 1 only) and pages, its text when asked, then
    :class:`Done`; or :class:`Failed` when the file cannot be read."""

    def on_info(info: PdfInfo) -> None:
        conn.send(InfoRead(info=info))

    path, start = request.path, request.start
    try:
        pages = []
        for page in read(path, request.passwords, on_info if start == 1 else None, start=start):
            if (path.name, page.number) in hanging:
                _hang()
            conn.send(PageRead(page=page))
            pages.append(page)
        if request.text is not None and start == 1 and pages:
            _send_text(conn, pages, request.text)
        conn.send(Done())
    except ExtractionError as exc:
        conn.send(Failed(failure=FileFailure(reason=exc.reason, detail=exc.detail)))
    except MemoryError:
        raise
    except Exception as exc:  # a bug or an unforeseen pdfminer error: report, go on
        detail = f"extraction failed ({type(exc).__name__}: {exc})"
        conn.send(Failed(failure=FileFailure(reason=Reason.CORRUPT, detail=detail)))


def _hang() -> NoReturn:
    """Never finish the page (:data:`HANGING_PAGES`): the supervisor ends the worker."""
    while True:
        time.sleep(60)


def _send_text(
    conn: Connection,
    pages: Sequence[RawPage],
    request: TextRequest,
    ocr: dict[int, OcrPage] | None = None,
) -> None:
    from indexer.extraction.analyze import file_text  # langdetect: in the worker process only

    conn.send(Analyzing())
    conn.send(TextMade(text=file_text(pages, request, ocr)))


def _read_with_ocr(conn: Connection, request: ReadWithOcr) -> None:
    """Read the plan's pages from index `start` on: :class:`OcrPageStarted` before each page
    (so the supervisor times it) and :class:`OcrPageRead` after; then, for a job read in
    one go with a text request, the file's text with the OCR text in; then :class:`Done`."""
    plan = request.plan
    cache = OcrCache(Path(plan.cache_dir)) if plan.cache_dir else None
    read: dict[int, OcrPage] = {}
    for number in plan.pages[request.start :]:
        conn.send(OcrPageStarted(number=number))
        try:
            page = planned_page(request.path, number, plan, request.passwords, cache)
        except subprocess.TimeoutExpired:
            page = OcrPage(number=number, error="timeout")
        except (OSError, OcrUnavailableError, ValueError) as exc:
            page = OcrPage(number=number, error=f"ocr failed ({exc})")
        except MemoryError:
            raise
        except Exception as exc:  # pdfium or a bug: this page only
            page = OcrPage(number=number, error=f"ocr failed ({type(exc).__name__}: {exc})")
        conn.send(OcrPageRead(page=page))
        read[number] = page
    if request.text is not None and request.start == 0:
        _send_text(conn, request.pages, request.text, read)
    conn.send(Done())
