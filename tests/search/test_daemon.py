"""``pubsearch daemon``: a warm process answers ``search``, ``show`` and ``similar`` exactly
as the command run by itself would (output, error output, exit code), and sees new commits.

Everything is real: the daemon is a ``pubsearch daemon`` process on a socket in a temp dir,
the clients are ``pubsearch`` processes, the index is the bundled corpus's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer import pipeline
from indexer.model import IndexSettings
from search.cli.main import cli
from search.errors import DaemonError, ExitCode
from search.serve import protocol
from search.serve.daemon import Daemon, code_stamp

Args = list[str | bytes]


def pubsearch(args: Args, daemon: str, cwd: Path | None = None) -> tuple[int, bytes, bytes]:
    """Run ``pubsearch ARGS`` as a process; with `daemon` its PUBSEARCH_DAEMON."""
    env = {**os.environ, protocol.DAEMON_ENV: daemon}
    command = [sys.executable, "-m", "search", *args]
    proc = subprocess.run(command, capture_output=True, env=env, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


class Running:
    """A ``pubsearch daemon`` process and what it logged once stopped."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket
        env = {**os.environ, protocol.DAEMON_ENV: str(socket)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "search", "daemon"], env=env, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while not socket.exists():
            assert self.proc.poll() is None, self.proc.stderr and self.proc.stderr.read()
            assert time.monotonic() < deadline, "the daemon did not start listening"
            time.sleep(0.05)

    def stop(self) -> str:
        """Stop it with `kill` (what Ctrl-C does too; a test run in the background, as CI
        may be, ignores Ctrl-C's signal and so does the daemon it starts); its log."""
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        return err.decode()


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Callable[[], Running]]:
    started: list[Running] = []

    def start() -> Running:
        started.append(Running(tmp_path / "run" / "daemon.sock"))
        return started[-1]

    yield start
    for running in started:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait()


@pytest.mark.slow
def test_answers_exactly_as_the_command_itself(ix: Path, daemon: Callable[[], Running]) -> None:
    running = daemon()
    cases: list[Args] = [
        ["search", "barnen skydd", "--index", str(ix), "--json", "--facets"],
        ["search", "жертвам", "--index", str(ix), "--pages", "2"],
        ["search", "victim referral", "--index", str(ix), "--format", "csv"],
        ["search", b"m\xe4nniskohandel", "--index", str(ix)],  # not UTF-8: Windows-1252
        ["search", "barnen AND (", "--index", str(ix)],  # exit 3
        ["search", "x", "--index", str(ix), "--lang", "xx"],  # exit 3
        ["search", "x", "--index", str(ix / "nothing")],  # exit 4
        ["search", "x", "--index", str(ix), "--limit", "0"],
        ["--verbose", "search", "tiggeri", "--index", str(ix), "--sort", "date"],
        ["show", "regional-coordinator-2017", "--page", "7", "--index", str(ix)],
        ["show", "no-such-publication", "--index", str(ix)],  # exit 9
        ["similar", "regional-coordinator-2017", "--index", str(ix), "--json"],
        ["search", "--help"],
    ]
    codes = set()
    for args in cases:
        here = pubsearch(args, protocol.OFF)
        there = pubsearch(args, str(running.socket))
        assert there == here, args
        codes.add(here[0])
    # and relative to the working folder the client runs in
    args = ["search", "barnen", "--index", ix.name, "--json"]
    relative = pubsearch(args, str(running.socket), cwd=ix.parent)
    assert relative == pubsearch(args, protocol.OFF, cwd=ix.parent) and relative[0] == 0
    log = running.stop()
    # every one of them was answered by the daemon, not run by the client
    served = [line for line in log.splitlines() if line.startswith("daemon: ")]
    assert len(served) == len(cases) + 1, log
    assert {ExitCode.OK, ExitCode.BAD_QUERY, ExitCode.NO_INDEX, ExitCode.NOT_FOUND} <= codes


def test_sees_a_commit_that_lands_while_it_runs(
    tmp_path: Path, make_pdf: Callable[..., Path], daemon: Callable[[], Running]
) -> None:
    docs, index_dir = tmp_path / "pdfs", tmp_path / "index"
    docs.mkdir()
    make_pdf(["Ett dokument om barnens rättigheter."]).rename(docs / "a.pdf")
    pipeline.index(IndexSettings(index_dir=index_dir, paths=(docs,)))
    running = daemon()
    args: Args = ["search", "zebrafinken", "--index", str(index_dir), "--json"]
    before = pubsearch(args, str(running.socket))
    assert before[0] == 0 and b'"total": 0' in before[1]
    make_pdf(["Zebrafinken sjunger om våren."], name="b.pdf").rename(docs / "b.pdf")
    pipeline.index(IndexSettings(index_dir=index_dir, paths=(docs,)))
    after = pubsearch(args, str(running.socket))
    assert after == pubsearch(args, protocol.OFF) and b'"total": 1' in after[1]
    assert running.stop().count("\ndaemon: search exit 0 ") == 2


def test_a_request_it_cannot_run_is_refused_and_it_goes_on(
    ix: Path, tmp_path: Path, daemon: Callable[[], Running]
) -> None:
    running = daemon()
    args: Args = ["search", "barnen", "--index", str(ix), "--json"]
    request = {
        "protocol": protocol.PROTOCOL,
        "package": protocol.package_dir(),
        "argv": [os.fsencode(a) for a in args],
        "cwd": os.fsencode(tmp_path / "no-such-folder"),
        "env": dict(os.environ),
        "tty": (False, False),
        "encoding": "utf-8",
        "errors": "strict",
    }
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(running.socket))
        protocol.send(conn, request)
        reply = protocol.receive(conn)
    assert reply is not None and reply["ok"] is False
    assert str(reply["why"]).startswith("FileNotFoundError")  # so the client runs it itself
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:  # another install
        conn.connect(str(running.socket))
        protocol.send(conn, {**request, "package": "/elsewhere/search"})
        assert protocol.receive(conn) == {"ok": False, "why": "another pubsearch"}
    answered = pubsearch(args, str(running.socket))
    assert answered == pubsearch(args, protocol.OFF) and answered[0] == 0
    log = running.stop()
    assert "daemon: not answered (FileNotFoundError" in log
    assert "\ndaemon: search exit 0 " in log


def test_without_a_daemon_the_command_runs_itself(ix: Path, tmp_path: Path) -> None:
    args: Args = ["search", "barnen skydd", "--index", str(ix), "--json"]
    absent = pubsearch(args, str(tmp_path / "nobody-listens.sock"))
    assert absent == pubsearch(args, protocol.OFF) and absent[0] == 0


def test_a_second_daemon_on_the_same_socket_is_refused(daemon: Callable[[], Running]) -> None:
    running = daemon()
    code, out, err = pubsearch(["daemon", "--socket", str(running.socket)], protocol.OFF)
    assert code == ExitCode.DAEMON and out == b""
    assert err == f"pubsearch: a daemon is already listening on {running.socket}\n".encode()
    assert "stopped after 0 requests" in running.stop()
    assert not running.socket.exists()


def test_stops_answering_when_its_code_changes(tmp_path: Path) -> None:
    served = Daemon(tmp_path / "daemon.sock", sys.stderr, cli)
    try:
        served.stamp, served.started_ns = code_stamp(), time.time_ns()
        assert served.same_code()
        path = next(iter(served.stamp))
        served.stamp[path] -= 1  # as if the file had been rewritten since it loaded
        assert not served.same_code()
    finally:
        served.close()
    with pytest.raises(DaemonError, match="cannot create"):
        Daemon(Path("/proc/no-such-folder/daemon.sock"), sys.stderr, cli)
