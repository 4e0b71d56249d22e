"""In-process search times of two checkouts of pubsearch on one index, run by turns.

The same :data:`bench_scale.QUERIES`, timed as ``make bench-scale`` times them (one open
reader, every round of every query), once with this checkout's code and once with the
code of ``--other`` (another checkout or worktree: its ``indexer`` and ``search`` come
first on ``PYTHONPATH``), alternating ``--runs`` times so that both see the same machine.
Each run is a fresh process. Not a test: it measures, it does not assert.

    .venv/bin/python tests/benchmarks/bench_compare.py INDEX --other ../old [--runs 3]
        [--rounds 5]

The index must be one both checkouts can read (the same schema version); when the schemas
differ, give the other checkout its own index with ``--other-index`` (built from the same
extraction cache, so both hold the same pages).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench_scale import percentile  # tests/benchmarks/bench_scale.py: run as scripts from here

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
#: One measurement, in a fresh process: bench_scale's in-process loop, as JSON.
MEASURE = (
    "import json, sys; sys.path.insert(0, {here!r}); import bench_scale; "
    "from pathlib import Path; "
    "print(json.dumps(bench_scale.in_process(Path({index!r}), {rounds})))"
)


def run(checkout: Path, index: Path, rounds: int) -> list[float]:
    """Milliseconds of every timed search, with the code of `checkout`."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PUBSEARCH_DAEMON": "off"}
    # each side's own benchmark code, which imports its own modules (their paths may differ)
    here = checkout / "tests" / "benchmarks"
    code = MEASURE.format(here=str(here), index=str(index), rounds=rounds)
    out = subprocess.run(  # in `checkout`: `-c` puts the working folder first on sys.path
        [sys.executable, "-c", code],
        cwd=checkout,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [float(x) for x in json.loads(out.stdout)]


def summary(times: list[float]) -> str:
    p50, p99, mean = percentile(times, 0.5), percentile(times, 0.99), statistics.mean(times)
    return f"p50 {p50:5.2f} ms  p99 {p99:5.2f} ms  mean {mean:5.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--other", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument(
        "--other-index",
        type=Path,
        help="the index the other checkout searches (when the schemas differ: each side on "
        "its own index, built from the same cache)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sides = {"this": ROOT, "other": args.other.resolve()}
    indexes = {"this": args.index.resolve(), "other": (args.other_index or args.index).resolve()}
    every: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(args.runs):
        order = list(sides) if i % 2 == 0 else list(sides)[::-1]
        for name in order:
            times = run(sides[name], indexes[name], args.rounds)
            every[name] += times
            print(f"run {i + 1} {name:5s} {summary(times)}", flush=True)
    for name, times in every.items():
        print(f"all   {name:5s} {summary(times)}  ({sides[name]})")


if __name__ == "__main__":
    main()
