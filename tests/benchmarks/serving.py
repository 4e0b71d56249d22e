"""``pubsearch serve`` for the benchmarks that time the web page: a free port, the server
started on an index, and one keep-alive connection once it answers (not a benchmark)."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PUBSEARCH = [sys.executable, "-m", "search"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    index_dir: Path, env: dict[str, str], *, start_seconds: float = 60
) -> Iterator[http.client.HTTPConnection]:
    """Serve `index_dir` on a free loopback port; a connection to it, the server stopped
    after."""
    port = free_port()
    proc = subprocess.Popen(
        [*PUBSEARCH, "serve", "--index", str(index_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("pubsearch serve did not start") from None
                time.sleep(0.1)
        yield http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    finally:
        proc.terminate()
        proc.wait(10)
