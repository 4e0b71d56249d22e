"""The read side's front door: every question the CLI, the web app and the daemon ask.

The twin of :func:`indexer.pipeline.index`. Each function takes an open reader (an index
folder, a :class:`~search.reader.IndexReader` or one :class:`~search.reader.View`: see
:mod:`search.reader`) and a request record, and returns a record that
:mod:`search.render` turns into text, JSON, CSV or HTML::

    request text ──> search.query (syntax, request, expansions, compile, suggest)
                 ──> search.results (planner: tiers and corrections; hits: ranking and
                     grouping; snippets; pages; similar; export; stats)
                 ──> search.pictures (the page picture and its marks, in a render process)

Nothing here parses options or prints: the edges do that.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from search.query import compile as qb
from search.query import syntax as q
from search.query.request import SearchRequest
from search.reader import IndexReader, Readable, view_of
from search.results import answer, hits
from search.results import pages as page_lookup
from search.results.export import Export, export_pages
from search.results.hits import PublicationHit, SearchResults
from search.results.pages import PageView

# What only some commands need is imported by them (start-up weight: every `pubsearch
# search` imports this module): pictures, similar, stats, saved queries, screening.
if TYPE_CHECKING:
    from search import saved
    from search.pictures.page_image import PageMarks, PagePictures
    from search.query.name_list import Skipped
    from search.results.screening import NameResult
    from search.results.stats import IndexStats

__all__ = [
    "Export",
    "PageRequest",
    "PageView",
    "PublicationHit",
    "ScreenRequest",
    "SearchRequest",
    "SearchResults",
    "SimilarRequest",
    "browse",
    "explain",
    "export",
    "marks",
    "page_url",
    "pdf_file",
    "picture",
    "pictures",
    "remove_saved",
    "run_saved",
    "save_query",
    "saved_queries",
    "screen",
    "search",
    "show",
    "similar",
    "stats",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    """One page of one publication: `pub_id`, the 1-based `page`, and the `query` whose
    matches are marked on it (None: none)."""

    pub_id: str
    page: int = 1
    query: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SimilarRequest:
    """Publications most like `ref` (``ID`` or ``ID#PAGE``): `limit` publications, `pages`
    pages shown of each."""

    ref: str
    limit: int = 10
    pages: int = 3


def _filters(reader: Readable, request: SearchRequest) -> q.Filters:
    """The request's filters; ``--new`` reads the index's last run from its folder."""
    if not request.only_new:
        return request.filters()
    folder = reader.index_dir if isinstance(reader, IndexReader) else reader
    if not isinstance(folder, Path):
        raise TypeError("a request for only the newest pages needs the index folder")
    return request.filters(run=page_lookup.last_run_id(folder))


def search(reader: Readable, request: SearchRequest) -> SearchResults:
    """The publications and pages that answer `request.text`, grouped by publication, as
    :func:`search.results.answer.search` ranks them (tiers, correction, facets)."""
    view = view_of(reader)
    options = qb.Options(analysis=view.analysis, fuzzy=request.fuzzy)
    return answer.search(
        view,
        request.text,
        _filters(reader, request),
        limit=request.limit,
        pages=request.pages,
        options=options,
        sort=request.sort,
        offset=request.offset,
        exact=request.exact,
    )


def browse(reader: Readable, request: SearchRequest) -> SearchResults:
    """Every publication the request's filters allow (no query text), newest first."""
    return hits.browse(
        reader, _filters(reader, request), limit=request.limit, offset=request.offset
    )


def explain(reader: Readable, request: SearchRequest) -> Iterator[str]:
    """How `request.text` is searched: the parsed query and what each word expands to."""
    return qb.explain(q.parse(request.text), analysis=view_of(reader).analysis)


def export(reader: Readable, request: SearchRequest) -> Export:
    """Every page that answers the request, for a citation list (CSV / JSON lines)."""
    filters = _filters(reader, request)
    return export_pages(reader, request.text, filters, sort=request.sort, exact=request.exact)


def show(reader: Readable, request: PageRequest) -> PageView:
    """The whole text of one page, with the matches of `request.query` marked."""
    return page_lookup.show_page(reader, request.pub_id, request.page, query=request.query)


def similar(reader: Readable, request: SimilarRequest) -> SearchResults:
    """Publications and pages most like a publication or one page of it."""
    from search.results.similar import similar as similar_pages  # start-up weight

    return similar_pages(reader, request.ref, limit=request.limit, pages=request.pages)


def stats(index_dir: Path) -> IndexStats:
    """What the index holds: publications, pages, languages, problems."""
    from search.results.stats import index_stats  # start-up weight

    return index_stats(index_dir)


def pdf_file(reader: Readable, pub_id: str) -> Path:
    """The PDF file of a publication, checked to exist."""
    return page_lookup.pdf_file(reader, pub_id)


def page_url(index_dir: Path, request: PageRequest) -> str:
    """A ``file://`` URL that opens the publication's PDF at the page."""
    return page_lookup.page_url(index_dir, request.pub_id, request.page)


def pictures(index_dir: Path, *, workers: int | None = None) -> PagePictures:
    """A renderer of page pictures for the index (close it when done: it owns processes)."""
    from search.pictures.page_image import PagePictures  # start-up weight: only to draw

    return PagePictures(index_dir) if workers is None else PagePictures(index_dir, workers=workers)


def picture(drawer: PagePictures, request: PageRequest, target: Path, width: int) -> PageMarks:
    """Write the page's picture with every matched word boxed to `target`."""
    return drawer.write_marked(request.pub_id, request.page, request.query, target, width)


def marks(drawer: PagePictures, request: PageRequest) -> PageMarks:
    """The page's size and a box (PDF points) around every word of `request.query`."""
    return drawer.marks(request.pub_id, request.page, request.query)


def run_saved(index_dir: Path, names: Sequence[str] | None = None) -> list[saved.SavedRun]:
    """Re-run saved queries (all, or `names`), marking hits their last run did not have."""
    from search import saved  # start-up weight

    return saved.run_saved(index_dir, list(names) if names is not None else None)


def save_query(index_dir: Path, name: str, query: str, *, exact: bool = False) -> None:
    """Save `query` under `name` (it re-runs as saved, never replaced by a correction)."""
    from search import saved  # start-up weight

    saved.add(index_dir, name, query, exact=exact)


def saved_queries(index_dir: Path) -> dict[str, str]:
    """The saved queries: name -> query text."""
    from search import saved  # start-up weight

    return saved.saved(index_dir)


def remove_saved(index_dir: Path, name: str) -> None:
    """Forget the saved query `name`."""
    from search import saved  # start-up weight

    saved.remove(index_dir, name)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenRequest:
    """A list of names to screen: the file at `source`, or `data` (a pasted list, named
    `source`); at most `max_pages` pages per name; `watch`: the watchlist whose earlier runs'
    pages are left out (and which remembers this run's); `languages`: page languages;
    `snippets`: each hit with its snippet (the terminal table needs none)."""

    source: Path | str
    data: bytes | None = None
    max_pages: int = 50  # search.results.screening.DEFAULT_MAX_PAGES
    watch: str | None = None
    languages: tuple[str, ...] = ()
    snippets: bool = True


def screen(reader: Readable, request: ScreenRequest) -> Iterator[NameResult | Skipped]:
    """Every page where each listed name, or a variant, appears, one name at a time
    (:mod:`search.results.screening`); with a watchlist, only pages its runs did not
    report, remembered when the whole list is done."""
    from search import saved  # start-up weight: only `screen` loads the screening
    from search.query.name_list import read_names
    from search.results.screening import NameResult, hit_key, screen_names

    folder = reader.index_dir if isinstance(reader, IndexReader) else reader
    watch_dir = folder if isinstance(folder, Path) and request.watch else None
    known = saved.watch_known(watch_dir, request.watch) if watch_dir and request.watch else {}
    filters = q.Filters(languages=request.languages)
    names = read_names(request.source, request.data)
    reported: dict[str, list[str]] = {}
    for item in screen_names(
        reader,
        names,
        max_pages=request.max_pages,
        filters=filters,
        known=known,
        snippets=request.snippets,
    ):
        if isinstance(item, NameResult) and item.hits:
            keys = reported.setdefault(item.listed.name, [])
            keys += [hit_key(item.listed, hit) for hit in item.hits]
        yield item
    if watch_dir is not None and request.watch:
        saved.watch_update(watch_dir, request.watch, reported)
