"""The Dask cluster executor on a real LocalCluster of two worker processes: the same
documents as the built-in pool, per-file limits on the cluster, a worker killed mid-run,
clear errors for a cluster that cannot run the work."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
import tantivy
from click.testing import CliRunner
from distributed import Client, LocalCluster

from indexer import pipeline
from indexer.errors import ClusterVersionError, ExitCode
from indexer.execution import cluster as cl
from indexer.extraction.cache import ExtractionCache
from indexer.index import schema
from indexer.model import FileEvent, IndexReport, IndexSettings, Limits
from search.cli.main import cli
from search.results.stats import index_stats
from tests.support import CATALOG, REALPDFS, real_pdf

pytestmark = pytest.mark.cluster

#: Fields that differ between two runs over the same files by design.
RUN_FIELDS = {schema.F_RUN, schema.F_INDEXED_AT}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A LocalCluster of 2 single-threaded worker processes for the module; its address."""
    with dask.config.set({"distributed.scheduler.allowed-failures": cl.ALLOWED_FAILURES}):
        local = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            scheduler_port=0,
        )
    try:
        yield str(local.scheduler_address)
    finally:
        local.close()


def index(index_dir: Path, paths: list[Path], **options: Any) -> IndexReport:
    return pipeline.index(IndexSettings(index_dir=index_dir, paths=tuple(paths), **options))


def worker_pids(address: str) -> dict[str, int]:
    with Client(address, set_as_default=False) as client:
        pids: dict[str, int] = client.run(os.getpid)
        return pids


def documents(index_dir: Path) -> list[dict[str, Any]]:
    """Every stored document of the index (pages and file records), run stamps left out,
    in a stable order."""
    idx = schema.open_index(index_dir)
    searcher = idx.searcher()
    hits = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs)).hits
    docs = []
    for _, address in hits:
        data = searcher.doc(address).to_dict()
        docs.append({k: v for k, v in data.items() if k not in RUN_FIELDS})
    return sorted(docs, key=repr)


def test_bundled_corpus_indexes_the_same_through_a_local_cluster(
    tmp_path: Path, corpus_index: tuple[Path, IndexReport]
) -> None:
    index_dir, _report = corpus_index
    args = [
        "index",
        "--index",
        str(tmp_path / "ix"),
        "--catalog",
        str(CATALOG),
        "--cache",
        str(tmp_path / "cache"),
        "--scheduler",
        "local:2",
        "-q",
        "--json",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert documents(tmp_path / "ix") == documents(index_dir)


def test_swedish_pdfs_index_the_same_as_with_the_builtin_pool(
    tmp_path: Path, scheduler: str
) -> None:
    folder = REALPDFS / "lang-sv"
    if not folder.is_dir():
        pytest.skip(f"real-world PDF collection not available: {folder} is missing")
    # limits far past what any page needs, so a loaded machine cannot change what is read
    roomy = Limits(timeout=3600, page_timeout=900)
    options: dict[str, Any] = {"ocr": "off", "limits": roomy}
    builtin = index(tmp_path / "a", [folder], cache_dir=tmp_path / "ca", workers=2, **options)
    on_cluster = index(
        tmp_path / "b", [folder], cache_dir=tmp_path / "cb", scheduler=scheduler, **options
    )
    assert not any(e.from_cache for e in on_cluster.events)
    assert on_cluster.count("added") == builtin.count("added") == 18
    a, b = documents(tmp_path / "a"), documents(tmp_path / "b")
    assert len(a) == 18 + builtin.pages
    assert b == a  # page texts too, exactly: extraction does not depend on the process


def test_hanging_file_times_out_on_the_cluster_and_the_run_goes_on(
    tmp_path: Path, scheduler: str
) -> None:
    hang = real_pdf("weird/tiru__freeze.pdf")
    pids = worker_pids(scheduler)
    others = sorted((CATALOG.parent / "pdf").glob("*.pdf"))[:3]
    report = index(
        tmp_path / "ix",
        [hang, *others],
        limits=Limits(page_timeout=5, timeout=30),
        cache_dir=tmp_path / "c",
        scheduler=scheduler,
    )
    assert [(Path(f.path).name, f.reason, f.detail) for f in report.failures] == [
        ("tiru__freeze.pdf", "timeout", "timeout on every page")
    ]
    assert report.count("added") == 3
    assert worker_pids(scheduler) == pids  # the Dask workers survived it


def test_worker_killed_mid_run_every_file_is_accounted_for(tmp_path: Path, scheduler: str) -> None:
    folder = CATALOG.parent / "pdf"
    victim = sorted(worker_pids(scheduler).values())[0]
    killed: list[int] = []

    def kill_once(event: FileEvent) -> None:
        if not killed:  # both workers hold a file now (four are in flight)
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    report = index(
        tmp_path / "ix", [folder], cache_dir=tmp_path / "c", scheduler=scheduler, on_file=kill_once
    )
    assert killed == [victim] and victim not in worker_pids(scheduler).values()
    names = sorted(Path(e.path).name for e in report.events)
    assert names == sorted(p.name for p in folder.glob("*.pdf"))
    # one death is retried on another worker: nothing is lost
    assert report.failures == ()
    assert index_stats(tmp_path / "ix").files == {"indexed": len(names)}


def test_unreachable_scheduler_one_line_own_exit_code_index_untouched(tmp_path: Path) -> None:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
        with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
            result = CliRunner().invoke(
                cli,
                [
                    "index",
                    str(CATALOG.parent / "pdf"),
                    "--index",
                    str(tmp_path / "ix"),
                    "--scheduler",
                    address,
                ],
            )
    assert result.exit_code == ExitCode.CLUSTER == 8
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"pubsearch: no Dask scheduler answers at {address} (")
    assert lines[0].endswith(
        "; start one there with `dask scheduler` (and workers with `dask worker ADDRESS "
        "--nthreads 1`), or index without --scheduler"
    )
    assert not (tmp_path / "ix").exists()


def test_workers_with_another_version_are_named(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the workers report the version installed here; this side expects another one
    monkeypatch.setattr(cl, "pubsearch_version", lambda: "0.0.1")
    with pytest.raises(ClusterVersionError) as info:
        index(tmp_path / "ix", [CATALOG.parent / "pdf"], scheduler=scheduler)
    message = str(info.value)
    worker = sorted(worker_pids(scheduler))[0]
    assert message.startswith(f"Dask worker {worker} (scheduler {scheduler}) runs pubsearch ")
    assert message.endswith(
        ", this machine 0.0.1; install the same version on every worker: "
        "pip install 'pubsearch[cluster]==0.0.1'"
    )
    assert not (tmp_path / "ix").exists()


def test_a_worker_of_another_extractor_stops_the_run_and_caches_nothing(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same release, so the check at the start passes (a worker that joins later, or a
    # development install): each task still compares what its result depends on.
    release, extractor, analysis = cl.task_versions()
    monkeypatch.setattr(cl, "task_versions", lambda: (release, extractor + 1, analysis))
    cache = tmp_path / "cache"
    with pytest.raises(ClusterVersionError) as info:
        index(tmp_path / "ix", [CATALOG.parent / "pdf"], scheduler=scheduler, cache_dir=cache)
    assert (
        f"runs pubsearch {release} with extractor {extractor} and analysis {analysis} "
        f"(here {extractor + 1} and {analysis}), this machine {release}; install the same version"
    ) in str(info.value)
    assert ExtractionCache(cache).size() == (0, 0)


def test_a_local_cluster_runs_its_workers_quiet() -> None:
    # no statistical profiler, slow health checks: the CPU goes to the extraction
    with cl.connect("local:1") as local:
        found = local.client.run(dask.config.get, "distributed.worker.profile.enabled")
        ticks = local.client.run(dask.config.get, "distributed.admin.tick.interval")
    assert list(found.values()) == [False] and list(ticks.values()) == ["1s"]


def test_bad_local_scheduler_value(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["index", "--index", str(tmp_path / "ix"), "--scheduler", "local:zero"]
    )
    assert result.exit_code == ExitCode.CLUSTER
    assert result.stderr == (
        "pubsearch: --scheduler local:zero: expected local, local:N (N >= 1) or tcp://HOST:PORT\n"
    )


def test_search_never_imports_dask() -> None:
    code = (
        "import sys, search.cli.main, search.api, search.query.syntax, search.render, {extra};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    lean = subprocess.run(
        [sys.executable, "-c", code.format(extra="indexer.execution.cluster")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert lean.stdout.strip() == "[]"
    # the check can fail: connecting loads distributed
    heavy = subprocess.run(
        [sys.executable, "-c", code.format(extra="distributed")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "'distributed'" in heavy.stdout
