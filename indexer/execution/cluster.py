"""Extraction as tasks on a Dask cluster, with the interface of
:func:`indexer.execution.pool.extract_all`.

``pubsearch index --scheduler tcp://HOST:8786`` (or ``$PUBSEARCH_SCHEDULER``) keeps the
whole run on the machine that runs the command (diff, caches, commits, lock, report, one
index writer) and sends only the per-file work to the cluster: :meth:`Cluster.extract_all`
yields ``(job, result)`` pairs exactly like the built-in pool, in completion order
(:func:`distributed.as_completed`), so progress and commits every N files work as always.

A task gets the file's **bytes** and passwords (the workers need no shared filesystem),
writes them to a temporary file on the worker, and runs the built-in supervised pool for
that one file (:func:`indexer.execution.pool.extract_all` with one child process). The per-file
limits (file time, page time, memory) therefore hold on the cluster as they do locally,
and a file that hangs pdfminer or eats memory ends its child, not the Dask worker.

A Dask worker that dies mid-task (killed, out of memory) has its task rescheduled by the
scheduler on another worker; after ``distributed.scheduler.allowed-failures`` deaths
(1 for the local cluster; set ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1`` where
``dask scheduler`` runs) the file is reported as ``crashed`` and the batch goes on.

``--scheduler local`` (or ``local:N``) starts a :class:`distributed.LocalCluster` of N
single-threaded worker processes for the run (every port random, the HTTP one too): the same code
path on one machine, used by the tests and ``make bench-cluster``.

Errors (:mod:`indexer.errors`): :class:`~indexer.errors.SchedulerUnreachableError` when
no scheduler answers at the address, :class:`~indexer.errors.ClusterVersionError` when a
worker lacks pubsearch or runs another version, :class:`~indexer.errors.NoWorkersError`
when the scheduler has no worker. All are raised before anything touches the index.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from indexer.errors import (
    ClusterError,
    ClusterVersionError,
    NoWorkersError,
    SchedulerUnreachableError,
)
from indexer.execution.cluster_task import (
    DIST_NAME,
    FileTask,
    WrongVersion,
    _allow_children,
    _pages_sent,
    pubsearch_version,
    run_file_task,
    task_versions,
)
from indexer.execution.pool import DEFAULT_LIMITS, extract_all
from indexer.execution.processes import start_fork_server
from indexer.model import (
    Extraction,
    FileFailure,
    Job,
    Limits,
    OcrJob,
    OcrOutcome,
    OcrPage,
    Reason,
    TextJob,
)

#: ``--scheduler local`` or ``local:N``: a LocalCluster of N processes for the run.
LOCAL = "local"
#: Worker deaths a task survives on a local cluster before its file is reported.
ALLOWED_FAILURES = 1
#: Dask settings for ``local:N`` (and advised for ``dask worker``, docs/scale.md). A task
#: is one file: seconds spent waiting on the supervised extraction process. Dask's
#: statistical profiler (a stack sample every 10 ms), its event-loop health check (every
#: 20 ms) and its memory and system monitors (every 0.1 and 0.5 s) learn nothing from
#: that, and cost an idle 2-worker LocalCluster 14.5% of a core (1.6% with these): CPU
#: taken from the extraction on a machine whose every core runs a worker.
QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
#: Seconds to wait for a first worker on a scheduler that has none.
WORKER_WAIT = 30.0
#: Tasks in flight per worker thread. One, as in the built-in pool: the next file goes to
#: whichever worker finishes first. With two, Dask places the second task of a thread on a
#: worker at once, where it waits behind that worker's file while another worker idles
#: (a long file at the end of a run then holds a short one hostage: measured 12% slower
#: than the pool with two workers). The next task is sent before a result is handed on,
#: so a worker waits only for the scheduler's round trip, not for the index writer.
IN_FLIGHT_PER_THREAD = 1


class Executor(Protocol):
    """What runs the per-file work: :func:`indexer.execution.pool.extract_all` or
    :meth:`Cluster.extract_all` (same arguments, same results)."""

    def __call__(
        self,
        jobs: Iterable[Job],
        *,
        workers: int | None = None,
        limits: Limits = DEFAULT_LIMITS,
        more: deque[Job] | None = None,
    ) -> Iterator[tuple[Job, Extraction | OcrOutcome]]: ...


@contextmanager
def executor(scheduler: str | None) -> Iterator[Executor]:
    """The built-in pool without a scheduler, else the cluster's (connected and checked
    here, so a cluster that cannot run the work fails before the index is touched)."""
    if not scheduler:
        yield extract_all
        return
    with connect(scheduler) as cluster:
        yield cluster.extract_all


# ------------------------------------------------------------------ the client side


def parse_local(address: str) -> int | None:
    """Worker processes for ``local`` / ``local:N`` (None for a scheduler address)."""
    if address != LOCAL and not address.startswith(LOCAL + ":"):
        return None
    count = address.partition(":")[2]
    if not count:
        return max(1, os.cpu_count() or 1)
    if not count.isdigit() or int(count) < 1:
        raise ClusterError(
            f"--scheduler {address}: expected local, local:N (N >= 1) or tcp://HOST:PORT"
        )
    return int(count)


@dataclass(slots=True)
class Cluster:
    """A connected Dask client (and the local cluster it owns, if any).

    address: the scheduler's address as given (``local:2`` or ``tcp://host:8786``);
    client: a :class:`distributed.Client`; local: whether the workers share this
    machine (then OCR results go to the run's own cache).
    """

    address: str
    client: Any
    local: bool
    stats: dict[str, int] = field(default_factory=lambda: {"tasks": 0, "sent": 0})

    def threads(self) -> int:
        return max(1, int(sum(self.client.nthreads().values())))

    def extract_all(
        self,
        jobs: Iterable[Job],
        *,
        workers: int | None = None,
        limits: Limits = DEFAULT_LIMITS,
        more: deque[Job] | None = None,
    ) -> Iterator[tuple[Job, Extraction | OcrOutcome]]:
        """:func:`indexer.execution.pool.extract_all` on the cluster (`workers` is ignored: the
        cluster's worker threads decide). Never raises for a bad file or a lost worker."""
        from distributed import as_completed  # dask: only when a cluster runs the work

        del workers
        window = IN_FLIGHT_PER_THREAD * self.threads()
        pending = iter(jobs)
        running: dict[str, tuple[Job, Any]] = {}  # by task key: the job and its future
        unread: deque[tuple[Job, Extraction]] = deque()  # files this machine cannot read
        done = as_completed(loop=self.client.loop)
        versions = task_versions()

        def submit_next() -> bool:
            job = more.popleft() if more else next(pending, None)
            if job is None:
                return False
            task = _file_task(job, limits, own_ocr_cache=not self.local, versions=versions)
            if isinstance(task, Extraction):
                unread.append((job, task))
                return True
            future = self.client.submit(run_file_task, task, pure=False)
            self.stats["tasks"] += 1
            self.stats["sent"] += len(task.data) + sum(len(p.text) for p in _pages_sent(job))
            running[future.key] = (job, future)
            done.add(future)
            return True

        def fill() -> None:
            while len(running) < window and submit_next():
                pass

        fill()
        try:
            while running or unread:
                if unread:
                    yield unread.popleft()
                else:
                    future = next(done)
                    job, _ = running.pop(future.key)
                    result = _result_of(future, job, limits, self.address)
                    fill()
                    yield job, result
                fill()
        finally:
            if running:  # the consumer stopped early (an error, Ctrl-C)
                self.client.cancel([f for _, f in running.values()], force=True)


def _file_task(
    job: Job, limits: Limits, *, own_ocr_cache: bool, versions: tuple[str, int, int]
) -> FileTask | Extraction:
    """The task for `job` (with the file's bytes), or the file's failure when this machine
    cannot read it."""
    try:
        data = b"" if isinstance(job, TextJob) else job.path.read_bytes()
    except OSError as exc:
        detail = f"cannot read the file ({exc.strerror or exc})"
        return _failed(FileFailure(reason=Reason.CORRUPT, detail=detail), limits)
    return FileTask(
        job=job, data=data, limits=limits, own_ocr_cache=own_ocr_cache, versions=versions
    )


def _failed(failure: FileFailure, limits: Limits) -> Extraction:
    return Extraction(info=None, pages=(), failure=failure, limits=limits)


def _result_of(future: Any, job: Job, limits: Limits, address: str) -> Extraction | OcrOutcome:
    """The task's result, or the file's failure when the task could not deliver one.

    Raises :class:`~indexer.errors.ClusterVersionError` when a worker runs another
    version (one that joined the cluster after the check at the start of the run).
    """
    from distributed.scheduler import KilledWorker  # dask: only with a cluster

    try:
        result: Extraction | OcrOutcome | WrongVersion = future.result()
    except KilledWorker as exc:
        tries = exc.allowed_failures + 1
        detail = f"crashed (the cluster worker died while reading it, {tries} times)"
    except Exception as exc:  # a task that raised: a bug, or a worker that can't run it
        detail = f"crashed (cluster task failed: {type(exc).__name__}: {exc})"
    else:
        if isinstance(result, WrongVersion):
            found = _version_text(result.found)
            raise ClusterVersionError(address, result.worker, found, pubsearch_version())
        return result
    if isinstance(job, OcrJob):
        return OcrOutcome(pages=tuple(OcrPage(number=n, error=detail) for n in job.plan.pages))
    return _failed(FileFailure(reason=Reason.CRASHED, detail=detail), limits)


def _version_text(found: tuple[str, int, int]) -> str:
    """A worker's versions as its error names them: the release, and when only the
    extractor or the analysis differ (a development install), those too."""
    release, extractor, analysis = found
    _, mine_extractor, mine_analysis = task_versions()
    if release != pubsearch_version():
        return release
    return (
        f"{release} with extractor {extractor} and analysis {analysis} "
        f"(here {mine_extractor} and {mine_analysis})"
    )


def warm_up() -> int:
    """Start this Dask worker's fork server (pdfminer, langdetect and its profiles
    loaded) before the first file, so no file's time limits pay for it; its pid."""

    _allow_children()
    return start_fork_server()


def check_versions(client: Any, address: str) -> None:
    """Raise :class:`ClusterVersionError` unless every worker runs this pubsearch."""
    wanted = pubsearch_version()
    found = client.run(importlib.metadata.version, DIST_NAME, on_error="return")
    for worker, version in sorted(found.items()):
        if isinstance(version, importlib.metadata.PackageNotFoundError):
            raise ClusterVersionError(address, worker, None, wanted)
        if isinstance(version, BaseException):
            raise ClusterVersionError(address, worker, f"unknown ({version})", wanted)
        if version != wanted:
            raise ClusterVersionError(address, worker, str(version), wanted)


@contextmanager
def connect(address: str, timeout: float | None = None) -> Iterator[Cluster]:
    """A :class:`Cluster` for `address` (``local``, ``local:N`` or a scheduler address),
    checked (reachable, workers present, same pubsearch everywhere) and closed on exit.

    `timeout`: seconds to reach the scheduler (default: Dask's
    ``distributed.comm.timeouts.connect``).
    """
    import dask  # dask and distributed: only with a cluster (slow to import)
    from distributed import Client, LocalCluster

    n_local = parse_local(address)
    if n_local is not None:
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES, **QUIET}):
            local = LocalCluster(
                n_workers=n_local,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                scheduler_port=0,
                silence_logs=logging.ERROR,
            )
        try:
            with Client(local) as client:
                check_versions(client, address)
                client.run(warm_up)
                yield Cluster(address, client, local=True)
        finally:
            local.close()
        return
    wait = timeout if timeout is not None else dask.config.get("distributed.comm.timeouts.connect")
    try:
        client = Client(address, timeout=wait, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnreachableError(address, str(exc)) from exc
    try:
        if not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=WORKER_WAIT)
            except (TimeoutError, OSError) as exc:
                raise NoWorkersError(address, WORKER_WAIT) from exc
        check_versions(client, address)
        client.run(warm_up)
        yield Cluster(address, client, local=_is_loopback(address))
    finally:
        client.close()


def _is_loopback(address: str) -> bool:
    host = address.split("://")[-1].rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")
