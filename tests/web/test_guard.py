"""Who may read the index through `pubsearch serve`: the Host check (no DNS rebinding) and
the access token, through the test client and against a real server process."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from search.serve.web import create_app
from search.serve.web.guard import host_name, served_names

REFUSED = "400 Bad Request: this server does not answer to that Host.\n"


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000", "127.0.0.2", ""])
def test_a_foreign_host_gets_400_and_nothing_else(ix: Path, host: str) -> None:
    client = TestClient(create_app(ix), base_url="http://127.0.0.1")
    for path in ("/api/search?q=barn", "/", "/pdf/nrm-sweden-2016", "/static/app.js"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400 and response.text == REFUSED


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000"])
def test_loopback_names_are_served(ix: Path, host: str) -> None:
    client = TestClient(create_app(ix), base_url="http://127.0.0.1")
    response = client.get("/api/search", params={"q": "barn"}, headers={"Host": host})
    assert response.status_code == 200 and response.json()["total"] > 0


def test_host_names_and_the_served_set() -> None:
    assert host_name("[::1]:8000") == "::1" and host_name("Example.ORG:80") == "example.org"
    assert host_name("::1") == "::1"
    names = served_names("192.0.2.7", ["search.internal"])
    assert {"localhost", "127.0.0.1", "::1", "192.0.2.7", "search.internal"} <= names
    assert "attacker.example" not in served_names("0.0.0.0")


def test_the_token_is_taken_from_the_url_once_then_from_the_cookie(ix: Path) -> None:
    client = TestClient(create_app(ix, token="s3cret-token"), base_url="http://127.0.0.1")
    refused = client.get("/api/search", params={"q": "barn"})
    assert refused.status_code == 401 and "token" in refused.text
    assert client.get("/", params={"token": "wrong"}).status_code == 401
    first = client.get("/", params={"q": "barn", "token": "s3cret-token"}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/?q=barn"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # the client now holds the cookie: every route answers without the token in the URL
    assert client.get("/api/search", params={"q": "barn"}).status_code == 200
    assert client.get("/page/manual-misstanke-2016/5").status_code == 200
    stranger = TestClient(create_app(ix, token="s3cret-token"), base_url="http://127.0.0.1")
    stranger.cookies.set("pubsearch_token", "guess")
    assert stranger.get("/").status_code == 401


# ---------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    ix: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], int, str]:
    """`pubsearch serve` on a free port: (process, port, the line it printed first)."""
    port = free_port()
    exe = shutil.which("pubsearch", path=str(Path(sys.executable).parent)) or "pubsearch"
    proc = subprocess.Popen(
        [exe, "serve", "--index", str(ix), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    banner = proc.stdout.readline().decode()  # printed once the index is checked
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port, banner
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"pubsearch serve did not start: {proc.communicate()}")


def stop(proc: subprocess.Popen[bytes]) -> str:
    """Stop the server; what it wrote to stderr."""
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    return err.decode()


def get(port: int, path: str, host: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host)
    conn.endheaders()
    response = conn.getresponse()
    return response.status, response.read()


@pytest.mark.slow
def test_the_running_server_refuses_a_rebound_host(ix: Path) -> None:
    proc, port, banner = start_server(ix)
    try:
        assert banner.startswith("pubsearch: serving ")
        status, body = get(port, "/api/search?q=barn", "attacker.example")
        assert status == 400 and body.decode() == REFUSED
        status, body = get(port, "/api/search?q=barn", f"127.0.0.1:{port}")
        assert status == 200 and b'"total"' in body
    finally:
        assert "warning" not in stop(proc)


@pytest.mark.slow
def test_listening_beyond_loopback_warns_and_a_token_closes_it(ix: Path) -> None:
    proc, port, _ = start_server(ix, "--host", "0.0.0.0")
    try:
        assert get(port, "/api/search?q=barn", f"127.0.0.1:{port}")[0] == 200
        assert get(port, "/api/search?q=barn", "attacker.example")[0] == 400
    finally:
        err = stop(proc)
    assert err.splitlines()[0] == (
        f"pubsearch: warning: listening on 0.0.0.0: anyone who can reach port {port} can "
        "read the index (pass --token or set PUBSEARCH_TOKEN)"
    )
    proc, port, banner = start_server(ix, "--host", "0.0.0.0", env={"PUBSEARCH_TOKEN": "tok-1"})
    try:
        assert banner.rstrip().endswith(f":{port}/?token=tok-1 (Ctrl-C stops)")
        assert get(port, "/api/search?q=barn", f"127.0.0.1:{port}")[0] == 401
        assert get(port, "/api/search?q=barn&token=tok-1", f"127.0.0.1:{port}")[0] == 303
    finally:
        assert "warning" not in stop(proc)
