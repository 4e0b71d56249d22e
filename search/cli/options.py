"""What the ``pubsearch`` commands share: the index location and common options."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from search.query.syntax import as_meant

INDEX_ENV = "PUBSEARCH_INDEX"


class Text(click.types.StringParamType):
    """A text argument or option (a query, a language, a type, a name), read as the user
    meant it when its bytes are not UTF-8 (:func:`search.query.syntax.as_meant`). Paths keep
    their bytes (``click.Path``), so a file of any name is found."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return as_meant(super().convert(value, param, ctx))


def read_text_as_meant(command: click.Command) -> None:
    """Give every plain text parameter of `command` and its subcommands the :class:`Text`
    type (one place, so a new command cannot forget it)."""
    for param in command.params:
        if type(param.type) is click.types.StringParamType:
            param.type = Text()
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            read_text_as_meant(sub)


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
