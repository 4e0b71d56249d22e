"""The ``pubsearch`` command: thin click commands over the library, one error handler.

Each command parses its options, calls one library function and renders the result with
:mod:`search.render`. The commands live by group in :mod:`search.cli.index_commands` (index,
stats, cache), :mod:`search.cli.search_commands` (search, similar, show, open) and
:mod:`search.cli.saved_commands` (saved, serve, daemon). Errors become a one-line message and
the exception's own ``exit_code`` (:class:`~indexer.errors.ExitCode`) in
:meth:`PubsearchGroup.invoke`; tracebacks only with ``--verbose``. The console script's
target is :mod:`search.console`, which first offers a read-only command to a running
``pubsearch daemon``.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from indexer.errors import ExitCode, PubsearchError
from search.cli.options import INDEX_ENV, default_index_dir, read_text_as_meant
from search.cli.options import use_color as _use_color

__all__ = [
    "COMMANDS",
    "INDEX_ENV",
    "PubsearchGroup",
    "_use_color",
    "cli",
    "default_index_dir",
    "main",
]


#: Each command and where it is defined: a command's module is imported only when it runs
#: (or for ``--help``), so ``pubsearch search`` does not load what ``index`` needs.
COMMANDS = {
    "index": "search.cli.index_commands:index_cmd",
    "stats": "search.cli.index_commands:stats_cmd",
    "cache": "search.cli.index_commands:cache_group",
    "search": "search.cli.search_commands:search_cmd",
    "similar": "search.cli.search_commands:similar_cmd",
    "show": "search.cli.search_commands:show_cmd",
    "open": "search.cli.search_commands:open_cmd",
    "screen": "search.cli.screen_commands:screen_cmd",
    "saved": "search.cli.saved_commands:saved_group",
    "serve": "search.cli.serve_commands:serve_cmd",
    "daemon": "search.cli.serve_commands:daemon_cmd",
}


class PubsearchGroup(click.Group):
    """A click group whose commands share one error handler and load when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, name = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        read_text_as_meant(command)  # text that is not UTF-8, as the user meant it
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and cut short: not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stays open until exit)
            ctx.exit(0)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("verbose"):
                import traceback  # only with --verbose: it loads tokenize, linecache

                traceback.print_exc()
            if isinstance(exc, PubsearchError):  # every error of ours says what to do
                message, code = str(exc), exc.exit_code
            else:
                message = (
                    f"unexpected error: {type(exc).__name__}: {exc} (run again with --verbose)"
                )
                code = ExitCode.ERROR
            click.echo(f"pubsearch: {message}", err=True)
            ctx.exit(int(code))


@click.group(cls=PubsearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="pubsearch")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Full-text search inside publication PDFs, page by page, in many languages."""
    ctx.obj = {"verbose": verbose}


def main() -> None:
    cli(prog_name="pubsearch")
