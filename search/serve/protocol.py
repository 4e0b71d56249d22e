"""What the console client and ``pubsearch daemon`` say to each other.

The exchange, over a Unix socket only this user can open: one request and one reply, each
a :mod:`marshal`-ed dict preceded by its length (8 bytes, big-endian). Request: ``protocol``,
``package`` (this install's folder), ``argv`` and ``cwd`` (bytes, as the OS gave them),
``env``, ``tty`` (whether stdout and stderr are terminals), ``encoding`` and ``errors`` of
stdout. Reply: ``ok``; then ``code``, ``out`` and ``err`` (bytes), else ``why``.

Standard library only (``os``, ``socket``, ``marshal``): the console client imports it on
every start.
"""

from __future__ import annotations

import marshal
import os
import socket

#: Where the daemon listens: this variable's value (a socket path, or ``off`` to never
#: use one), else ``$XDG_RUNTIME_DIR/pubsearch/daemon.sock``, else
#: ``~/.cache/pubsearch/daemon.sock``.
DAEMON_ENV = "PUBSEARCH_DAEMON"
OFF = "off"
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
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
