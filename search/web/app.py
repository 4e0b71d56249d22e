"""The publication search page: a read-only Starlette app over one index.

Routes (all GET):

- ``/``: the search form and results (``q``, ``type``, ``lang``, ``year``, ``sort``, ``p``
  for the result page, ``ui`` for the interface language); an empty query lists every
  publication, newest first.
- ``/page/{id}/{n}``: one page's text with the matches of ``q`` highlighted, beside the
  page's picture with a box over every matched word (:mod:`search.pageimage`), links to
  the previous/next page and the previous/next page with matches (keys ``j``/``k``, arrows).
- ``/picture/{id}/{n}``: the page rendered ``w`` pixels wide (PNG, cached; ``422`` with a
  placeholder picture when the page goes over the render limits, ``503`` when busy).
- ``/api/marks/{id}/{n}``: the JSON of ``pubsearch show --json`` for ``q``: the page's
  size and one ``[x0, y0, x1, y1]`` box per matched word, in PDF points.
- ``/pdf/{id}``: the indexed PDF of a publication (by id only; open at a page with
  ``#page=N``).
- ``/api/search``: the JSON of ``pubsearch search --json`` (an empty ``q`` lists).

Every value from a PDF or the catalog reaches the page through Jinja2's autoescaping; the
only markup we add ourselves is ``<mark>`` around matches (:func:`highlighted`). Bad
parameters get a 400 page, unknown ids a 404, a missing index a 503. The whole app is
wrapped in :class:`search.web.guard.Guard` (Host check, access token).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from indexer import schema as s
from indexer.errors import IndexNotFoundError, SchemaVersionError
from search.errors import (
    BadOptionError,
    PageImageError,
    RenderBusyError,
    RenderLimitError,
    SearchError,
)
from search.format import results_json
from search.pageimage import DEFAULT_WIDTH, WIDTHS, PagePictures
from search.pages import NotFoundError, pdf_file, show_page
from search.query import Filters, parse_years
from search.reader import IndexReader, Source, View
from search.searcher import SearchResults, browse, search
from search.web.charset import MeantQuery
from search.web.guard import LOOPBACK_NAMES, Guard
from search.web.i18n import DEFAULT, UI_LANGUAGES, Texts, from_accept_language

HERE = Path(__file__).resolve().parent
PER_PAGE = 10
MAX_LIMIT = 100
MAX_RESULT_PAGE = 1000
MAX_QUERY_CHARS = 1000
PAGES_PER_HIT = 3
_TYPE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_MARK = re.compile(r"<b>(.*?)</b>", re.S)
#: No inline script or style may run, whatever a PDF contains (defence in depth: the
#: escaping is what keeps PDF text inert).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def highlighted(snippet_html: str) -> Markup:
    """Snippet HTML from the index (escaped text with ``<b>`` around matches) made safe:
    everything but the marks is unescaped and escaped again, so that no markup from the
    PDF can survive, and the marks become ``<mark>``."""
    out: list[str] = []
    last = 0
    for m in _MARK.finditer(snippet_html):
        out.append(str(escape(html.unescape(snippet_html[last : m.start()]))))
        out.append(f"<mark>{escape(html.unescape(m.group(1)))}</mark>")
        last = m.end()
    out.append(str(escape(html.unescape(snippet_html[last:]))))
    return Markup("".join(out))


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search parameters of a request, validated.

    q: query text ('' lists all); type, lang: one value or ''; year: ``2016`` or
    ``2015..2017`` or ''; sort: relevance|date; p: 1-based result page; limit: publications
    per result page; ui: the interface language when asked for in the URL, else '';
    exact: the query as typed (``exact=1``: no correction, only pages with every word).
    """

    q: str = ""
    type: str = ""
    lang: str = ""
    year: str = ""
    sort: str = "relevance"
    p: int = 1
    limit: int = PER_PAGE
    ui: str = ""
    exact: bool = False

    @property
    def filters(self) -> Filters:
        return Filters(
            languages=(self.lang,) if self.lang else (),
            types=(self.type,) if self.type else (),
            years=parse_years(self.year) if self.year else None,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The URL parameters of this form with `changes`, defaults left out."""
        form = replace(self, **changes)
        defaults = SearchForm()
        out: dict[str, str] = {}
        for f in fields(SearchForm):
            value = getattr(form, f.name)
            if value != getattr(defaults, f.name):
                out[f.name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out

    def url(self, path: str = "/", **changes: Any) -> str:
        params = self.params(**changes)
        return path + ("?" + urlencode(params) if params else "")


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadOptionError(f"{name}: expected a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def parse_form(params: Mapping[str, str], default_limit: int = PER_PAGE) -> SearchForm:
    """Validate the query parameters of a search, or raise :class:`BadOptionError`."""
    text = params.get("q", "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise BadOptionError(f"q: the query is longer than {MAX_QUERY_CHARS} characters")
    type_ = params.get("type", "").strip()
    if type_ and not _TYPE.fullmatch(type_):
        raise BadOptionError(f"type: not a publication type: {type_!r}")
    lang = params.get("lang", "").strip()
    if lang and lang not in s.LANGUAGES:
        known = ", ".join(sorted(s.LANGUAGES))
        raise BadOptionError(f"lang: unknown language code {lang!r} (one of {known})")
    year = params.get("year", "").strip()
    if year:
        parse_years(year)
    sort = params.get("sort", "relevance").strip() or "relevance"
    if sort not in ("relevance", "date"):
        raise BadOptionError(f"sort: expected relevance or date, not {sort!r}")
    ui = params.get("ui", "").strip()
    if ui and ui not in UI_LANGUAGES:
        raise BadOptionError(f"ui: expected one of {', '.join(UI_LANGUAGES)}, not {ui!r}")
    exact = params.get("exact", "").strip()
    if exact not in ("", "0", "1"):
        raise BadOptionError(f"exact: expected 1 or 0, not {exact!r}")
    return SearchForm(
        q=text,
        type=type_,
        lang=lang,
        year=year,
        sort=sort,
        p=_int(params, "p", 1, 1, MAX_RESULT_PAGE),
        limit=_int(params, "limit", default_limit, 1, MAX_LIMIT),
        ui=ui,
        exact=exact == "1",
    )


def run_search(index_dir: Source, form: SearchForm, pages: int = PAGES_PER_HIT) -> SearchResults:
    """The results for a form: a search, or the listing of all publications when `q` is
    empty (the catalog page's default)."""
    offset = (form.p - 1) * form.limit
    if not form.q:
        return browse(index_dir, form.filters, limit=form.limit, offset=offset)
    return search(
        index_dir,
        form.q,
        form.filters,
        limit=form.limit,
        pages=pages,
        sort=form.sort,
        offset=offset,
        exact=form.exact,
    )


class WebApp:
    """The routes over one index folder; :func:`create_app` wraps it in Starlette."""

    def __init__(self, index_dir: Path, pictures: PagePictures | None = None) -> None:
        self.index_dir = index_dir
        self.pictures = pictures or PagePictures(index_dir)
        self._reader: IndexReader | None = None
        self._types: tuple[int, dict[str, int]] = (-1, {})
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["highlighted"] = highlighted

    # ------------------------------------------------------------ helpers

    def types(self, view: View) -> dict[str, int]:
        """Publications per type in the whole index (the dropdown), counted once per commit
        the reader sees rather than on every request."""
        generation, types = self._types
        if generation != view.generation:
            types = browse(view, limit=0).facets.get("type", {})
            self._types = (view.generation, types)
        return types

    @property
    def reader(self) -> IndexReader:
        """The server's one index reader, opened by the first request that finds an index
        and reloaded by :meth:`IndexReader.view` whenever a commit lands."""
        if self._reader is None:
            self._reader = IndexReader(self.index_dir)
        return self._reader

    def texts(self, request: Request) -> Texts:
        ui = request.query_params.get("ui", "")
        if ui not in UI_LANGUAGES:
            ui = from_accept_language(request.headers.get("accept-language")) or DEFAULT
        return Texts(ui)

    def render(
        self, request: Request, name: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        form = context.get("form", SearchForm())
        results = context.get("results")
        if isinstance(results, SearchResults) and results.corrected_from is not None:
            form = replace(form, q=results.query)  # page links highlight what was found
        body = self.env.get_template(name).render(
            request_path=request.url.path, page_url=_page_link(form), **context
        )
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)

    def error(self, request: Request, status: int, message: str, form: SearchForm) -> Response:
        t = self.texts(request)
        return self.render(
            request,
            "error.html",
            status,
            t=t,
            form=form,
            code=status,
            heading=t[f"error_{status}"],
            message=message,
        )

    def failure(self, request: Request, exc: Exception, form: SearchForm) -> Response:
        """The response for an error raised by the library."""
        return self.error(request, status_for(exc), message_for(exc), form)

    # ------------------------------------------------------------ routes

    def home(self, request: Request) -> Response:
        ui = request.query_params.get("ui", "")
        form = SearchForm(ui=ui if ui in UI_LANGUAGES else "")  # for an error page
        try:
            form = parse_form(request.query_params)
            view = self.reader.view()  # one commit for the results and the type list
            results = run_search(view, form)
            unfiltered = not (form.q or form.type or form.lang or form.year)
            # the dropdown lists every type: the listing's own facets when nothing filters it
            types = results.facets.get("type", {}) if unfiltered else self.types(view)
        except (SearchError, IndexNotFoundError, SchemaVersionError) as exc:
            return self.failure(request, exc, form)
        t = self.texts(request)
        result_pages = max(1, math.ceil(results.total / form.limit))
        return self.render(
            request,
            "index.html",
            t=t,
            form=form,
            results=results,
            types=types,
            result_pages=result_pages,
        )

    def page(self, request: Request) -> Response:
        form = SearchForm()
        try:
            form = parse_form(request.query_params)
            pub_id = str(request.path_params["pub_id"])
            number = _path_int(str(request.path_params["number"]))
            view = show_page(self.reader, pub_id, number, query=form.q or None)
        except (SearchError, IndexNotFoundError, SchemaVersionError) as exc:
            return self.failure(request, exc, form)
        picture = self.picture_view(view.id, view.page, form.q)
        return self.render(
            request,
            "page.html",
            t=self.texts(request),
            form=form,
            view=view,
            picture=picture,
            autofocus=False,  # j/k and the arrows are for the pages, not the search field
        )

    def picture_view(self, pub_id: str, number: int, query: str) -> PictureView:
        """What the page view shows of the picture: its sources, the marks, the hit pages."""
        base = f"/picture/{_quote(pub_id)}/{number}"
        try:
            self.pictures.source = self.reader  # one long-lived reader for all
            marks, hits = self.pictures.view(pub_id, number, query or None)
        except NotFoundError as exc:  # the PDF went away since the text view was read
            return PictureView(base, "", 0, 0, (), (), (), str(exc))
        if isinstance(marks, PageImageError):
            return PictureView(base, "", 0, 0, (), (), hits, str(marks))
        srcset = ", ".join(f"{base}?w={w} {w}w" for w in WIDTHS)
        return PictureView(
            f"{base}?w={DEFAULT_WIDTH}",
            srcset,
            marks.width,
            marks.height,
            tuple(tuple(b) for b in marks.points()),
            marks.words,
            hits,
        )

    def picture(self, request: Request) -> Response:
        try:
            pub_id = str(request.path_params["pub_id"])
            number = _path_int(str(request.path_params["number"]))
            width = _int(request.query_params, "w", DEFAULT_WIDTH, 1, max(WIDTHS))
            if width not in WIDTHS:
                raise BadOptionError(f"w: expected one of {', '.join(map(str, WIDTHS))}")
            self.pictures.source = self.reader  # one long-lived reader for all
            target = self.pictures.target(pub_id, number)
            path = self.pictures.picture(target, width)
        except RenderBusyError as exc:
            return _placeholder(503, str(exc), {"Retry-After": "5"})
        except RenderLimitError as exc:
            return _placeholder(422, str(exc))
        except PageImageError as exc:
            return _placeholder(422, str(exc))
        except NotFoundError as exc:
            return _placeholder(404, str(exc))
        except (SearchError, IndexNotFoundError, SchemaVersionError) as exc:
            return _placeholder(status_for(exc), message_for(exc))
        etag = f'"{target.sha256[:20]}-{number}-{width}"'
        headers = {
            "Cache-Control": "private, max-age=86400",
            "ETag": etag,
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return FileResponse(path, media_type="image/png", headers=headers)

    def api_marks(self, request: Request) -> Response:
        try:
            form = parse_form(request.query_params)
            pub_id = str(request.path_params["pub_id"])
            number = _path_int(str(request.path_params["number"]))
            self.pictures.source = self.reader  # one long-lived reader for all
            marks = self.pictures.marks(pub_id, number, form.q or None)
        except RenderBusyError as exc:
            return JSONResponse({"error": str(exc), "status": 503}, 503)
        except PageImageError as exc:
            return JSONResponse({"error": str(exc), "status": 422}, 422)
        except (SearchError, IndexNotFoundError, SchemaVersionError) as exc:
            status = status_for(exc)
            return JSONResponse({"error": message_for(exc), "status": status}, status)
        return JSONResponse(marks.json(), headers={"X-Content-Type-Options": "nosniff"})

    def pdf(self, request: Request) -> Response:
        pub_id = str(request.path_params["pub_id"])
        try:
            path = pdf_file(self.reader, pub_id)
        except NotFoundError:
            return self.error(request, 404, f"no indexed PDF for {pub_id!r}", SearchForm())
        except (SearchError, IndexNotFoundError, SchemaVersionError) as exc:
            return self.failure(request, exc, SearchForm())
        return FileResponse(
            path,
            media_type="application/pdf",
            filename=f"{pub_id}.pdf",
            content_disposition_type="inline",
            headers={"X-Content-Type-Options": "nosniff"},
        )

    def api_search(self, request: Request) -> Response:
        try:
            form = parse_form(request.query_params)
            results = run_search(self.reader, form)
        except (SearchError, IndexNotFoundError, SchemaVersionError) as exc:
            status = status_for(exc)
            return JSONResponse({"error": message_for(exc), "status": status}, status)
        return JSONResponse(results_json(results), headers={"X-Content-Type-Options": "nosniff"})

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 404, f"no such page: {request.url.path}", SearchForm())


@dataclass(frozen=True, slots=True)
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


_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" viewBox="0 0 600 400">'
    '<rect width="600" height="400" fill="#f1f3f4" stroke="#9aa0a6"/>'
    '<text x="300" y="190" font-family="sans-serif" font-size="20" text-anchor="middle">'
    "{title}</text>"
    '<text x="300" y="225" font-family="sans-serif" font-size="13" text-anchor="middle" '
    'fill="#5f6368">{detail}</text></svg>'
)


def _placeholder(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A picture saying why there is no picture, with the error's status."""
    title = {404: "No such page", 503: "Busy: try again"}.get(status, "Page not shown")
    body = _PLACEHOLDER.format(title=html.escape(title), detail=html.escape(message[:90]))
    return Response(
        body,
        status,
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store", **SECURITY_HEADERS, **(headers or {})},
    )


def _path_int(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise BadOptionError(f"page: expected a page number from 1, not {raw!r}")
    return int(raw)


def _page_link(form: SearchForm) -> Callable[[str, int], str]:
    def link(pub_id: str, number: int) -> str:
        params = {k: v for k, v in form.params().items() if k in ("q", "ui")}
        return f"/page/{_quote(pub_id)}/{number}" + ("?" + urlencode(params) if params else "")

    return link


def _quote(pub_id: str) -> str:
    return quote(pub_id, safe="")


def status_for(exc: Exception) -> int:
    """400 for bad parameters or queries, 404 for unknown ids, 503 without a usable index."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, (IndexNotFoundError, SchemaVersionError)):
        return 503
    return 400


def message_for(exc: Exception) -> str:
    if isinstance(exc, IndexNotFoundError):
        return "no search index yet: run `pubsearch index` first"
    return str(exc)


def create_app(
    index_dir: Path,
    hosts: Iterable[str] = LOOPBACK_NAMES,
    token: str | None = None,
    pictures: PagePictures | None = None,
) -> ASGIApp:
    """The web app over the index at `index_dir`: one long-lived reader, reloaded when a
    commit lands, so a batch re-index shows up at the next request; it answers only
    requests whose Host is one of `hosts`, and with a `token` only those that carry it
    (:mod:`search.web.guard`)."""
    app = WebApp(index_dir, pictures)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        app.pictures.close()  # the render processes

    routes = [
        Route("/", app.home, methods=["GET", "HEAD"]),
        Route("/page/{pub_id}/{number}", app.page, methods=["GET", "HEAD"]),
        Route("/picture/{pub_id}/{number}", app.picture, methods=["GET", "HEAD"]),
        Route("/api/marks/{pub_id}/{number}", app.api_marks, methods=["GET", "HEAD"]),
        Route("/pdf/{pub_id}", app.pdf, methods=["GET", "HEAD"]),
        Route("/api/search", app.api_search, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    starlette = Starlette(routes=routes, exception_handlers={404: app.not_found}, lifespan=lifespan)
    return Guard(MeantQuery(starlette), hosts, token)  # query strings as meant
