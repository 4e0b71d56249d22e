"""The page picture on the web: ``/picture/{id}/{n}``, ``/api/marks/{id}/{n}`` and what
the page view shows of it (:class:`PictureView`), over
:class:`search.pictures.page_image.PagePictures`.

How errors become HTTP statuses is here too (:data:`STATUS`), shared with
:mod:`search.serve.web.app`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from indexer.errors import IndexNotFoundError, SchemaVersionError
from search.errors import (
    BadOptionError,
    NotFoundError,
    PageImageError,
    RenderBusyError,
    SearchError,
)
from search.pictures.page_image import DEFAULT_WIDTH, WIDTHS, PagePictures
from search.reader import IndexReader

#: The library errors a route answers with an error page rather than a server error.
ERRORS = (SearchError, IndexNotFoundError, SchemaVersionError)
#: HTTP status by error class (the nearest class of the error's own wins); anything else
#: of :data:`ERRORS` is a bad parameter or query: 400.
STATUS: dict[type[Exception], int] = {
    NotFoundError: 404,
    IndexNotFoundError: 503,
    SchemaVersionError: 503,
    RenderBusyError: 503,
    PageImageError: 422,  # over the render limits, or the page cannot be drawn
}
#: No inline script or style may run, whatever a PDF contains (defence in depth: the
#: escaping is what keeps PDF text inert).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def status_for(exc: Exception) -> int:
    """404 for unknown ids, 503 without a usable index or while busy, 422 for a page
    picture that cannot be made, 400 for bad parameters or queries."""
    return next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 400)


def message_for(exc: Exception) -> str:
    if isinstance(exc, IndexNotFoundError):
        return "no search index yet: run `pubsearch index` first"
    return str(exc)


def json_error(exc: Exception) -> JSONResponse:
    status = status_for(exc)
    return JSONResponse({"error": message_for(exc), "status": status}, status)


def whole(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadOptionError(f"{name}: expected a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def path_int(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise BadOptionError(f"page: expected a page number from 1, not {raw!r}")
    return int(raw)


def quoted(pub_id: str) -> str:
    return quote(pub_id, safe="")


@dataclass(frozen=True, slots=True, kw_only=True)
class PictureView:
    """The page picture in the page view: `src`/`srcset` of the image, the page size in
    points (0 when it cannot be shown, with `failure` saying why), the marked boxes in
    points and the words they show, and the numbers of the publication's pages with matches."""

    src: str
    srcset: str
    width: float
    height: float
    boxes: tuple[tuple[float, ...], ...]
    words: tuple[str, ...]
    hit_pages: tuple[int, ...]
    failure: str = ""

    def hit_before(self, page: int) -> int | None:
        return max((p for p in self.hit_pages if p < page), default=None)

    def hit_after(self, page: int) -> int | None:
        return min((p for p in self.hit_pages if p > page), default=None)


def picture_view(
    pictures: PagePictures, reader: IndexReader, pub_id: str, number: int, query: str
) -> PictureView:
    """What the page view shows of the picture: its sources, the marks, the hit pages."""
    base = f"/picture/{quoted(pub_id)}/{number}"
    try:
        pictures.source = reader  # one long-lived reader for all
        marks, hits = pictures.view(pub_id, number, query or None)
    except NotFoundError as exc:  # the PDF went away since the text view was read
        return _no_picture(base, (), str(exc))
    if isinstance(marks, PageImageError):
        return _no_picture(base, hits, str(marks))
    return PictureView(
        src=f"{base}?w={DEFAULT_WIDTH}",
        srcset=", ".join(f"{base}?w={w} {w}w" for w in WIDTHS),
        width=marks.width,
        height=marks.height,
        boxes=tuple(tuple(b) for b in marks.points()),
        words=marks.words,
        hit_pages=hits,
    )


def _no_picture(src: str, hits: tuple[int, ...], failure: str) -> PictureView:
    """The page view's picture part when the picture cannot be shown, and why."""
    return PictureView(
        src=src,
        srcset="",
        width=0,
        height=0,
        boxes=(),
        words=(),
        hit_pages=hits,
        failure=failure,
    )


def picture(pictures: PagePictures, reader: IndexReader, request: Request) -> Response:
    """``/picture/{id}/{n}?w=``: the page as PNG, or a placeholder saying why not."""
    try:
        pub_id = str(request.path_params["pub_id"])
        number = path_int(str(request.path_params["number"]))
        width = whole(request.query_params, "w", DEFAULT_WIDTH, 1, max(WIDTHS))
        if width not in WIDTHS:
            raise BadOptionError(f"w: expected one of {', '.join(map(str, WIDTHS))}")
        pictures.source = reader  # one long-lived reader for all
        target = pictures.target(pub_id, number)
        path = pictures.picture(target, width)
    except ERRORS as exc:
        retry = {"Retry-After": "5"} if isinstance(exc, RenderBusyError) else {}
        return placeholder(status_for(exc), message_for(exc), retry)
    etag = f'"{target.sha256[:20]}-{number}-{width}"'
    headers = {
        "Cache-Control": "private, max-age=86400",
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="image/png", headers=headers)


def api_marks(
    pictures: PagePictures, reader: IndexReader, request: Request, query: str
) -> Response:
    """``/api/marks/{id}/{n}?q=``: the page size and the boxes of the matched words."""
    try:
        pub_id = str(request.path_params["pub_id"])
        number = path_int(str(request.path_params["number"]))
        pictures.source = reader  # one long-lived reader for all
        marks = pictures.marks(pub_id, number, query or None)
    except ERRORS as exc:
        return json_error(exc)
    return JSONResponse(marks.json(), headers={"X-Content-Type-Options": "nosniff"})


_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" viewBox="0 0 600 400">'
    '<rect width="600" height="400" fill="#f1f3f4" stroke="#9aa0a6"/>'
    '<text x="300" y="190" font-family="sans-serif" font-size="20" text-anchor="middle">'
    "{title}</text>"
    '<text x="300" y="225" font-family="sans-serif" font-size="13" text-anchor="middle" '
    'fill="#5f6368">{detail}</text></svg>'
)


def placeholder(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A picture saying why there is no picture, with the error's status."""
    title = {404: "No such page", 503: "Busy: try again"}.get(status, "Page not shown")
    body = _PLACEHOLDER.format(title=html.escape(title), detail=html.escape(message[:90]))
    return Response(
        body,
        status,
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store", **SECURITY_HEADERS, **(headers or {})},
    )
