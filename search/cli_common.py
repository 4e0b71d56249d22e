"""What the ``pubsearch`` commands share: the index location and common options."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

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
    help="Extraction cache [default: $PUBSEARCH_CACHE, else ~/.cache/pubsearch].",
)


def json_flag(help: str = "Print JSON.") -> Callable[[FC], FC]:
    """``--json`` (as `as_json`) with its own help text."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def json_option(func: FC) -> FC:
    return json_flag()(func)


def shown_option(name: str, kind: Any, default: Any, help: str, **extra: Any) -> Callable[[FC], FC]:
    """An option of type `kind` whose `default` ``--help`` shows."""
    return click.option(name, type=kind, default=default, show_default=True, help=help, **extra)


pages_option = shown_option("--pages", click.IntRange(0, 1000), 3, "Pages to show per publication.")
page_option = shown_option("--page", click.IntRange(1), 1, "Page number (1-based).")


def use_color(stream: Any) -> bool:
    """Whether to highlight with ANSI colours: a terminal, without NO_COLOR or TERM=dumb."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
