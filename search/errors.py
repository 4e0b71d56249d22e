"""Errors of the search side.

Hierarchy (each class carries the exit code ``pubsearch`` ends with)::

    PubsearchError (indexer.errors)
    └── SearchError
        ├── QuerySyntaxError (+ ValueError)     BAD_QUERY: the query text cannot be parsed
        │   └── UnknownFieldError               ``field:value`` names a field we don't have
        ├── BadOptionError (+ ValueError)       BAD_QUERY: an option value such as --year
        ├── NotFoundError (+ LookupError)       NOT_FOUND: no such publication or page
        ├── NameListError (+ ValueError)        BAD_LIST: a list to screen cannot be read
        ├── PageImageError                      ERROR: the page picture cannot be made
        │   ├── RenderLimitError                the page took too long or too much memory
        │   └── RenderBusyError                 every render process stayed busy
        └── DaemonError                         DAEMON: ``pubsearch daemon`` cannot listen

Index errors (no index, wrong schema version) come from :mod:`indexer.errors`, where
:class:`ExitCode` is defined (re-exported here); the CLI's single handler reads
``exc.exit_code``.
"""

from __future__ import annotations

from indexer.errors import ExitCode, PubsearchError

__all__ = [
    "BadOptionError",
    "DaemonError",
    "ExitCode",
    "NameListError",
    "NotFoundError",
    "PageImageError",
    "QuerySyntaxError",
    "RenderBusyError",
    "RenderLimitError",
    "SearchError",
    "UnknownFieldError",
]


class SearchError(PubsearchError):
    """Base class of errors raised by the search package."""


class QuerySyntaxError(SearchError, ValueError):
    """The query text cannot be parsed; the message names the problem and where."""

    exit_code = ExitCode.BAD_QUERY


class UnknownFieldError(QuerySyntaxError):
    """A ``field:value`` term names a field the index doesn't have."""


class BadOptionError(SearchError, ValueError):
    """An option value (such as ``--year``) is malformed."""

    exit_code = ExitCode.BAD_QUERY


class PageImageError(SearchError):
    """The page picture cannot be made: the PDF is gone, unreadable, or the page failed."""


class RenderLimitError(PageImageError):
    """Rendering the page went over the time or memory limit (the page is not shown)."""


class RenderBusyError(PageImageError):
    """Every render worker stayed busy for longer than a request may wait."""


class DaemonError(SearchError):
    """``pubsearch daemon`` cannot listen: another daemon already does, or the socket (or
    its folder) cannot be made there."""

    exit_code = ExitCode.DAEMON


class NotFoundError(SearchError, LookupError):
    """No such publication or page in the index."""

    exit_code = ExitCode.NOT_FOUND


class NameListError(SearchError, ValueError):
    """A list of names to screen cannot be read (empty, not UTF-8, no name column)."""

    exit_code = ExitCode.BAD_LIST
