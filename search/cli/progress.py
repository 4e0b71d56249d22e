"""Progress of an index run: a bar on a terminal, plain lines otherwise.

On a TTY (and not ``--quiet``): a rich progress bar with files done / to do, pages, pages
per second and time left, and a line above it for every file that failed or was read only
in part. Not on a TTY: one line per file that changed (``added``, ``renamed``, ``FAILED``…),
as a log. Failures are printed even with ``--quiet``.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, TextIO

from indexer.model import WRITTEN, Action, FileEvent
from search.render import file_line


class Progress:
    """Receives the pipeline's callbacks (`start`, `file_done`) and shows them."""

    def __init__(self, enabled: bool, stream: TextIO) -> None:
        self.enabled = enabled
        self.stream = stream
        self.tty = enabled and stream.isatty()
        self.bar: Any = None
        self.task: Any = None
        self.pages = 0
        self.started = time.monotonic()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def start(self, total: int) -> None:
        """The run has `total` files to read (unchanged ones are not counted)."""
        self.started = time.monotonic()
        if not self.tty or total == 0:
            return
        from rich.console import Console  # rich: only for a bar on a terminal
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[pages]} pages · {task.fields[rate]} pages/s"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(file=self.stream),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("index", total=total, pages=0, rate="-")

    def file_done(self, event: FileEvent) -> None:
        line = file_line(event)
        important = event.action is Action.FAILED or bool(event.failed_pages)
        if line is not None and (important or (self.enabled and not self.tty)):
            if self.bar is not None:
                self.bar.console.print(line, markup=False, highlight=False)
            else:
                print(line, file=self.stream, flush=True)
        if self.bar is not None and event.action in (*WRITTEN, Action.FAILED):
            self.pages += event.pages
            elapsed = max(time.monotonic() - self.started, 1e-6)
            self.bar.update(
                self.task, advance=1, pages=self.pages, rate=f"{self.pages / elapsed:.0f}"
            )
