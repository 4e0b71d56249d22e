"""One writer per index: an advisory lock file holding the writer's pid and start time.

The lock is an ``flock`` on ``<index>/pubsearch.lock``: the kernel releases it when the
process ends, however it ends (even SIGKILL), so a crashed indexer never leaves a stale
lock. Searches take no lock; they read the last commit.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from indexer.errors import IndexLockedError

LOCK_FILE = "pubsearch.lock"


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock, or raise :class:`IndexLockedError` naming the holder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder: dict[str, object] = {}
            with suppress(ValueError):
                holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
            raise IndexLockedError(
                str(index_dir), holder.get("pid", "?"), holder.get("since", "?")
            ) from None
        os.ftruncate(fd, 0)
        since = time.strftime("%Y-%m-%d %H:%M:%S")
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": since}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
