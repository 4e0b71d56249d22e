"""The publication search page: a read-only Starlette app over one index.

Routes (all GET):

- ``/``: the search form and results (``q``, ``type``, ``lang``, ``year``, ``sort``, ``p``
  for the result page, ``ui`` for the interface language); an empty query lists every
  publication, newest first.
- ``/page/{id}/{n}``: one page's text with the matches of ``q`` highlighted, beside the
  page's picture with a box over every matched word (:mod:`search.pictures.page_image`), links to
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
parameters get a 400 page, unknown ids a 404, a missing index a 503 (the table
:data:`search.serve.web.picture_routes.STATUS`). The search parameters are checked by
:func:`search.query.request.parse_request`, as the command line's options are; the picture
routes live in :mod:`search.serve.web.picture_routes`. The whole app is wrapped in
:class:`search.serve.web.guard.Guard` (Host check, access token).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from search import api
from search.api import SearchResults
from search.errors import (
    BadOptionError,
    NotFoundError,
)
from search.query.request import SearchRequest, parse_request
from search.query.syntax import Filters
from search.reader import IndexReader, Readable, View
from search.render import results_json
from search.serve.web import picture_routes
from search.serve.web.charset import MeantQuery

if TYPE_CHECKING:
    from search.pictures.page_image import PagePictures

from search.serve.web.filters import highlighted, tagged
from search.serve.web.guard import LOOPBACK_NAMES, Guard
from search.serve.web.i18n import DEFAULT, UI_LANGUAGES, Texts, from_accept_language
from search.serve.web.picture_routes import (
    ERRORS,
    SECURITY_HEADERS,
    json_error,
    message_for,
    path_int,
    quoted,
    status_for,
)
from search.serve.web.screening import screen_pasted

HERE = Path(__file__).resolve().parent
PER_PAGE = 10
MAX_LIMIT = 100
MAX_QUERY_CHARS = 1000
PAGES_PER_HIT = 3


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search parameters of a request as they appear in its URL, checked by
    :func:`search.query.request.parse_request` (the same checks as the command line's).

    q: query text ('' lists all); type, lang: a value, values separated by commas, or '';
    year: ``2016`` or ``2015..2017`` or ''; sort: relevance|date; p: 1-based result page;
    limit: publications per result page; ui: the interface language when asked for in the
    URL, else '';
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
    def request(self) -> SearchRequest:
        """The search this form asks for."""
        return _request(self.params())

    @property
    def filters(self) -> Filters:
        return self.request.filters()

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


def _request(params: Mapping[str, str]) -> SearchRequest:
    """The shared parser over a search's URL parameters (with the web's caps)."""
    return parse_request(
        text=params.get("q", "").strip(),
        languages=[params.get("lang", "")],
        types=[params.get("type", "")],
        years=params.get("year", ""),
        sort=params.get("sort", ""),
        page=params.get("p", ""),
        limit=params.get("limit", ""),
        pages=PAGES_PER_HIT,
        exact=params.get("exact", "").strip() == "1",
        default_limit=PER_PAGE,
        max_limit=MAX_LIMIT,
    )


def parse_form(params: Mapping[str, str]) -> SearchForm:
    """Check the query parameters of a search, or raise :class:`BadOptionError`."""
    text = params.get("q", "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise BadOptionError(f"q: the query is longer than {MAX_QUERY_CHARS} characters")
    ui = params.get("ui", "").strip()
    if ui and ui not in UI_LANGUAGES:
        raise BadOptionError(f"ui: expected one of {', '.join(UI_LANGUAGES)}, not {ui!r}")
    if params.get("exact", "").strip() not in ("", "0", "1"):
        raise BadOptionError(f"exact: expected 1 or 0, not {params['exact'].strip()!r}")
    request = _request(params)
    return SearchForm(
        q=request.text,
        type=params.get("type", "").strip(),
        lang=params.get("lang", "").strip(),
        year=params.get("year", "").strip(),
        sort=request.sort,
        p=request.page,
        limit=request.limit,
        ui=ui,
        exact=request.exact,
    )


def run_search(index_dir: Readable, form: SearchForm) -> SearchResults:
    """The results for a form: a search, or the listing of all publications when `q` is
    empty (the catalog page's default)."""
    request = form.request
    if not request.text:
        return api.browse(index_dir, request)
    return api.search(index_dir, request)


class WebApp:
    """The routes over one index folder; :func:`create_app` wraps it in Starlette."""

    def __init__(self, index_dir: Path, pictures: PagePictures | None = None) -> None:
        self.index_dir = index_dir
        self.pictures = pictures or api.pictures(index_dir)
        self._reader: IndexReader | None = None
        self._types: tuple[int, dict[str, int]] = (-1, {})
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["highlighted"] = highlighted
        self.env.filters["tagged"] = tagged

    # ------------------------------------------------------------ helpers

    def types(self, view: View) -> dict[str, int]:
        """Publications per type in the whole index (the dropdown), counted once per commit
        the reader sees rather than on every request."""
        generation, types = self._types
        if generation != view.generation:
            types = api.browse(view, SearchRequest(limit=0)).facets.get("type", {})
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
        except ERRORS as exc:
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

    def screen(self, request: Request) -> Response:
        """A pasted list of names screened (:mod:`search.serve.web.screening`)."""
        ui = request.query_params.get("ui", "")
        form = SearchForm(ui=ui if ui in UI_LANGUAGES else "")
        names = request.query_params.get("names", "")
        try:
            results = screen_pasted(self.reader, names)
        except ERRORS as exc:
            return self.failure(request, exc, form)
        t = self.texts(request)
        return self.render(request, "screen.html", t=t, form=form, names=names, results=results)

    def page(self, request: Request) -> Response:
        form = SearchForm()
        try:
            form = parse_form(request.query_params)
            pub_id = str(request.path_params["pub_id"])
            number = path_int(str(request.path_params["number"]))
            view = api.show(
                self.reader, api.PageRequest(pub_id=pub_id, page=number, query=form.q or None)
            )
        except ERRORS as exc:
            return self.failure(request, exc, form)
        picture = picture_routes.picture_view(
            self.pictures, self.reader, view.id, view.page, form.q
        )
        return self.render(
            request,
            "page.html",
            t=self.texts(request),
            form=form,
            view=view,
            picture=picture,
            autofocus=False,  # j/k and the arrows are for the pages, not the search field
        )

    def picture(self, request: Request) -> Response:
        return picture_routes.picture(self.pictures, self.reader, request)

    def api_marks(self, request: Request) -> Response:
        try:
            form = parse_form(request.query_params)
        except ERRORS as exc:
            return json_error(exc)
        return picture_routes.api_marks(self.pictures, self.reader, request, form.q)

    def pdf(self, request: Request) -> Response:
        pub_id = str(request.path_params["pub_id"])
        try:
            path = api.pdf_file(self.reader, pub_id)
        except NotFoundError:
            return self.error(request, 404, f"no indexed PDF for {pub_id!r}", SearchForm())
        except ERRORS as exc:
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
        except ERRORS as exc:
            return json_error(exc)
        return JSONResponse(results_json(results), headers={"X-Content-Type-Options": "nosniff"})

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 404, f"no such page: {request.url.path}", SearchForm())


def _page_link(form: SearchForm) -> Callable[[str, int], str]:
    def link(pub_id: str, number: int) -> str:
        params = {k: v for k, v in form.params().items() if k in ("q", "ui")}
        return f"/page/{quoted(pub_id)}/{number}" + ("?" + urlencode(params) if params else "")

    return link


def create_app(
    index_dir: Path,
    hosts: Iterable[str] = LOOPBACK_NAMES,
    token: str | None = None,
    pictures: PagePictures | None = None,
) -> ASGIApp:
    """The web app over the index at `index_dir`: one long-lived reader, reloaded when a
    commit lands, so a batch re-index shows up at the next request; it answers only
    requests whose Host is one of `hosts`, and with a `token` only those that carry it
    (:mod:`search.serve.web.guard`)."""
    app = WebApp(index_dir, pictures)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        app.pictures.close()  # the render processes

    routes = [
        Route("/", app.home, methods=["GET", "HEAD"]),
        Route("/page/{pub_id}/{number}", app.page, methods=["GET", "HEAD"]),
        Route("/screen", app.screen, methods=["GET", "HEAD"]),
        Route("/picture/{pub_id}/{number}", app.picture, methods=["GET", "HEAD"]),
        Route("/api/marks/{pub_id}/{number}", app.api_marks, methods=["GET", "HEAD"]),
        Route("/pdf/{pub_id}", app.pdf, methods=["GET", "HEAD"]),
        Route("/api/search", app.api_search, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    starlette = Starlette(routes=routes, exception_handlers={404: app.not_found}, lifespan=lifespan)
    return Guard(MeantQuery(starlette), hosts, token)  # query strings as meant
