"""Query strings as the user meant them: percent-encoded bytes that are not UTF-8.

A form sent from a Latin-1 page, or a URL a script builds with ``%E9`` for ``é``, carries
bytes that are not UTF-8; Starlette would read each as U+FFFD and search for that.
:class:`MeantQuery` wraps the app and reads such a query string the way the command line
reads its arguments (:func:`search.query.syntax.as_meant`: those bytes as Windows-1252), then
hands the app the same parameters in UTF-8. Query strings that are UTF-8 pass unchanged.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from search.query.syntax import as_meant


def utf8_query(raw: bytes) -> bytes:
    """`raw` (a query string) with every value that is not UTF-8 read as meant."""
    pairs = parse_qsl(
        raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="surrogateescape"
    )
    meant = [(as_meant(k), as_meant(v)) for k, v in pairs]
    if meant == pairs:
        return raw
    return urlencode(meant).encode("ascii")


class MeantQuery:
    """The ASGI app `app`, its requests' query strings in UTF-8 (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            scope = {**scope, "query_string": utf8_query(scope["query_string"])}
        await self.app(scope, receive, send)
