"""What the ``pubsearch`` commands share: the index location and common options."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

INDEX_ENV = "PUBSEARCH_INDEX"


def default_index_dir() -> Path:
    """``$PUBSEARCH_INDEX``, else ``$XDG_DATA_HOME/pubsearch/index`` (~/.local/share/...)."""
    env = os.environ.get(INDEX_ENV)
    if env:
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "pubsearch" / "index"


def index_option(func: Any) -> Any:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Index folder [default: ${INDEX_ENV}, else ~/.local/share/pubsearch/index].",
    )(func)


cache_option = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Extraction cache folder [default: $PUBSEARCH_CACHE, else ~/.cache/pubsearch].",
)


def json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


page_option = click.option(
    "--page",
    "page",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Page number (1-based).",
)


pages_option = click.option(
    "--pages",
    default=3,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="Pages to show per publication.",
)


def use_color(stream: Any) -> bool:
    """Whether to highlight with ANSI colours: a terminal, without NO_COLOR or TERM=dumb."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
