"""The ``pubsearch`` entry point: a read-only command goes to a running daemon, if any.

A ``pubsearch`` process spends most of its life starting: the interpreter, click, the
records and the query parser, opening the index (about 100 ms for the interpreter and
click alone on a small machine), for a search that then takes 10 ms. ``pubsearch daemon``
(:mod:`search.serve.daemon`) keeps a warm process with its indexes open; when one is listening
on this user's socket, ``pubsearch search``, ``show`` and ``similar`` hand it their
arguments, working folder and environment, and print what it answers: the output, the
error output and the exit code of the same click command, run there. With no daemon (or
``PUBSEARCH_DAEMON=off``) the command runs here, as it always did.

This module is the console script's target, so it imports only the standard library's
``os``, ``sys``, ``socket`` and ``marshal`` (a test checks it); :mod:`search.cli.main` and
click load only when the command runs here.

The exchange is :mod:`search.serve.protocol`.
"""

from __future__ import annotations

import os
import socket
import sys

from search.serve.protocol import (
    CONNECT_TIMEOUT,
    PROTOCOL,
    package_dir,
    receive,
    send,
    socket_path,
)

#: The commands a daemon answers: those that only read the index and print.
FORWARDED = frozenset({"search", "show", "similar"})


def forwardable(argv: list[str]) -> bool:
    """Whether `argv` (without the program name) runs a command a daemon answers."""
    args = list(argv)
    while args and args[0] == "--verbose":
        del args[0]
    return bool(args) and args[0] in FORWARDED


def _terminal_env() -> dict[str, str]:
    """The environment, with the terminal's width as COLUMNS (the daemon has none)."""
    env = dict(os.environ)
    if "COLUMNS" not in env and sys.stdout.isatty():  # else click's default, as here
        env["COLUMNS"] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
    return env


def forward(argv: list[str]) -> int | None:
    """Run `argv` on the daemon and print its answer; its exit code, or None (nothing
    printed) when no daemon took it: none listening, another install, another protocol.

    The commands forwarded only read, so when the daemon dies before it answers the
    command simply runs here instead."""
    path = socket_path()
    if path is None or not forwardable(argv):
        return None
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:  # no Unix sockets here: run the command in this process
        return None
    with conn:
        try:
            conn.settimeout(CONNECT_TIMEOUT)
            conn.connect(path)
            conn.settimeout(None)
            stdout = sys.stdout
            send(
                conn,
                {
                    "protocol": PROTOCOL,
                    "package": package_dir(),
                    "argv": [os.fsencode(arg) for arg in argv],
                    "cwd": os.fsencode(os.getcwd()),
                    "env": _terminal_env(),
                    "tty": (stdout.isatty(), sys.stderr.isatty()),
                    "encoding": stdout.encoding or "utf-8",
                    "errors": stdout.errors or "strict",
                },
            )
            reply = receive(conn)
        except OSError:  # no daemon listening, or it went away: run the command here
            return None
    if reply is None or reply.get("ok") is not True:
        return None
    out, err, code = reply.get("out"), reply.get("err"), reply.get("code")
    if not isinstance(out, bytes) or not isinstance(err, bytes) or not isinstance(code, int):
        return None
    try:
        sys.stderr.buffer.write(err)
        sys.stderr.flush()
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    except BrokenPipeError:  # piped into `head` and cut short: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stays open until exit)
        return 0
    return code


def main() -> None:
    """``pubsearch``: through the daemon when it takes the command, else here."""
    code = forward(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from search.cli.main import main as run_here  # click and the commands: only when run here

    run_here()
