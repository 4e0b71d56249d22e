"""Screening benchmark (``make bench-screen``): the fixed list of 1,000 names
(``screen-names.txt``: 500 Latin spellings of surnames the real corpus prints in Cyrillic,
500 made-up names) screened against an index, as ``pubsearch screen`` runs it.

Prints the time per name (mean, p50, p99, over the whole list, one open reader), the peak
memory of the process, how many of the present names were found (and in which tier) and
how many of the made-up ones matched anything. Targets: 10 ms a name on the 100,000-page
index of ``make bench-scale`` (whose copies repeat every hit 25 times: the per-name cap
applies), peak memory 500 MB. Not a test: it measures, it does not assert.

    .venv/bin/python tests/benchmarks/bench_screen.py [INDEX] [--max-pages 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench_scale import percentile  # tests/benchmarks/bench_scale.py: run as scripts from here

from search import api
from search.reader import IndexReader
from search.results.screening import NameResult

HERE = Path(__file__).resolve().parent
NAMES = HERE / "screen-names.txt"
PRESENT = 500  # the first 500 names of the list are printed in the corpus
DEFAULT_INDEX = Path(tempfile.gettempdir()) / "pubsearch-bench-scale" / "large"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", nargs="?", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--max-pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="passes over the whole list")
    parser.add_argument(
        "--snippets",
        action="store_true",
        help="make each hit's snippet (CSV, JSON lines, HTML do; the terminal table does not)",
    )
    args = parser.parse_args()
    if not args.index.is_dir():
        sys.exit(f"bench-screen: no index at {args.index}: run `make bench-scale` first")
    reader = IndexReader(args.index)
    request = api.ScreenRequest(source=NAMES, max_pages=args.max_pages, snippets=args.snippets)
    per_name: list[float] = []
    tiers: Counter[str] = Counter()
    found_present = found_absent = listed = 0
    for run in range(args.runs):
        started = time.perf_counter()
        last = started
        for item in api.screen(reader, request):
            now = time.perf_counter()
            if isinstance(item, NameResult):
                per_name.append((now - last) * 1000)
                if run == 0:
                    listed += 1
                    present = item.listed.line <= 3 + PRESENT  # after 3 comment lines
                    if item.hits and present:
                        found_present += 1
                        tiers[item.hits[0].tier] += 1
                    elif item.hits:
                        found_absent += 1
            last = now
        print(f"pass {run + 1}: {time.perf_counter() - started:.2f} s", file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    snippets = "with snippets" if args.snippets else "without snippets (the terminal table)"
    print(
        f"index {args.index}: {listed} names, --max-pages {args.max_pages}, {args.runs} "
        f"passes, {snippets}"
    )
    print(
        f"per name: mean {statistics.mean(per_name):.2f} ms, p50 {percentile(per_name, 0.5):.2f}"
        f" ms, p99 {percentile(per_name, 0.99):.2f} ms; peak memory {peak_mb:.0f} MB"
    )
    print(
        f"present names found: {found_present} of {PRESENT} (best tier: "
        f"{', '.join(f'{t} {n}' for t, n in tiers.most_common())}); "
        f"made-up names that matched: {found_absent} of {listed - PRESENT}"
    )


if __name__ == "__main__":
    main()
