"""Page picture benchmark (part of ``make bench-web``): how long the page picture takes,
rendered the first time and then from the picture cache.

Indexes the bundled corpus and ``../shared/realpdfs/lang-sv`` (text layers only,
``--ocr off``) into temp folders, starts ``pubsearch serve`` on each with an empty cache,
and times full HTTP round trips on loopback (one keep-alive connection):

- picture, first render: ``/picture/ID/N?w=1200`` once per page (a cache miss: the render
  worker draws the page and writes the PNG), the worker already started;
- picture, cached: the same URLs again, 10 rounds;
- page view, first visit: ``/page/ID/N?q=...`` once per page (PDFium's words of the page
  are made, the marks matched); then cached, 10 rounds.

Pages are reported all together and A4 ones (595 x 842 pt, within 2 %) apart.

    .venv/bin/python tests/benchmarks/bench_picture.py [REALPDFS]

Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from serving import serving  # tests/benchmarks/serving.py: run as scripts from here

from indexer.index import schema as s
from indexer.index.documents import int_of, text_of

ROOT = Path(__file__).resolve().parents[2]
PUBSEARCH = [sys.executable, "-m", "search"]
MAX_PAGES = 60
ROUNDS = 10


def pages_of(index_dir: Path) -> list[tuple[str, int, str]]:
    """(id, page, a word of its text) for up to MAX_PAGES text pages, spread over the index."""
    index = s.open_index(index_dir)
    searcher = index.searcher()
    query = index.parse_query(f"{s.F_KIND}:{s.KIND_PAGE}", [s.F_KIND])
    found = []
    for _, address in searcher.search(query, 100_000).hits:
        doc = searcher.doc(address)
        text = text_of(doc, s.text_field(text_of(doc, s.F_LANG) or s.UNDETERMINED)) or ""
        words = [w for w in text.split() if w.isalpha() and len(w) > 5]
        if words:
            found.append((str(text_of(doc, s.F_ID)), int_of(doc, s.F_PAGE) or 1, words[0]))
    found.sort()
    step = max(1, len(found) // MAX_PAGES)
    return found[::step][:MAX_PAGES]


def timed(conn: http.client.HTTPConnection, path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed, body


def line(kind: str, times: list[float]) -> str:
    if not times:
        return f"{kind:<34}{0:>6}"
    times = sorted(times)
    p90 = times[max(0, int(len(times) * 0.9) - 1)]
    return f"{kind:<34}{len(times):>6}{statistics.median(times):>9.1f}{p90:>8.1f}{times[-1]:>8.1f}"


def measure(name: str, index_args: list[str], tmp: Path) -> None:
    index_dir = tmp / "ix"
    env = dict(os.environ, PUBSEARCH_CACHE=str(tmp / "cache"))
    subprocess.run(
        [*PUBSEARCH, "index", "--index", str(index_dir), "-q", "--ocr", "off", *index_args],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    pages = pages_of(index_dir)
    with serving(index_dir, env, start_seconds=30) as conn:
        first_id, first_page, _ = pages[0]
        # start the render worker on a page and width that are not measured
        timed(conn, f"/picture/{quote(first_id, safe='')}/{first_page}?w=400")
        views = [
            (f"/page/{quote(p, safe='')}/{n}?" + urlencode({"q": w}), f"{quote(p, safe='')}/{n}")
            for p, n, w in pages
        ]
        urls = [
            (f"/picture/{quote(p, safe='')}/{n}?w=1200", f"{quote(p, safe='')}/{n}")
            for p, n, _ in pages
        ]
        runs: dict[str, tuple[list[tuple[float, str]], list[tuple[float, str]]]] = {}
        for label, group in (("page view", views), ("picture", urls)):
            first = [(timed(conn, url)[0], base) for url, base in group]
            cached = [(timed(conn, url)[0], base) for _ in range(ROUNDS) for url, base in group]
            runs[label] = (first, cached)
        sizes = {}  # A4 or not, by the page size the marks API gives (its words now cached)
        for _, base in urls:
            marks = json.loads(timed(conn, f"/api/marks/{base}")[1])
            sizes[base] = abs(marks["width"] - 595.3) < 12 and abs(marks["height"] - 841.9) < 17
        kinds: dict[str, list[float]] = {}
        for label, (first, cached) in runs.items():
            kinds[f"{label}, first"] = [t for t, _ in first]
            kinds[f"{label}, first (A4)"] = [t for t, b in first if sizes[b]]
            kinds[f"{label}, cached"] = [t for t, _ in cached]
            kinds[f"{label}, cached (A4)"] = [t for t, b in cached if sizes[b]]
        print(
            f"\n{name}: {len(pages)} pages ({sum(sizes.values())} A4), w=1200, full HTTP "
            "round trip on loopback (ms)"
        )
        print(f"{'kind':<34}{'n':>6}{'median':>9}{'p90':>8}{'max':>8}")
        for kind, times in kinds.items():
            print(line(kind, times))


def main() -> None:
    realpdfs = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "realpdfs"
    with tempfile.TemporaryDirectory(prefix="pubsearch-bench-picture-") as tmp:
        measure(
            "bundled corpus",
            ["--catalog", str(ROOT / "corpus" / "catalog.toml")],
            Path(tmp) / "corpus",
        )
        if (realpdfs / "lang-sv").is_dir():
            measure("lang-sv", [str(realpdfs / "lang-sv")], Path(tmp) / "lang-sv")
        else:
            print(f"\n{realpdfs / 'lang-sv'} not found: skipped")


if __name__ == "__main__":
    main()
