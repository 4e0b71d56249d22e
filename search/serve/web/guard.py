"""Who may read the index through the web server: the Host check and the access token.

:class:`Guard` wraps the whole ASGI app, so every route (pages, pictures, the PDFs, the
JSON API, static files) is behind it:

- **Host check.** A request is answered only if its ``Host`` header names the address the
  server serves: the loopback names (``localhost``, ``127.0.0.1``, ``::1``) and the
  ``--host`` given (for a wildcard such as ``0.0.0.0``, this machine's own names). Anything
  else gets ``400`` and nothing more, so a web page the analyst visits cannot read the
  index through DNS rebinding (``attacker.example`` resolving to 127.0.0.1).
- **Access token** (``--token`` / ``$PUBSEARCH_TOKEN``). Given once in the URL
  (``?token=...``), it is moved into an HttpOnly, SameSite=Strict cookie by a redirect to
  the same URL without it; every request must then carry it, else ``401``.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import socket
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "localhost.localdomain"})
COOKIE = "pubsearch_token"


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_names(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names a server listening on `host` answers to: the loopback names, `host`
    itself, `extra`, and for a wildcard (``0.0.0.0``, ``::``) this machine's names and
    addresses."""
    names = set(LOOPBACK_NAMES) | {host.strip("[]").lower()} | {e.lower() for e in extra}
    if host in ("0.0.0.0", "::", ""):
        hostname = socket.gethostname()
        names |= {hostname.lower(), socket.getfqdn().lower()}
        with contextlib.suppress(OSError):
            names |= {str(info[4][0]).lower() for info in socket.getaddrinfo(hostname, None)}
    return frozenset(n for n in names if n)


def host_name(header: str) -> str:
    """The name in a Host header, without the port (``[::1]:8000`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    if header.count(":") == 1:
        return header.split(":", 1)[0]
    return header


class Guard:
    """ASGI middleware: the Host check and, with a `token`, the access token."""

    def __init__(
        self, app: ASGIApp, hosts: Iterable[str] = LOOPBACK_NAMES, token: str | None = None
    ) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)
        self.token = token or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # none are served
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if host_name(headers.get("host", "")) not in self.hosts:
            await _plain(send, 400, "400 Bad Request: this server does not answer to that Host.\n")
            return
        if self.token is not None:
            params = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
            given = next((v for k, v in params if k == "token"), None)
            if given is not None and hmac.compare_digest(given, self.token):
                rest = urlencode([(k, v) for k, v in params if k != "token"])
                location = scope.get("root_path", "") + scope["path"] + ("?" + rest if rest else "")
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                await _plain(send, 303, "", [("location", location), ("set-cookie", cookie)])
                return
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(headers.get("cookie", ""))
            except Exception:  # a malformed Cookie header is no token
                jar = SimpleCookie()
            held = jar[COOKIE].value if COOKIE in jar else ""
            if not hmac.compare_digest(held, self.token):
                await _plain(
                    send,
                    401,
                    "401 Unauthorized: open the URL with ?token=... that "
                    "`pubsearch serve` printed.\n",
                )
                return
        await self.app(scope, receive, send)


async def _plain(
    send: Send, status: int, body: str, headers: list[tuple[str, str]] | None = None
) -> None:
    data = body.encode()
    raw = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(data)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    ]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers or []]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})
