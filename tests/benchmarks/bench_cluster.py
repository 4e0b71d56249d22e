"""Cluster benchmark (``make bench-cluster``): the built-in pool and a Dask LocalCluster
side by side, the cost of a task, the single writer's speed, and rebuilds from the cache.

Prints, for the PDFs under FOLDER... (default: the four language folders of
../shared/realpdfs, 1136 pages of bills and manuals; pass ../shared/realpdfs for the whole
collection, pathological files included), each run in a fresh index and a fresh
extraction cache with ``--ocr off``:

- pages/s with the built-in pool (1 and 2 workers) and ``--scheduler local:1`` /
  ``local:2`` (cluster start-up included, and also shown on its own), interleaved
  (pool 1, cluster 1, pool 2, cluster 2) so load from other work hits every run alike;
- bytes sent to the workers per page (the files' bytes) and back (the pickled results:
  pages, their normalized text and languages);
- the scheduler's overhead per task: the same number of no-op tasks, each carrying a
  file-sized payload, through the same client;
- pages/s the index writer sustains alone (page records ready, documents written and
  committed), the ceiling of any number of workers;
- rebuilds from the extraction cache (``--rebuild``) with 1 and 2 workers.

    .venv/bin/python tests/benchmarks/bench_cluster.py [FOLDER ...]

Not a test: it measures, it does not assert. Load from other work on the machine is
printed (load average) before and after.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

from indexer import pipeline
from indexer.execution import cluster
from indexer.extraction.cache import ExtractionCache
from indexer.index import schema
from indexer.index.documents import page_documents
from indexer.model import IndexReport, IndexSettings, OcrMode, Source
from indexer.planning import changes as plan
from indexer.planning import records
from indexer.planning.catalog import iter_pdfs

ROOT = Path(__file__).resolve().parents[2]
REALPDFS = ROOT.parent / "shared" / "realpdfs"
DEFAULT = [REALPDFS / f"lang-{code}" for code in ("sv", "ro", "bg", "ru")]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def run(
    paths: list[Path],
    work: Path,
    name: str,
    workers: int | None,
    scheduler: str | None,
    rebuild: bool = False,
) -> IndexReport:
    folder = work / name.replace(":", "-")
    if not rebuild:
        shutil.rmtree(folder, ignore_errors=True)
    settings = IndexSettings(
        index_dir=folder / "ix",
        paths=tuple(paths),
        cache_dir=folder / "cache",
        ocr=OcrMode.OFF,
        workers=workers,
        scheduler=scheduler,
        rebuild=rebuild,
    )
    return pipeline.index(settings)


def _noop(payload: bytes) -> int:
    return len(payload)


def task_overhead(address: str, sizes: list[int]) -> float:
    """Seconds per task of no-op tasks carrying payloads of `sizes` bytes, two in flight
    per worker thread as in the executor."""
    from distributed import Client, as_completed

    with Client(address, set_as_default=False) as client:
        window = cluster.IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))
        client.submit(_noop, b"", pure=False).result()  # connections warm
        started = time.perf_counter()
        pending = deque(sizes)
        done = as_completed(loop=client.loop)
        running = 0
        while pending or running:
            while pending and running < window:
                done.add(client.submit(_noop, b"x" * pending.popleft(), pure=False))
                running += 1
            next(done).result()
            running -= 1
        return (time.perf_counter() - started) / max(1, len(sizes))


def result_bytes(work: Path, paths: list[Path]) -> tuple[int, int, int]:
    """(bytes sent, bytes returned, pages) for the files of `paths`, as the tasks carry
    them: the file's bytes out, the pickled extraction back."""
    cache = ExtractionCache(work / "pool-2" / "cache")
    sent = back = pages = 0
    for pdf in (p for path in paths for p in iter_pdfs(path)):
        hit = cache.get(plan.file_sha256(pdf))
        if hit is None:
            continue
        sent += pdf.stat().st_size
        back += len(pickle.dumps(hit))
        pages += len(hit.pages)
    return sent, back, pages


def writer_speed(work: Path, paths: list[Path]) -> tuple[int, float]:
    """(pages, seconds) to write every page record of the files (ready beforehand) into a
    fresh index and commit: what the single writer sustains."""
    cache = ExtractionCache(work / "pool-2" / "cache")
    ready = []
    for pdf in (p for path in paths for p in iter_pdfs(path)):
        hit = cache.get(plan.file_sha256(pdf))
        if hit is None or hit.info is None or not hit.pages:
            continue
        ready.append(
            records.build_publication(
                Source(path=pdf),
                plan.slugify(pdf.stem),
                sha256="x",
                info=hit.info,
                raw_pages=hit.pages,
            )
        )
    folder = work / "writer"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    idx = schema.create_index(folder)
    writer = idx.writer(heap_size=64_000_000, num_threads=1)
    started = time.perf_counter()
    for pub, pages in ready:
        for doc in page_documents(pub, pages):
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return sum(len(p) for _, p in ready), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT)
    args = parser.parse_args()
    paths: list[Path] = args.paths
    for p in paths:
        if not p.exists():
            sys.exit(f"{p}: not found (the real-world PDFs live in ../shared/realpdfs)")
    print(f"bench-cluster on {', '.join(map(str, paths))}; {os.cpu_count()} cores; {load()}")
    with tempfile.TemporaryDirectory(prefix="pubsearch-bench-") as tmp:
        work = Path(tmp)
        rows = []
        for name, workers, scheduler in (
            ("pool-1", 1, None),
            ("local:1", None, "local:1"),
            ("pool-2", 2, None),
            ("local:2", None, "local:2"),
        ):
            report = run(paths, work, name, workers, scheduler)
            rows.append((name, report))
            rate = report.pages / report.seconds
            print(
                f"  {name:8} {report.pages} pages {report.seconds:.1f} s {rate:.1f} pages/s "
                f"({load()})",
                flush=True,
            )
        started = time.perf_counter()
        with cluster.connect("local:2") as c:
            startup = time.perf_counter() - started
            sizes = [p.stat().st_size for path in paths for p in iter_pdfs(path)]
            overhead = task_overhead(c.client.scheduler.address, sizes)
        sent, back, pages = result_bytes(work, paths)
        written, seconds = writer_speed(work, paths)
        rebuilds = [(n, run(paths, work, "pool-2", n, None, rebuild=True)) for n in (1, 2)]
    by = dict(rows)
    print()
    print("| run | pages | seconds | pages/s | vs the pool |")
    print("|---|---|---|---|---|")
    for name, report in rows:
        pool = by["pool-" + name[-1]]
        rate = report.pages / report.seconds
        ratio = rate / (pool.pages / pool.seconds)
        print(f"| {name} | {report.pages} | {report.seconds:.1f} | {rate:.1f} | {ratio:.2f} |")
    for kind, one, two in (("pool", "pool-1", "pool-2"), ("cluster", "local:1", "local:2")):
        speedup = by[one].seconds / by[two].seconds
        print(f"| speed-up 1 -> 2 workers, {kind} | | | {speedup:.2f}x | |")
    print()
    print(f"LocalCluster of 2 start-up: {startup:.1f} s")
    print(
        f"bytes per page: {sent / pages:.0f} sent (file bytes), {back / pages:.0f} back "
        f"(pickled extraction) over {pages} pages"
    )
    print(
        f"scheduler overhead per task (no-op task with the file's bytes): {overhead * 1000:.1f} ms"
    )
    print(f"writer alone: {written} pages in {seconds:.2f} s = {written / seconds:.0f} pages/s")
    for n, report in rebuilds:
        print(
            f"rebuild from the cache, {n} workers: {report.pages} pages in "
            f"{report.seconds:.1f} s = {report.pages / report.seconds:.1f} pages/s"
        )
    print(load())


if __name__ == "__main__":
    main()
