"""Scale benchmark (``make bench-scale``): the same searches on a ~4,000-page and a
~100,000-page index, side by side.

The small index holds the bundled corpus and ``../shared/realpdfs`` (about 4,000 pages). The
large one holds the corpus and enough copies of ``../shared/realpdfs`` to pass
``--pages`` (100,000 by default): each copy is a tree of hard links under its own folder, so
every file is a distinct path (its own publication) with the same bytes, and the
extraction and OCR caches (keyed by content) answer for all of them: nothing is extracted
twice. The copies repeat the collection's vocabulary, so the large index has 25 times the
postings but not 25 times the distinct words.

For each index it prints: in-process search time (``search.results.answer.search`` over one open
reader, as the web server runs it: p50 and p99 over every round of a fixed set of
:data:`QUERIES`); ``pubsearch search --json`` as a process (median of 7, for three
queries; run by itself, and answered by a ``pubsearch daemon``); the web search page (full
HTTP round trip on loopback, p50 and p99); the index size on disk and its segments; and
the build's pages per second from the extraction cache (``pubsearch index --rebuild``
through the command, process start-up included).

    .venv/bin/python tests/benchmarks/bench_scale.py [REALPDFS] [--pages N] [--work DIR]
        [--rounds N] [--reuse] [--markdown]

The indexes and the copies are kept in ``--work`` (default
``$TMPDIR/pubsearch-bench-scale``, outside the project); ``--reuse`` measures the indexes
already there instead of building them again. The extraction cache is ``$PUBSEARCH_CACHE``,
else one in ``--work``. Not a test: it measures, it does
not assert.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from serving import serving  # tests/benchmarks/serving.py: run as scripts from here

ROOT = Path(__file__).resolve().parents[2]
#: The console script, as analysts run it (``python -m search`` where it is not installed).
SCRIPT = Path(sys.executable).with_name("pubsearch")
PUBSEARCH = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "search"]
CATALOG = ROOT / "corpus" / "catalog.toml"


@dataclass(frozen=True, slots=True)
class Bench:
    """One benchmark query: its text and the options of ``pubsearch search`` it uses."""

    kind: str
    text: str
    lang: str = ""
    type: str = ""
    year: str = ""
    sort: str = "relevance"

    def params(self) -> dict[str, str]:
        """The web form's parameters for this query."""
        form = {"q": self.text, "lang": self.lang, "type": self.type, "year": self.year}
        if self.sort != "relevance":
            form["sort"] = self.sort
        return {k: v for k, v in form.items() if v}


QUERIES = (
    Bench("word sv", "människohandel"),
    Bench("words sv", "barnen skydd"),
    Bench("definite form sv", "skyddet"),
    Bench("compound part sv", "offer"),
    Bench("unaccented sv", "forordning"),
    Bench("word sv", "socialtjänsten"),
    Bench("phrase sv", '"skydd och stöd"'),
    Bench("OR sv", "tiggeri OR tvångsarbete"),
    Bench("NOT sv", "skydd -barn"),
    Bench("word en", "privacy"),
    Bench("words en", "human rights"),
    Bench("words en", "victim referral"),
    Bench("phrase en", '"national referral mechanism"'),
    Bench("OR en", "barn OR skydd"),
    Bench("NOT en", "trafficking -labour"),
    Bench("word ro", "traficul"),
    Bench("unaccented ro", "victimele protectie"),
    Bench("phrase ro", '"trafic de persoane" OR traficul'),
    Bench("word ru", "жертвам"),
    Bench("words ru", "торговля людьми"),
    Bench("phrase ru", '"торговли людьми"'),
    Bench("word bg", "помощ"),
    Bench("definite form bg", "ръководството"),
    Bench("words bg", "жертви на трафик"),
    Bench("prefix", "traffick*"),
    Bench("prefix sv", "människohandels*"),
    Bench("field title", "title:manual"),
    Bench("field author", "author:unicef"),
    Bench("field type", "type:report stöd"),
    Bench("year range", "year:[2015 TO 2017] stöd"),
    Bench("year", "year:2016 barn"),
    Bench("filter lang", "människohandel", lang="sv"),
    Bench("filter type", "victim", type="report"),
    Bench("filter years", "protection", year="2010..2020"),
    Bench("sort date", "barn", sort="date"),
    Bench("sort date en", "victims", sort="date"),
)
PROCESS_QUERIES = ("human rights", "människohandel", "forordning")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of `values` (share 0.5: the median, 0.99: p99)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_cli(
    args: list[str], env: dict[str, str], timeout: float | None = None
) -> tuple[float, str]:
    """(seconds, stdout) of one ``pubsearch`` command; past `timeout` seconds it is
    interrupted (Ctrl-C: what it committed stays in the index) and its output is ''."""
    started = time.perf_counter()
    pipe = subprocess.PIPE
    proc = subprocess.Popen([*PUBSEARCH, *args], env=env, stdout=pipe, stderr=pipe, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
        return time.perf_counter() - started, ""
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 5):  # 5: some files failed (encrypted, broken): expected
        raise SystemExit(f"pubsearch {' '.join(args)}: exit {proc.returncode}\n{err}")
    return elapsed, out


def build(
    index_dir: Path,
    paths: Sequence[Path],
    env: dict[str, str],
    pwfile: Path,
    max_seconds: float | None = None,
) -> dict[str, Any]:
    """Rebuild `index_dir` from the catalog and `paths` (two runs of ``pubsearch index``,
    without OCR: scans are flagged as needing it), stopping after `max_seconds`:
    {"pages": pages in the index, "seconds": wall time of both runs, "complete": bool}."""
    common = ["--index", str(index_dir), "--catalog", str(CATALOG), "-q", "--json"]
    common += ["--ocr", "off", "--passwords-file", str(pwfile), "--page-timeout", "20"]
    first, _ = run_cli(["index", *common, "--rebuild"], env)
    left = None if max_seconds is None else max(1.0, max_seconds - first)
    second, out = run_cli(["index", *common, *map(str, paths)], env, left)
    return {"pages": pages_in(index_dir), "seconds": first + second, "complete": bool(out)}


def pages_in(index_dir: Path) -> int:
    """Page documents in the index at `index_dir`."""
    import tantivy

    from indexer.index import schema as s

    index = s.open_index(index_dir)
    query = tantivy.Query.term_query(index.schema, s.F_KIND, s.KIND_PAGE)
    return int(getattr(index.searcher().search(query, 1, count=True), "count", 0))


def copies(realpdfs: Path, target: Path, n: int) -> list[Path]:
    """`n` hard-linked copies of `realpdfs` under `target` (made once, kept)."""
    out = []
    for i in range(n):
        dest = target / f"copy{i:03d}"
        if not dest.is_dir():
            tmp = target / f".copy{i:03d}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(realpdfs, tmp, copy_function=os.link)
            tmp.rename(dest)
        out.append(dest)
    return out


def in_process(index_dir: Path, rounds: int) -> list[float]:
    """Milliseconds of every timed round of every query, through one open reader."""
    from search.query import syntax as q
    from search.results.answer import search

    try:
        from search.reader import IndexReader

        source: Any = IndexReader(index_dir)
    except ImportError:  # a pubsearch without a long-lived reader: open per search
        source = index_dir
    times = []
    for bench in QUERIES:
        filters = q.Filters(
            languages=(bench.lang,) if bench.lang else (),
            types=(bench.type,) if bench.type else (),
            years=q.parse_years(bench.year) if bench.year else None,
        )

        def once(bench: Bench = bench, filters: q.Filters = filters) -> None:
            search(source, bench.text, filters, limit=10, pages=3, sort=bench.sort)

        once()  # warm-up
        for _ in range(rounds):
            started = time.perf_counter()
            once()
            times.append((time.perf_counter() - started) * 1000)
    return times


def compiled() -> None:
    """Write the project's bytecode: with ``PYTHONDONTWRITEBYTECODE`` set (some sandboxes
    and containers), an editable install would compile every module in every process."""
    folders = [str(ROOT / "indexer"), str(ROOT / "search")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=True)


@contextmanager
def daemon_running(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A ``pubsearch daemon`` on a socket of its own; the environment that uses it."""
    with tempfile.TemporaryDirectory(prefix="pubsearch-bench-") as folder:
        sock = Path(folder) / "daemon.sock"
        env = {**env, "PUBSEARCH_DAEMON": str(sock)}
        proc = subprocess.Popen([*PUBSEARCH, "daemon"], env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not sock.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("pubsearch daemon did not start")
                time.sleep(0.05)
            yield env
        finally:
            proc.terminate()  # SIGTERM: Ctrl-C's signal is ignored in background jobs
            proc.wait(timeout=30)


def process_times(index_dir: Path, env: dict[str, str]) -> dict[str, float]:
    """Median milliseconds of 7 runs of ``pubsearch search --json`` per query."""
    out = {}
    for text in PROCESS_QUERIES:
        run_cli(["search", "--json", "--index", str(index_dir), text], env)  # warm the OS cache
        runs = [
            run_cli(["search", "--json", "--index", str(index_dir), text], env)[0] for _ in range(7)
        ]
        out[text] = statistics.median(runs) * 1000
    return out


def web_times(index_dir: Path, env: dict[str, str], rounds: int) -> list[float]:
    """Milliseconds of every timed request of the search page for every query."""
    with serving(index_dir, env) as conn:

        def get(path: str) -> float:
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or not body:
                raise SystemExit(f"{path}: HTTP {response.status}")
            return (time.perf_counter() - started) * 1000

        urls = ["/?" + urlencode(bench.params()) for bench in QUERIES]
        for url in urls:
            get(url)  # warm-up
        return [get(url) for _ in range(rounds) for url in urls]


def disk_size(index_dir: Path) -> int:
    return sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())


def measure(
    name: str, index_dir: Path, env: dict[str, str], rounds: int, log: Callable[[str], None]
) -> dict[str, Any]:
    log(f"measuring {name}: in-process")
    inproc = in_process(index_dir, rounds)
    log(f"measuring {name}: processes")
    procs = process_times(index_dir, {**env, "PUBSEARCH_DAEMON": "off"})
    with daemon_running(env) as through_daemon:
        procs_daemon = process_times(index_dir, through_daemon)
    log(f"measuring {name}: web")
    web = web_times(index_dir, env, rounds)
    return {
        "pages": pages_in(index_dir),
        "in_p50": percentile(inproc, 0.5),
        "in_p99": percentile(inproc, 0.99),
        "in_max": max(inproc),
        "process": procs,
        "process_daemon": procs_daemon,
        "web_p50": percentile(web, 0.5),
        "web_p99": percentile(web, 0.99),
        "size": disk_size(index_dir),
        "segments": len(json.loads((index_dir / "meta.json").read_text())["segments"]),
    }


def passwords_file(realpdfs: Path, target: Path) -> Path:
    """The passwords SOURCES.tsv lists, one a line (for the encrypted samples)."""
    found: list[str] = []
    tsv = realpdfs / "SOURCES.tsv"
    if tsv.is_file():
        for m in re.finditer(r"(?:password|user|owner) '([^']+)'", tsv.read_text()):
            value = m.group(1)
            value = value.encode().decode("unicode_escape") if "\\u" in value else value
            if value not in found:
                found.append(value)
    target.write_text("".join(f"{p}\n" for p in found))
    return target


def table(small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    """The Markdown table: one row per figure, small and large index side by side."""
    rows: list[tuple[str, float, float, str]] = [
        ("pages", small["pages"], large["pages"], "{:,.0f}"),
        ("in-process search p50", small["in_p50"], large["in_p50"], "{:.1f} ms"),
        ("in-process search p99", small["in_p99"], large["in_p99"], "{:.1f} ms"),
        ("in-process search max", small["in_max"], large["in_max"], "{:.1f} ms"),
    ]
    for text in PROCESS_QUERIES:
        label = f"`pubsearch search --json '{text}'`, median of 7"
        rows.append((label, small["process"][text], large["process"][text], "{:.0f} ms"))
    for text in PROCESS_QUERIES:
        if "process_daemon" in small and "process_daemon" in large:
            label = f"the same with `pubsearch daemon` running: '{text}'"
            a, b = small["process_daemon"][text], large["process_daemon"][text]
            rows.append((label, a, b, "{:.0f} ms"))
    rows += [
        ("web search page p50", small["web_p50"], large["web_p50"], "{:.1f} ms"),
        ("web search page p99", small["web_p99"], large["web_p99"], "{:.1f} ms"),
        ("index size on disk", small["size"] / 2**20, large["size"] / 2**20, "{:,.0f} MiB"),
        (
            "index segments (each query looks up its terms in every one)",
            small["segments"],
            large["segments"],
            "{:.0f}",
        ),
    ]
    if "build" in small and "build" in large:
        a, b = small["build"], large["build"]
        rate_a, rate_b = a["pages"] / a["seconds"], b["pages"] / b["seconds"]
        label = "build from the cache, pages/s"
        if not b.get("complete", True):
            label += " (large: stopped at the time limit)"
        rows.append((label, rate_a, rate_b, "{:.0f}"))
        rows.append(("build from the cache, wall time", a["seconds"], b["seconds"], "{:.0f} s"))
    lines = ["| | small index | large index | large / small |", "|---|---:|---:|---:|"]
    for label, x, y, form in rows:
        ratio = f"{y / x:.2f}×" if x else "-"
        lines.append(f"| {label} | {form.format(x)} | {form.format(y)} | {ratio} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "realpdfs", nargs="?", type=Path, default=ROOT.parent / "shared" / "realpdfs"
    )
    parser.add_argument("--pages", type=int, default=100_000, help="pages of the large index")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "pubsearch-bench-scale",
        help="where the indexes, the copies and (without $PUBSEARCH_CACHE) the cache go",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per query")
    parser.add_argument("--reuse", action="store_true", help="measure the indexes in --work")
    parser.add_argument(
        "--max-build-seconds",
        type=float,
        help="stop the large build after this long and measure what it committed",
    )
    parser.add_argument("--small", type=Path, help="measure this index as the small one")
    parser.add_argument("--large", type=Path, help="measure this index as the large one")
    args = parser.parse_args()
    if not args.realpdfs.is_dir():
        sys.exit(f"bench-scale: {args.realpdfs} not found: it needs the real-world PDF collection")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PUBSEARCH_CACHE", str(work / "cache"))
    started = time.monotonic()
    compiled()

    def log(text: str) -> None:
        print(f"[{time.monotonic() - started:7.0f} s] {text}", file=sys.stderr, flush=True)

    pwfile = passwords_file(args.realpdfs, work / "passwords.txt")
    small_dir, large_dir = args.small or work / "small", args.large or work / "large"
    builds: dict[str, dict[str, Any]] = {}
    if not (args.reuse or args.small):
        log(f"small index: corpus + {args.realpdfs} (extracts into the cache if it is cold)")
        build(small_dir, [args.realpdfs], env, pwfile)
        log("small index again, from the cache (timed)")
        builds["small"] = build(small_dir, [args.realpdfs], env, pwfile)
    if not (args.reuse or args.large):
        per_copy = max(1, pages_in(small_dir))
        n = math.ceil(args.pages / per_copy)
        log(f"large index: corpus + {n} hard-linked copies of {args.realpdfs}")
        copies(args.realpdfs.resolve(), work / "copies", n)
        builds["large"] = build(large_dir, [work / "copies"], env, pwfile, args.max_build_seconds)
        done = "built" if builds["large"]["complete"] else "stopped at --max-build-seconds"
        large = builds["large"]
        log(f"large index {done}: {large['pages']} pages in {large['seconds']:.0f} s")
    saved = work / "builds.json"  # so that --reuse can still show the build figures
    if builds:
        old = json.loads(saved.read_text()) if saved.is_file() else {}
        saved.write_text(json.dumps({**old, **builds}, indent=2) + "\n")
    elif saved.is_file():
        builds = json.loads(saved.read_text())
    results = {}
    for name, index_dir in (("small", small_dir), ("large", large_dir)):
        results[name] = measure(name, index_dir, env, args.rounds, log)
        if name in builds:
            results[name]["build"] = builds[name]
    (work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"{len(QUERIES)} queries × {args.rounds} rounds in-process and on the web page; "
        f"{os.cpu_count()} cores"
    )
    print("\n".join(table(results["small"], results["large"])))


if __name__ == "__main__":
    main()
