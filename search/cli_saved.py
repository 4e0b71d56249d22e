"""``pubsearch saved ...``, ``serve`` and ``daemon``: saved queries, the search page, and
the warm process that answers command-line searches.

The commands import what reads the index (tantivy) when they run, so that importing
:mod:`search.cli` (and ``pubsearch --help``) stays fast.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from search import format as fmt
from search.cli_common import default_index_dir, index_option, json_option


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
    from search import saved  # loaded per command: search.cli stays light

    saved.add(index_dir or default_index_dir(), name, query, exact=exact)
    click.echo(f"saved {name}: {query}" + (" (exact)" if exact else ""))


@saved_group.command("list")
@index_option
@json_option
def saved_list(index_dir: Path | None, as_json: bool) -> None:
    """List the saved queries."""
    from search import saved  # loaded per command: search.cli stays light

    queries = saved.saved(index_dir or default_index_dir())
    if as_json:
        click.echo(json.dumps(queries, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(f"{n}: {q}" for n, q in queries.items()) or "no saved queries")


@saved_group.command("remove")
@click.argument("name")
@index_option
def saved_remove(name: str, index_dir: Path | None) -> None:
    """Forget the saved query NAME."""
    from search import saved  # loaded per command: search.cli stays light

    saved.remove(index_dir or default_index_dir(), name)
    click.echo(f"removed {name}")


@saved_group.command("run")
@click.argument("names", nargs=-1)
@index_option
@json_option
def saved_run(names: tuple[str, ...], index_dir: Path | None, as_json: bool) -> None:
    """Re-run saved queries (all, or NAMES); pages not found last time are marked new."""
    from search import saved  # loaded per command: search.cli stays light

    runs = saved.run_saved(index_dir or default_index_dir(), list(names) or None)
    if as_json:
        click.echo(json.dumps(fmt.saved_json(runs), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.saved_text(runs) or "no saved queries")


@click.command("serve")
@index_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback: only this machine).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="PUBSEARCH_TOKEN",
    default=None,
    help="Access token every request must carry (given once as ?token=, then kept in a "
    "cookie) [default: $PUBSEARCH_TOKEN].",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="Also answer requests for this Host name (e.g. behind a proxy).",
)
def serve_cmd(
    index_dir: Path | None, host: str, port: int, token: str | None, allow_hosts: tuple[str, ...]
) -> None:
    """Serve the search page (read-only) at http://HOST:PORT/.

    Only requests whose Host names this server are answered (loopback names, HOST,
    --allow-host). Beyond loopback, anyone who can reach the port can read the index
    unless --token is given."""
    from search.web.serve import serve  # loaded per command: search.cli stays light

    serve(index_dir or default_index_dir(), host, port, token or None, allow_hosts)


@click.command("daemon")
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Listen here [default: $PUBSEARCH_DAEMON, else $XDG_RUNTIME_DIR/pubsearch/daemon.sock, "
    "else ~/.cache/pubsearch/daemon.sock].",
)
def daemon_cmd(socket_path: Path | None) -> None:
    """Keep indexes open for this user's `pubsearch search`, `show` and `similar`.

    While it runs (in the foreground, until Ctrl-C), those commands, in any terminal of
    this user, hand their arguments to it and print its answer: the same output and exit
    code, without starting Python's libraries and opening the index each time. It stops
    when pubsearch's code changes on disk. PUBSEARCH_DAEMON=off makes a command run
    by itself."""
    from search import client  # loaded per command: search.cli stays light
    from search.daemon import Daemon
    from search.errors import DaemonError

    path = socket_path or client.socket_path()
    if path is None:
        raise DaemonError(f"{client.DAEMON_ENV}={client.OFF}: give the socket with --socket")
    daemon = Daemon(Path(path).absolute(), sys.stderr)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    click.echo(f"pubsearch daemon: listening on {daemon.path} (Ctrl-C stops it)", err=True)
    try:
        why = daemon.serve()
    except KeyboardInterrupt:
        why = f"stopped after {daemon.served} requests"
    click.echo(f"pubsearch daemon: {why}", err=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
