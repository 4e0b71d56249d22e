"""Run the web app with uvicorn (``pubsearch serve``)."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from indexer import schema as s
from search.web.app import create_app


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the search page over the index at `index_dir` until interrupted.

    The index is checked first, so a missing or outdated one is a one-line error (exit
    code 4) rather than a server that answers 503."""
    s.open_index(index_dir)
    shown = f"[{host}]" if ":" in host else host
    print(f"pubsearch: serving {index_dir} at http://{shown}:{port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(
        create_app(index_dir),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
