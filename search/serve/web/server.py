"""Run the web app with uvicorn (``pubsearch serve``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import uvicorn

from indexer.index import schema as s
from search.serve.web.app import create_app
from search.serve.web.guard import is_loopback, served_names


def serve(
    index_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    allow_hosts: Sequence[str] = (),
) -> None:
    """Serve the search page over the index at `index_dir` until interrupted.

    The index is checked first, so a missing or outdated one is a one-line error (exit
    code 4) rather than a server that answers 503. Only requests whose Host names this
    server are answered (loopback names, `host`, `allow_hosts`); with `token`, only those
    that carry it. Listening beyond loopback without a token prints a warning."""
    s.open_index(index_dir)
    shown = f"[{host}]" if ":" in host else host
    if not is_loopback(host) and not token:
        print(
            f"pubsearch: warning: listening on {host}: anyone who can reach port {port} can "
            "read the index (pass --token or set PUBSEARCH_TOKEN)",
            file=sys.stderr,
            flush=True,
        )
    url = f"http://{shown}:{port}/" + (f"?token={quote(token, safe='')}" if token else "")
    print(f"pubsearch: serving {index_dir} at {url} (Ctrl-C stops)", flush=True)
    app = create_app(index_dir, served_names(host, allow_hosts), token)
    uvicorn.run(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )
