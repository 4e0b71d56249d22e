"""Errors of the search side, and the exit codes of every ``pubsearch`` command.

Hierarchy::

    SearchError
    └── QuerySyntaxError (+ ValueError)     the query text cannot be parsed
        └── UnknownFieldError               ``field:value`` names a field we don't have
    BadOptionError (SearchError, ValueError) an option value such as --year is malformed
    PageImageError                           the page picture cannot be made
    ├── RenderLimitError                     the page took too long or too much memory
    └── RenderBusyError                      the render worker stayed busy

Index errors (no index, wrong schema version) come from :mod:`indexer.errors`; the CLI's
single handler maps every one of these to an :class:`ExitCode`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ``pubsearch``; documented in the README."""

    OK = 0  # success (also: a search with no hits)
    ERROR = 1  # unexpected error (a bug: run again with --verbose and report it)
    USAGE = 2  # bad command line (click's own usage errors)
    BAD_QUERY = 3  # query syntax error or unknown field; bad option value
    NO_INDEX = 4  # no index at the location, or one of another schema version
    FILES_FAILED = 5  # indexing finished but some files failed (the rest is indexed)
    CATALOG = 6  # the catalog file is missing or malformed
    INDEX_LOCKED = 7  # another `pubsearch index` is updating the index


class SearchError(Exception):
    """Base class of errors raised by the search package."""


class QuerySyntaxError(SearchError, ValueError):
    """The query text cannot be parsed; the message names the problem and where."""


class UnknownFieldError(QuerySyntaxError):
    """A ``field:value`` term names a field the index doesn't have."""


class BadOptionError(SearchError, ValueError):
    """An option value (such as ``--year``) is malformed."""


class PageImageError(SearchError):
    """The page picture cannot be made: the PDF is gone, unreadable, or the page failed."""


class RenderLimitError(PageImageError):
    """Rendering the page went over the time or memory limit (the page is not shown)."""


class RenderBusyError(PageImageError):
    """Every render worker stayed busy for longer than a request may wait."""
