"""``pubsearch saved ...``: save queries, re-run them after indexing and see what is new.

The commands import what reads the index (tantivy) when they run, so that importing
:mod:`search.cli.main` (and ``pubsearch --help``) stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from search import render as fmt
from search.cli.options import default_index_dir, index_option, json_option


@click.group("saved")
def saved_group() -> None:
    """Saved queries: re-run them after indexing and see what is new."""


@saved_group.command("add")
@click.argument("name")
@click.argument("query")
@index_option
@click.option("--exact", is_flag=True, help="Only pages with every word of QUERY.")
def saved_add(name: str, query: str, index_dir: Path | None, exact: bool) -> None:
    """Save QUERY under NAME; it re-runs as saved (never replaced by a correction)."""
    from search import api  # loaded per command: search.cli.main stays light

    api.save_query(index_dir or default_index_dir(), name, query, exact=exact)
    click.echo(f"saved {name}: {query}" + (" (exact)" if exact else ""))


@saved_group.command("list")
@index_option
@json_option
def saved_list(index_dir: Path | None, as_json: bool) -> None:
    """List the saved queries."""
    from search import api  # loaded per command: search.cli.main stays light

    queries = api.saved_queries(index_dir or default_index_dir())
    if as_json:
        click.echo(json.dumps(queries, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(f"{n}: {q}" for n, q in queries.items()) or "no saved queries")


@saved_group.command("remove")
@click.argument("name")
@index_option
def saved_remove(name: str, index_dir: Path | None) -> None:
    """Forget the saved query NAME."""
    from search import api  # loaded per command: search.cli.main stays light

    api.remove_saved(index_dir or default_index_dir(), name)
    click.echo(f"removed {name}")


@saved_group.command("run")
@click.argument("names", nargs=-1)
@index_option
@json_option
def saved_run(names: tuple[str, ...], index_dir: Path | None, as_json: bool) -> None:
    """Re-run saved queries (all, or NAMES); pages not found last time are marked new."""
    from search import api  # loaded per command: search.cli.main stays light

    runs = api.run_saved(index_dir or default_index_dir(), list(names) or None)
    if as_json:
        click.echo(json.dumps(fmt.saved_json(runs), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.saved_text(runs) or "no saved queries")
