"""The ``pubsearch`` command: thin click commands over the library, one error handler.

Each command parses its options, calls one library function and renders the result with
:mod:`search.format`. The commands live by group in :mod:`search.cli_index` (index,
stats, cache), :mod:`search.cli_search` (search, similar, show, open) and
:mod:`search.cli_saved` (saved, serve). Errors become a one-line message and the
exception's own ``exit_code`` (:class:`~indexer.errors.ExitCode`) in
:meth:`PubsearchGroup.invoke`; tracebacks only with ``--verbose``.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from indexer.errors import ExitCode, PubsearchError
from search import cli_index, cli_saved, cli_search
from search.cli_common import INDEX_ENV, default_index_dir, read_text_as_meant
from search.cli_common import use_color as _use_color

__all__ = ["INDEX_ENV", "PubsearchGroup", "_use_color", "cli", "default_index_dir", "main"]


class PubsearchGroup(click.Group):
    """A click group whose commands share one error handler."""

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


for command in (
    cli_index.index_cmd,
    cli_index.stats_cmd,
    cli_index.cache_group,
    cli_search.search_cmd,
    cli_search.similar_cmd,
    cli_search.show_cmd,
    cli_search.open_cmd,
    cli_saved.saved_group,
    cli_saved.serve_cmd,
):
    cli.add_command(command)
read_text_as_meant(cli)


def main() -> None:
    cli(prog_name="pubsearch")
