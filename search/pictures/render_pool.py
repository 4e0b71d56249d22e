"""The supervised render processes (:mod:`search.pictures.render_worker`) the page pictures use.

A :class:`RenderWorker` is one process, started on first use, with an address-space limit;
each request has a time limit, and a process over either limit is killed (the next request
starts a new one). A :class:`WorkerPool` shares a few of them among a server's requests.
Requests and replies are the typed messages of :mod:`search.pictures.render_messages`.
"""

from __future__ import annotations

import queue
import select
import subprocess
import sys
from typing import IO, overload

from search.errors import PageImageError, RenderBusyError, RenderLimitError
from search.pictures.render_messages import (
    OutOfMemory,
    Ready,
    Rendered,
    RenderRequest,
    Reply,
    Request,
    RequestFailed,
    WordsFound,
    WordsRequest,
    decode_reply,
    encode,
)

RENDER_TIMEOUT = 10.0  # seconds one render request may take
RENDER_MEMORY_MB = 1024  # address space of a render process
WAIT_FOR_WORKER = 20.0  # seconds a request waits for a free render process
STARTUP_TIMEOUT = 60.0  # seconds a render process may take to start


class RenderWorker:
    """One supervised render process (started on first use, restarted after a failure)."""

    def __init__(self, timeout: float = RENDER_TIMEOUT, memory_mb: int = RENDER_MEMORY_MB):
        self.timeout, self.memory_mb = timeout, memory_mb
        self._proc: subprocess.Popen[bytes] | None = None

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "search.pictures.render_worker",
                    "--memory-mb",
                    str(self.memory_mb),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert self._proc.stdout is not None
            # starting Python and PDFium is not the page's time: wait for Ready apart
            if not _started(_read_line(self._proc.stdout, STARTUP_TIMEOUT)):
                self.stop()
                raise PageImageError(f"the render process did not start ({self.memory_mb} MB)")
        return self._proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    @overload
    def call(self, request: WordsRequest) -> WordsFound: ...
    @overload
    def call(self, request: RenderRequest) -> Rendered: ...
    def call(self, request: Request) -> WordsFound | Rendered:
        """The worker's answer to `request`: :class:`RenderLimitError` when the process goes
        over a limit (it is then stopped), :class:`PageImageError` when the request fails."""
        proc = self._process()
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None
        limits = f"{self.timeout:g} s, {self.memory_mb} MB"
        try:
            stdin.write(encode(request))
            stdin.flush()
        except OSError as exc:
            self.stop()
            raise RenderLimitError(f"the render process stopped ({exc}); limits {limits}") from exc
        line = _read_line(stdout, self.timeout)
        if line is None:
            self.stop()
            raise RenderLimitError(f"rendering took longer than {self.timeout:g} s; stopped")
        if not line:
            self.stop()
            raise RenderLimitError(f"the render process died (over {self.memory_mb} MB?)")
        return self._answer(request, decode_reply(line))

    def _answer(self, request: Request, reply: Reply) -> WordsFound | Rendered:
        match reply:
            case OutOfMemory():
                self.stop()  # what is left of its heap is of no use
                raise RenderLimitError(f"the page needs more than {self.memory_mb} MB to render")
            case RequestFailed(detail=detail):
                raise PageImageError(detail)
            case WordsFound() if isinstance(request, WordsRequest):
                return reply
            case Rendered() if isinstance(request, RenderRequest):
                return reply
        self.stop()  # out of step with its requests: start afresh
        raise PageImageError(
            f"the render process answered a {type(request).__name__} with {type(reply).__name__}"
        )


def _read_line(stream: IO[bytes], timeout: float) -> bytes | None:
    """One line from `stream`, b'' at its end, None when nothing came within `timeout`."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else None


def _started(line: bytes | None) -> bool:
    """Whether `line` is the worker's :class:`Ready`."""
    if not line:
        return False
    try:
        return isinstance(decode_reply(line), Ready)
    except ValueError:  # not a message: something else wrote to its stdout
        return False


class WorkerPool:
    """A few render workers shared by the requests of a server (one request per worker)."""

    def __init__(
        self, size: int = 2, timeout: float = RENDER_TIMEOUT, memory_mb: int = RENDER_MEMORY_MB
    ) -> None:
        self._idle: queue.Queue[RenderWorker] = queue.Queue()
        self._all = [RenderWorker(timeout, memory_mb) for _ in range(max(1, size))]
        for worker in self._all:
            self._idle.put(worker)

    @overload
    def call(self, request: WordsRequest, wait: float = ...) -> WordsFound: ...
    @overload
    def call(self, request: RenderRequest, wait: float = ...) -> Rendered: ...
    def call(self, request: Request, wait: float = WAIT_FOR_WORKER) -> WordsFound | Rendered:
        """:meth:`RenderWorker.call` on the first worker free within `wait` seconds
        (:class:`RenderBusyError` when none is)."""
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise RenderBusyError(f"every render process stayed busy for {wait:g} s") from None
        try:
            return worker.call(request)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self._all:
            worker.stop()
