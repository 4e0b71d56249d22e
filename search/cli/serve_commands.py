"""``pubsearch serve`` (the search page) and ``pubsearch daemon`` (a warm process for the
console client).

The commands import the web app and the daemon when they run, so that importing
:mod:`search.cli.main` stays light.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from search.cli.options import default_index_dir, index_option


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
    from search.serve.web.server import serve  # loaded per command: search.cli.main stays light

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
    from search.errors import DaemonError  # loaded per command: search.cli.main stays light
    from search.serve import protocol
    from search.serve.daemon import Daemon

    path = socket_path or protocol.socket_path()
    if path is None:
        raise DaemonError(f"{protocol.DAEMON_ENV}={protocol.OFF}: give the socket with --socket")
    commands = click.get_current_context().find_root().command  # the `pubsearch` group
    daemon = Daemon(Path(path).absolute(), sys.stderr, commands)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    click.echo(f"pubsearch daemon: listening on {daemon.path} (Ctrl-C stops it)", err=True)
    try:
        why = daemon.serve()
    except KeyboardInterrupt:
        why = f"stopped after {daemon.served} requests"
    click.echo(f"pubsearch daemon: {why}", err=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
