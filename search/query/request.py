"""One parser for a search request, shared by the command line and the web page.

``pubsearch search`` passes its options and the web app its URL parameters, both as the
raw strings they arrived as, to :func:`parse_request`; it checks every value and returns a
:class:`SearchRequest`, or raises :class:`~search.errors.BadOptionError` (exit code
``BAD_QUERY``, HTTP 400) with one message that both edges show as it is::

    pubsearch search barn --lang xx     -> pubsearch: --lang: unknown language code 'xx' ...
    /?q=barn&lang=xx                    -> 400, "--lang: unknown language code 'xx' ..."

The messages name the value by its command-line option; the web's parameter of the same
name (``p`` for ``--page``) carries the same value. What only one edge has stays there:
the CLI's output format, the web's interface language and query length cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.index import schema as s
from search.errors import BadOptionError
from search.query import syntax as q

__all__ = ["MAX_LIMIT", "MAX_PAGE", "SORTS", "SearchRequest", "parse_request"]

SORTS = ("relevance", "date")
#: The highest result page and the most publications per result page one may ask for.
MAX_PAGE = 1000
MAX_LIMIT = 10_000
_TYPE = re.compile(r"[a-z][a-z0-9_-]{0,39}")

Years = tuple[int | None, int | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRequest:
    """A checked search request.

    text: the query text (see :mod:`search.query.syntax`); languages: page language codes, types:
    publication types (any of each; empty: all); years: inclusive (low, high), either end
    None for open, or None for every year; only_new: only pages the latest index run wrote;
    sort: ``relevance`` or ``date`` (newest first); page: the 1-based result page of
    `limit` publications each; pages: matching pages shown per publication; exact: the
    query as typed (no correction, only pages with every word); fuzzy: words within 1-2
    typos match too.
    """

    text: str = ""
    languages: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    years: Years | None = None
    only_new: bool = False
    sort: str = "relevance"
    page: int = 1
    limit: int = 10
    pages: int = 3
    exact: bool = False
    fuzzy: bool = False

    @property
    def offset(self) -> int:
        """How many publications of the ranking come before this result page."""
        return (self.page - 1) * self.limit

    def filters(self, run: int | None = None) -> q.Filters:
        """The filters of this request; `run` restricts it to one index run (``--new``)."""
        return q.Filters(languages=self.languages, types=self.types, years=self.years, run=run)


def parse_request(
    *,
    text: str = "",
    languages: Iterable[str] = (),
    types: Iterable[str] = (),
    years: str | None = None,
    sort: str | None = None,
    page: str | int | None = None,
    limit: str | int | None = None,
    pages: int = 3,
    exact: bool = False,
    fuzzy: bool = False,
    only_new: bool = False,
    default_limit: int = 10,
    max_limit: int = MAX_LIMIT,
) -> SearchRequest:
    """Check raw values from either edge and return the request, or raise
    :class:`BadOptionError` naming the first bad one.

    `languages` and `types` are values as given, each possibly a comma-separated list;
    `years` is ``2016``, ``2015..2017``, ``2015..`` or ``..2017``; `page` and `limit` whole
    numbers as strings or ints ('' or None: the default; `limit` at most `max_limit`)."""
    return SearchRequest(
        text=text,
        languages=tuple(_language(v) for v in _values(languages)),
        types=tuple(_type(v) for v in _values(types)),
        years=q.parse_years(years) if years and years.strip() else None,
        only_new=only_new,
        sort=_sort(sort),
        page=_whole("--page", page, default=1, high=MAX_PAGE),
        limit=_whole("--limit", limit, default=default_limit, high=max_limit),
        pages=pages,
        exact=exact,
        fuzzy=fuzzy,
    )


def _values(raw: Iterable[str]) -> list[str]:
    return [v.strip() for x in raw for v in x.split(",") if v.strip()]


def _language(code: str) -> str:
    if code not in s.LANGUAGES:
        known = ", ".join(sorted(s.LANGUAGES))
        raise BadOptionError(f"--lang: unknown language code {code!r} (one of {known})")
    return code


def _type(value: str) -> str:
    if not _TYPE.fullmatch(value):
        raise BadOptionError(
            f"--type: not a publication type: {value!r} (lower-case letters, digits, - and _)"
        )
    return value


def _sort(raw: str | None) -> str:
    sort = (raw or "").strip() or "relevance"
    if sort not in SORTS:
        raise BadOptionError(f"--sort: expected {' or '.join(SORTS)}, not {sort!r}")
    return sort


def _whole(name: str, raw: str | int | None, *, default: int, high: int, low: int = 1) -> int:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise BadOptionError(f"{name}: expected a whole number from {low} to {high}, not {text!r}")
    return int(text)
