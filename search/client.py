"""The ``pubsearch`` entry point: a read-only command goes to a running daemon, if any.

A ``pubsearch`` process spends most of its life starting: the interpreter, click, the
records and the query parser, opening the index (about 100 ms for the interpreter and
click alone on a small machine), for a search that then takes 10 ms. ``pubsearch daemon``
(:mod:`search.daemon`) keeps a warm process with its indexes open; when one is listening
on this user's socket, ``pubsearch search``, ``show`` and ``similar`` hand it their
arguments, working folder and environment, and print what it answers: the output, the
error output and the exit code of the same click command, run there. With no daemon (or
``PUBSEARCH_DAEMON=off``) the command runs here, as it always did.

This module is the console script's target, so it imports only the standard library's
``os``, ``sys``, ``socket`` and ``marshal`` (a test checks it); :mod:`search.cli` and
click load only when the command runs here.

The exchange, over a Unix socket only this user can open: one request and one reply, each
a :mod:`marshal`-ed dict preceded by its length (8 bytes, big-endian). Request: ``protocol``,
``package`` (this install's folder), ``argv`` and ``cwd`` (bytes, as the OS gave them),
``env``, ``tty`` (whether stdout and stderr are terminals), ``encoding`` and ``errors`` of
stdout. Reply: ``ok``; then ``code``, ``out`` and ``err`` (bytes), else ``why``.
"""

from __future__ import annotations

import marshal
import os
import socket
import sys

#: Where the daemon listens: this variable's value (a socket path, or ``off`` to never
#: use one), else ``$XDG_RUNTIME_DIR/pubsearch/daemon.sock``, else
#: ``~/.cache/pubsearch/daemon.sock``.
DAEMON_ENV = "PUBSEARCH_DAEMON"
OFF = "off"
#: The commands a daemon answers: those that only read the index and print.
FORWARDED = frozenset({"search", "show", "similar"})
#: Bumped when the request or the reply changes shape.
PROTOCOL = 1
#: Seconds to wait for a daemon to accept (a live one accepts at once).
CONNECT_TIMEOUT = 1.0
_LENGTH = 8


def socket_path(env: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """The daemon's socket for this user, or None when the daemon is turned off."""
    value = env.get(DAEMON_ENV, "")
    if value == OFF:
        return None
    if value:
        return value
    runtime = env.get("XDG_RUNTIME_DIR")
    folder = (
        os.path.join(runtime, "pubsearch")
        if runtime
        else os.path.join(os.path.expanduser("~"), ".cache", "pubsearch")
    )
    return os.path.join(folder, "daemon.sock")


def package_dir() -> str:
    """This install's ``search`` folder: client and daemon must run the same code."""
    return os.path.dirname(os.path.abspath(__file__))


def forwardable(argv: list[str]) -> bool:
    """Whether `argv` (without the program name) runs a command a daemon answers."""
    args = list(argv)
    while args and args[0] == "--verbose":
        del args[0]
    return bool(args) and args[0] in FORWARDED


def send(conn: socket.socket, message: dict[str, object]) -> None:
    data = marshal.dumps(message)
    conn.sendall(len(data).to_bytes(_LENGTH, "big") + data)


def receive(conn: socket.socket) -> dict[str, object] | None:
    """The next message, or None if the other side closed or sent something unreadable."""
    head = _read(conn, _LENGTH)
    if head is None:
        return None
    body = _read(conn, int.from_bytes(head, "big"))
    if body is None:
        return None
    try:
        message = marshal.loads(body)
    except (EOFError, ValueError, TypeError):  # not a marshal dump: as if nobody answered
        return None
    return message if isinstance(message, dict) else None


def _read(conn: socket.socket, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size > 0:
        chunk = conn.recv(min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


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
    from search.cli import main as run_here  # click and the commands: only when run here

    run_here()
