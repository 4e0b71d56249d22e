"""The extraction pool's processes: the fork server (with :data:`PRELOAD` loaded), starting,
stopping and killing a worker, and why a worker died.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from indexer.execution.messages import (
    Stop,
)
from indexer.execution.worker import OOM_EXIT, Hanging, worker_main
from indexer.model import (
    Reason,
)

#: The module the fork server imports before forking workers (an ImportError there is
#: ignored by multiprocessing and only makes every worker slow to start).
PRELOAD = "indexer.execution.preload"


T = TypeVar("T")


@dataclass(slots=True)
class Slot(Generic[T]):
    """One worker process, its pipe, and the task it is on (`T`: the supervisor's record)."""

    process: BaseProcess
    conn: Connection
    files: int = 0
    task: T | None = None
    last_progress: float = 0.0


class Processes:
    """Starts, stops and kills the worker processes of one pool."""

    def __init__(self, ctx: BaseContext, memory_mb: int, hanging: Hanging = frozenset()) -> None:
        self.ctx: Any = ctx  # a forkserver or spawn context: it has Process and Pipe
        self.memory_mb = memory_mb
        self.hanging = hanging

    def spawn(self) -> Slot[Any]:
        parent, child = self.ctx.Pipe()
        args = (child, self.memory_mb, self.hanging)
        process = self.ctx.Process(target=worker_main, args=args, daemon=True)
        process.start()
        child.close()
        return Slot(process=process, conn=parent)

    @staticmethod
    def kill(slot: Slot[Any]) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(timeout=5)
        slot.conn.close()

    @staticmethod
    def stop(slot: Slot[Any]) -> None:
        with contextlib.suppress(OSError):
            slot.conn.send(Stop())
        slot.process.join(timeout=2)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join(timeout=5)
        slot.conn.close()


def context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([PRELOAD])
        return ctx
    return multiprocessing.get_context("spawn")


def start_fork_server() -> int:
    """Start the fork server now (its modules loaded); the pid of a worker it forked."""
    pool = Processes(context(), 0)
    slot = pool.spawn()
    pid = slot.process.pid or 0
    pool.stop(slot)
    return pid


def describe_death(process: BaseProcess, memory_note: str) -> tuple[Reason, str]:
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
