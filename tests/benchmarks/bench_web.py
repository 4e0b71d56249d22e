"""Web page benchmark (part of ``make bench``): how long the search page takes to render.

Indexes the bundled corpus into a temp folder, starts ``pubsearch serve`` on a loopback
port, and times full HTTP round trips (one keep-alive connection, the page read to its
end) for a mix of searches, filtered searches, the empty-query listing, page views and the
JSON API. Prints the median, 90th percentile and maximum per kind, in milliseconds. The
target is a search page median under 50 ms.

    .venv/bin/python tests/benchmarks/bench_web.py [--rounds N] [--index DIR]

With ``--index``, an existing index (say, the evaluation's over the real-world PDFs) is
served instead.

Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[2]
PUBSEARCH = [sys.executable, "-m", "search"]

SEARCHES = [
    "barnen skydd", "människohandel", "жертвам", "victim referral",
    '"trafic de persoane" OR traficul', "помощ", "tiggeri", "offer", "traffick*",
    "skydd -barn", "title:manual", "year:[2015 TO 2016] stöd",
]  # fmt: skip
KINDS: dict[str, list[str]] = {
    "search page": ["/?" + urlencode({"q": s}) for s in SEARCHES],
    "search page, filtered": [
        "/?" + urlencode({"q": "människohandel", "type": "manual"}),
        "/?" + urlencode({"q": "människohandel", "lang": "sv", "year": "2016"}),
        "/?" + urlencode({"q": "stöd", "sort": "date", "p": "2", "limit": "2"}),
    ],
    "listing (empty query)": ["/", "/?type=report", "/?ui=en"],
    "page view": [],  # the best page of a few searches, found at run time
    "JSON API": ["/api/search?" + urlencode({"q": s}) for s in SEARCHES[:6]],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("pubsearch serve exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("pubsearch serve did not start")


def get_json(conn: http.client.HTTPConnection, path: str) -> dict[str, Any]:
    conn.request("GET", path)
    data: dict[str, Any] = json.loads(conn.getresponse().read())
    return data


def page_views(conn: http.client.HTTPConnection, queries: list[str]) -> list[str]:
    """The page view of the best page of each query that has one."""
    urls = []
    for text in queries:
        for hit in get_json(conn, "/api/search?" + urlencode({"q": text}))["hits"][:1]:
            for page in hit["pages"][:1]:
                urls.append(f"/page/{quote(hit['id'], safe='')}/{page['page']}?"
                            + urlencode({"q": text}))  # fmt: skip
    return urls


def stats(conn: http.client.HTTPConnection) -> int:
    return int(get_json(conn, "/api/search?limit=1")["total_pages"])


def timed(conn: http.client.HTTPConnection, path: str) -> float:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200 or not body:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="requests per URL (timed)")
    parser.add_argument("--index", type=Path, help="serve this index instead of the corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pubsearch-bench-web-") as tmp:
        index_dir = args.index or Path(tmp) / "index"
        env = dict(os.environ, PUBSEARCH_CACHE=str(Path(tmp) / "cache"))
        if args.index is None:
            subprocess.run([*PUBSEARCH, "index", "--index", str(index_dir), "-q",
                            "--catalog", str(ROOT / "corpus" / "catalog.toml")],
                           check=True, env=env)  # fmt: skip
        port = free_port()
        proc = subprocess.Popen(
            [*PUBSEARCH, "serve", "--index", str(index_dir), "--port", str(port)],
            stdout=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        try:
            wait_for(port, proc)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            KINDS["page view"] = page_views(conn, SEARCHES[:4])
            pages = stats(conn)
            for paths in KINDS.values():  # warm up: first opens, analyzers, templates
                for path in paths:
                    timed(conn, path)
            where = args.index or "the bundled corpus"
            print(f"web page on {where} ({pages} pages), {args.rounds} requests per URL, "
                  "full HTTP round trip on loopback (ms)")  # fmt: skip
            print(f"{'kind':<24}{'URLs':>5}{'median':>9}{'p90':>8}{'max':>8}")
            for kind, paths in KINDS.items():
                times = [timed(conn, path) for _ in range(args.rounds) for path in paths]
                times.sort()
                p90 = times[int(len(times) * 0.9) - 1]
                print(f"{kind:<24}{len(paths):>5}{statistics.median(times):>9.1f}"
                      f"{p90:>8.1f}{times[-1]:>8.1f}")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
