"""Run a query and group page hits by publication.

:func:`search` is the library entry point used by the CLI (and by the web page): parse,
build, run, group, snippet. Publications are ranked by their best page; each carries its
best pages with highlighted snippets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from indexer import schema as s
from search import query as q
from search.snippets import Snippets

#: How many top page hits are grouped; publications are ranked by their best page.
MAX_PAGE_HITS = 10_000
MAX_PUBLICATIONS = 100_000


@dataclass(frozen=True, slots=True)
class PageHit:
    """One matching page: 1-based number, its language, score and highlighted snippet."""

    page: int
    language: str
    score: float
    snippet: str


@dataclass(frozen=True, slots=True)
class PublicationHit:
    """A publication with matching pages.

    pages: its best pages, best first (at most the requested number);
    matched_pages: how many of its pages matched in all.
    path: as given at index time ('' for entries without a PDF).
    """

    id: str
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    year: int | None
    type: str | None
    path: str
    languages: tuple[str, ...]
    score: float
    matched_pages: int
    pages: tuple[PageHit, ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to one search: `total` matching publications, the top `hits`."""

    query: str
    total: int
    total_pages: int
    hits: tuple[PublicationHit, ...]


def _first(doc: tantivy.Document, field: str) -> object:
    return doc.get_first(field)


def search(
    index_dir: Path,
    text: str,
    filters: q.Filters | None = None,
    limit: int = 10,
    pages: int = 3,
) -> SearchResults:
    """Search the index at `index_dir` for `text`; see :mod:`search.query` for the syntax."""
    index = s.open_index(index_dir)
    tquery = q.build(q.parse(text), index.schema, filters)
    return run(index, text, tquery, limit=limit, pages=pages)


def run(
    index: tantivy.Index, text: str, tquery: tantivy.Query, limit: int = 10, pages: int = 3
) -> SearchResults:
    """Run a built query against an open index and group the page hits by publication."""
    searcher = index.searcher()
    result = searcher.search(tquery, MAX_PAGE_HITS, count=True)
    counts = searcher.aggregate(
        tquery, {"pubs": {"terms": {"field": s.F_ID, "size": MAX_PUBLICATIONS}}}
    )
    matched = {b["key"]: int(b["doc_count"]) for b in counts["pubs"]["buckets"]}
    groups: dict[str, list[tuple[float, tantivy.Document]]] = {}
    for score, address in result.hits:
        doc = searcher.doc(address)
        pub_id = str(_first(doc, s.F_ID))
        if pub_id in groups or len(groups) < limit:
            groups.setdefault(pub_id, []).append((score, doc))
    snippets = Snippets(searcher, tquery, index.schema)
    hits = [_publication(docs, matched.get(pid, len(docs)), pages, snippets)
            for pid, docs in groups.items()]  # fmt: skip
    hits.sort(key=lambda h: (-h.score, -h.matched_pages, h.id))
    return SearchResults(text, len(matched), int(getattr(result, "count", 0) or 0), tuple(hits))


def _publication(
    docs: Sequence[tuple[float, tantivy.Document]], matched: int, pages: int, snippets: Snippets
) -> PublicationHit:
    best_score, first = docs[0]
    page_hits: list[PageHit] = []
    for score, doc in docs:
        number = int(_first(doc, s.F_PAGE) or 0)  # type: ignore[call-overload]
        if number == 0 or len(page_hits) >= pages:
            continue
        language = str(_first(doc, s.F_LANG))
        page_hits.append(
            PageHit(number, language, score, snippets.html(doc, s.text_field(language)))
        )
    year = _first(first, s.F_YEAR)
    return PublicationHit(
        id=str(_first(first, s.F_ID)),
        title=str(_first(first, s.F_TITLE)),
        subtitle=_first(first, s.F_SUBTITLE),  # type: ignore[arg-type]
        authors=tuple(first.get_all(s.F_AUTHORS)),
        year=int(year) if year is not None else None,  # type: ignore[call-overload]
        type=_first(first, s.F_TYPE),  # type: ignore[arg-type]
        path=str(_first(first, s.F_PATH) or ""),
        languages=tuple(first.get_all(s.F_DOC_LANGS)),
        score=best_score,
        matched_pages=matched,
        pages=tuple(page_hits),
    )
