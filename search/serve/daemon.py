"""``pubsearch daemon``: a warm process that answers ``pubsearch search`` for this user.

It listens on a Unix socket (:func:`search.console.socket_path`, in a folder only this
user can enter, and it answers only processes of this user) and runs each request's
command (``search``, ``show`` or ``similar``: :data:`search.console.FORWARDED`) with the
same click group as a ``pubsearch`` process would, in the request's working folder and
environment, its output captured for the reply. One request at a time: the command runs
in this process's own working folder and environment, so they are set for it and put
back after. Each index is opened once and kept (:func:`search.reader.keep_readers`), and
reloaded when a commit lands, as ``pubsearch serve`` does.

The daemon stops, telling the waiting client to run the command itself, when its own
code changes on disk (a new install or an edit), so no answer comes from old code.
"""

from __future__ import annotations

import importlib
import io
import os
import socket
import struct
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from search import reader
from search.errors import DaemonError
from search.serve import protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """What a command printed and how it ended."""

    code: int
    out: bytes
    err: bytes


class _Capture(io.TextIOWrapper):
    """A text stream into memory that says it is a terminal when the client's is."""

    def __init__(self, tty: bool, encoding: str, errors: str) -> None:
        super().__init__(io.BytesIO(), encoding=encoding, errors=errors, write_through=True)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def value(self) -> bytes:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue()


#: The packages whose code the daemon serves (its stamp covers their loaded modules).
PACKAGES = ("search", "indexer")
#: Seconds a client has to send its request once connected (it sends it at once).
REQUEST_TIMEOUT = 10.0
#: What the forwarded commands load, imported when the daemon starts.
WARM = (
    "search.cli.main",
    "search.cli.search_commands",
    "search.render",
    "search.results.pages",
    "search.results.planner",
    "search.query.request",
    "search.results.hits",
)


def code_stamp() -> dict[str, int]:
    """The modification times of pubsearch's loaded modules (this daemon's code)."""
    roots = tuple(str(Path(protocol.package_dir()).parent / name) + os.sep for name in PACKAGES)
    stamp = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.startswith(roots):
            try:
                stamp[path] = os.stat(path).st_mtime_ns
            except OSError:  # gone from disk: never equal to a time, so it counts as changed
                stamp[path] = -1
    return stamp


@contextmanager
def _as_client(cwd: str, env: dict[str, str], out: TextIO, err: TextIO) -> Iterator[None]:
    """Run in the client's folder and environment, printing into `out` and `err`."""
    saved = os.getcwd(), dict(os.environ), sys.stdout, sys.stderr, sys.stdin
    try:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.stdout, sys.stderr = out, err
        sys.stdin = io.TextIOWrapper(io.BytesIO())
        yield
    finally:
        folder, environ, sys.stdout, sys.stderr, sys.stdin = saved
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(folder)


def run_command(
    commands: click.Command,
    argv: list[str],
    *,
    cwd: str,
    env: dict[str, str],
    tty: tuple[bool, bool],
    encoding: str,
    errors: str,
) -> Answer:
    """Run the ``pubsearch`` command line `argv` with `commands` (the ``pubsearch`` click
    group) here, as the client would have."""
    out = _Capture(tty[0], encoding, errors)
    err = _Capture(tty[1], encoding, errors)
    code: int = 0
    with _as_client(cwd, env, out, err):
        try:
            commands.main(args=argv, prog_name="pubsearch")
        except SystemExit as exit_:
            if isinstance(exit_.code, int):
                code = exit_.code
            elif exit_.code is not None:  # sys.exit("message"), as Python prints it
                print(exit_.code, file=sys.stderr)
                code = 1
    return Answer(code=code, out=out.value(), err=err.value())


def _same_user(conn: socket.socket) -> bool:
    """Whether the process at the other end runs as this user (Linux: SO_PEERCRED)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the socket's folder (mode 700) already keeps others out
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


class Daemon:
    """The listening socket and the loop that answers requests one by one.

    path: the socket file; log: where one line per request goes (command, exit code,
    milliseconds; never the query); commands: the ``pubsearch`` click group it runs."""

    def __init__(self, path: Path, log: TextIO, commands: click.Command) -> None:
        self.path = path
        self.commands = commands
        self.log = log
        self.stamp: dict[str, int] = {}
        self.started_ns = time.time_ns()
        self.served = 0
        self.listener = self._listen()

    def _listen(self) -> socket.socket:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise DaemonError(f"cannot create {folder}: {exc.strerror or exc}") from exc
        if self._answering():
            raise DaemonError(f"a daemon is already listening on {self.path}")
        self.path.unlink(missing_ok=True)  # left by a daemon that was killed
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(self.path))
            os.chmod(self.path, 0o600)
            listener.listen(16)
        except OSError as exc:
            listener.close()
            raise DaemonError(f"cannot listen on {self.path}: {exc.strerror or exc}") from exc
        return listener

    def _answering(self) -> bool:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(protocol.CONNECT_TIMEOUT)
            probe.connect(str(self.path))
        except OSError:  # refused or no such socket: nobody listens there
            return False
        finally:
            probe.close()
        return True

    def serve(self) -> str:
        """Answer requests until the code changes; why the daemon stopped."""
        reader.keep_readers()
        for name in WARM:  # before the stamp: the code that answers is the code at start
            importlib.import_module(name)
        self.started_ns = time.time_ns()
        self.stamp = code_stamp()
        os.chdir("/")  # each request runs in its client's folder; between them, in none
        try:
            while True:
                conn, _ = self.listener.accept()
                with conn:
                    if not self.answer(conn):
                        return "pubsearch's code changed on disk: start the daemon again"
        finally:
            self.close()

    def answer(self, conn: socket.socket) -> bool:
        """Answer one request; False when the daemon must stop (its code changed)."""
        if not _same_user(conn):
            return True
        conn.settimeout(REQUEST_TIMEOUT)
        try:
            request = protocol.receive(conn)
        except OSError:  # a client that connected and sent nothing in time
            return True
        conn.settimeout(None)
        if request is None:
            return True
        if request.get("protocol") != protocol.PROTOCOL or request.get("package") != (
            protocol.package_dir()
        ):
            protocol.send(conn, {"ok": False, "why": "another pubsearch"})
            return True
        if not self.same_code():
            protocol.send(conn, {"ok": False, "why": "stale"})
            return False
        started = time.perf_counter()
        try:
            answer = run_command(
                self.commands,
                [os.fsdecode(arg) for arg in _list(request.get("argv"))],
                cwd=os.fsdecode(_bytes(request.get("cwd"))),
                env={str(k): str(v) for k, v in _dict(request.get("env")).items()},
                tty=_pair(request.get("tty")),
                encoding=str(request.get("encoding") or "utf-8"),
                errors=str(request.get("errors") or "strict"),
            )
        except Exception as exc:  # say, the client's folder is gone: it runs the command
            why = f"{type(exc).__name__}: {exc}"
            protocol.send(conn, {"ok": False, "why": why})
            print(f"daemon: not answered ({why})", file=self.log, flush=True)
            return True
        try:
            reply = {"ok": True, "code": answer.code, "out": answer.out, "err": answer.err}
            protocol.send(conn, reply)
        except OSError:  # the client went away (Ctrl-C): nothing to tell it
            pass
        self.served += 1
        ms = (time.perf_counter() - started) * 1000
        command = next((a for a in _list(request.get("argv")) if a != b"--verbose"), b"")
        print(
            f"daemon: {os.fsdecode(command)} exit {answer.code} {ms:.1f} ms",
            file=self.log,
            flush=True,
        )
        return True

    def same_code(self) -> bool:
        """Whether every module of ours loaded here is as it was on disk when it loaded
        (a module first imported by a later command must be older than the daemon)."""
        for path, mtime in code_stamp().items():
            known = self.stamp.setdefault(path, mtime)
            if known != mtime or (known == mtime and mtime > self.started_ns):
                return False
        return True

    def close(self) -> None:
        self.listener.close()
        self.path.unlink(missing_ok=True)


def _list(value: object) -> list[bytes]:
    return [v for v in value if isinstance(v, bytes)] if isinstance(value, list) else []


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else b"/"


def _dict(value: object) -> dict[object, object]:
    return value if isinstance(value, dict) else {}


def _pair(value: object) -> tuple[bool, bool]:
    if isinstance(value, tuple | list) and len(value) == 2:
        return bool(value[0]), bool(value[1])
    return False, False
