"""Indexing benchmark on the real-world PDF collection (``make bench``).

Prints a table of: cold index time and pages/s with 1 worker and with every core, the
speed-up, the same for bare ``pdfminer.high_level.extract_text`` over the files both read
completely (the baseline), the indexing overhead over it, the no-change re-index time, the
one-new-file re-index time, and the peak memory (RSS summed over the whole process tree,
sampled) of each run. Every index run goes through the ``pubsearch`` command, in a fresh
index and a fresh extraction cache, so the numbers include process start-up.

    .venv/bin/python tests/benchmarks/bench_index.py [FOLDER] [--page-timeout S]

FOLDER defaults to ../shared/realpdfs. Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PUBSEARCH = [sys.executable, "-m", "search"]


class TreeRSS:
    """Samples the summed RSS of a process and all its descendants (from /proc, every
    `every` seconds: 50 ms catches a worker on its way to its memory limit)."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree_rss(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
                rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                continue
        total, stack = 0, [self.pid]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.every)


def run_index(args: list[str], env: dict[str, str]) -> tuple[float, int, dict[str, Any]]:
    """Run ``pubsearch index ARGS --ocr off --json -q``; (seconds, peak tree RSS bytes,
    summary). OCR is off here: this measures text extraction against pdfminer's own
    (``bench_ocr.py`` measures OCR)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [*PUBSEARCH, "index", *args, "--ocr", "off", "--json", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    with TreeRSS(proc.pid) as sampler:
        out, err = proc.communicate()
    seconds = time.monotonic() - started
    if proc.returncode not in (0, 5):
        sys.exit(f"pubsearch index failed ({proc.returncode}):\n{err}")
    return seconds, sampler.peak, json.loads(out)


def _extract_text(path: str) -> int:
    from pdfminer.high_level import extract_text

    return len(extract_text(path))


def baseline(files: list[Path], timeout: float) -> float:
    """Seconds for pdfminer's extract_text over `files`, one process, one file at a time."""
    ctx = get_context("forkserver")
    total = 0.0
    with ctx.Pool(1) as pool:
        for path in files:
            started = time.monotonic()
            pool.apply_async(_extract_text, (str(path),)).get(timeout)
            total += time.monotonic() - started
    return total


def mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "realpdfs")
    parser.add_argument("--page-timeout", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-limit", type=int, help="MB per worker (default: pubsearch's)")
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="only the cold run with every core (time, outcome, peak memory)",
    )
    opts = parser.parse_args()
    if not opts.folder.is_dir():
        sys.exit(f"bench: {opts.folder} not found (the real-world PDF collection)")
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="pubsearch-bench-"))
    # A folder of links to the collection, so that one file can be added to it.
    corpus = work / "corpus"
    for pdf in sorted(opts.folder.rglob("*")):
        if pdf.suffix.lower() == ".pdf" and pdf.is_file():
            link = corpus / pdf.relative_to(opts.folder)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(pdf.resolve())
    limits = ["--timeout", str(opts.timeout), "--page-timeout", str(opts.page_timeout)]
    if opts.memory_limit is not None:
        limits += ["--memory-limit", str(opts.memory_limit)]
    env = {**os.environ, "PUBSEARCH_CACHE": str(work / "cache-unused")}
    rows: list[tuple[str, str]] = []
    results: dict[int, tuple[float, int, dict[str, Any]]] = {}
    for workers in [cores] if opts.cold_only else sorted({1, cores}):
        shutil.rmtree(work / "ix", ignore_errors=True)
        shutil.rmtree(work / "cache", ignore_errors=True)
        args = [str(corpus), "--index", str(work / "ix"), "--cache", str(work / "cache"),
                "--workers", str(workers), *limits]  # fmt: skip
        results[workers] = run_index(args, env)
        seconds, peak, summary = results[workers]
        pages = summary["pages_indexed"]
        rows.append((f"cold index, {workers} worker{'s' if workers > 1 else ''}",
                     f"{seconds:.1f} s, {pages} pages, {pages / seconds:.1f} pages/s, "
                     f"peak RSS {mb(peak)}"))  # fmt: skip
    if opts.cold_only:
        print_report(rows, results[cores][2], corpus, opts.folder)
        shutil.rmtree(work, ignore_errors=True)
        return
    one = results[1][2]["pages_indexed"] / results[1][0]
    many = results[cores][2]["pages_indexed"] / results[cores][0]
    rows.append(("speed-up", f"{many / one:.2f}x with {cores} workers"))
    summary = results[cores][2]
    bad = {Path(f["path"]).resolve() for f in summary["failed"]}
    bad |= {Path(p["path"]).resolve() for p in summary["partial"]}
    # Baseline and overhead on the files every tool reads completely.
    clean = [p for p in sorted(corpus.rglob("*.pdf")) if p.resolve() not in bad]
    base = baseline([p.resolve() for p in clean], opts.timeout)
    listing = work / "clean"
    for n, p in enumerate(clean):
        listing.mkdir(exist_ok=True)
        (listing / f"{n:04d}.pdf").symlink_to(p.resolve())
    shutil.rmtree(work / "ix2", ignore_errors=True)
    clean_args = [str(listing), "--index", str(work / "ix2"), "--cache", str(work / "cache2")]
    ours, _, clean_summary = run_index([*clean_args, "--workers", "1", *limits], env)
    clean_pages = clean_summary["pages_indexed"]
    rows.append(("baseline: pdfminer extract_text, 1 process",
                 f"{base:.1f} s for {len(clean)} files / {clean_pages} pages read completely, "
                 f"{clean_pages / base:.1f} pages/s"))  # fmt: skip
    rows.append(("pubsearch on the same files, 1 worker",
                 f"{ours:.1f} s, {clean_pages / ours:.1f} pages/s: "
                 f"overhead {100 * (ours - base) / base:+.1f}% over bare extraction"))  # fmt: skip
    # Re-index runs on the full index built with every core.
    full = [str(corpus), "--index", str(work / "ix"), "--cache", str(work / "cache"), *limits]
    times = [run_index(full, env)[0] for _ in range(3)]
    rows.append(("no-change re-index", f"{statistics.median(times):.2f} s (median of 3, "
                 f"{summary['added']} files)"))  # fmt: skip
    new = corpus / "new-file.pdf"
    source = opts.folder / "lang-sv" / "ferenda__45db0861.pdf"
    shutil.copyfile(source, new)
    with new.open("ab") as fp:
        fp.write(b"\n% a new version\n")
    seconds, peak, one_new = run_index(full, env)
    alone_started = time.monotonic()
    baseline([new], opts.timeout)
    alone = time.monotonic() - alone_started
    new_pages = one_new["pages_indexed"]
    rows.append(("one new file re-index", f"{seconds:.2f} s ({one_new['added']} added, "
                 f"{new_pages} pages; extract_text alone on it: {alone:.2f} s)"))  # fmt: skip
    print_report(rows, summary, corpus, opts.folder)
    shutil.rmtree(work, ignore_errors=True)


def print_report(
    rows: list[tuple[str, str]], summary: dict[str, Any], corpus: Path, folder: Path
) -> None:
    """The table of `rows`, the outcome of every file of the run `summary` describes."""
    cores = os.cpu_count() or 1
    failed, partial = len(summary["failed"]), len(summary["partial"])
    rows.append(("outcome of every file", f"{summary['added']} indexed ({partial} partial), "
                 f"{failed} failed with a reason, "
                 f"{summary['pages_without_text']} pages without text"))  # fmt: skip
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")  # fmt: skip
    extra = 1 if (corpus / "new-file.pdf").exists() else 0
    print(f"collection: {folder} ({len(list(corpus.rglob('*.pdf'))) - extra} PDFs)\n")
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure':<{width}} | result |\n|{'-' * (width + 2)}|--------|")
    for key, value in rows:
        print(f"| {key:<{width}} | {value} |")
    print("\nfailures:")
    for f in summary["failed"]:
        print(f"  {f['path'].replace(str(corpus) + '/', '')}: {f['reason']}: {f['detail']}")
    print("partial:")
    for p in summary["partial"]:
        print(f"  {p['path'].replace(str(corpus) + '/', '')}: {p['detail']}")


if __name__ == "__main__":
    main()
