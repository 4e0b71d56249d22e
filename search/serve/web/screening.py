"""The screening page's list: a pasted list of names screened by :func:`search.api.screen`,
within bounds (a web request must stay small)."""

from __future__ import annotations

from itertools import islice

from search import api
from search.errors import BadOptionError
from search.query.name_list import Skipped
from search.reader import Readable
from search.results.screening import NameResult

__all__ = ["MAX_SCREEN_CHARS", "MAX_SCREEN_NAMES", "MAX_SCREEN_PAGES", "screen_pasted"]

#: A list pasted on the screening page: at most this long, these many names, pages each.
MAX_SCREEN_CHARS = 20_000
MAX_SCREEN_NAMES = 200
MAX_SCREEN_PAGES = 20


def screen_pasted(reader: Readable, names: str) -> list[NameResult | Skipped]:
    """The results of a pasted list (none for an empty one): at most
    :data:`MAX_SCREEN_NAMES` names, :data:`MAX_SCREEN_PAGES` pages each."""
    if len(names) > MAX_SCREEN_CHARS:
        raise BadOptionError(f"names: the list is longer than {MAX_SCREEN_CHARS} characters")
    if not names.strip():
        return []
    request = api.ScreenRequest(
        source="the pasted list", data=names.encode(), max_pages=MAX_SCREEN_PAGES
    )
    return list(islice(api.screen(reader, request), MAX_SCREEN_NAMES))
