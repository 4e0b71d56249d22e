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
MAX_PAGE_HITS = 2_000
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


def hit_count(result: tantivy.SearchResult) -> int:
    """How many documents matched (the stub of tantivy's SearchResult omits `count`)."""
    return int(getattr(result, "count", 0) or 0)


def _text(doc: tantivy.Document, field: str) -> str | None:
    value = doc.get_first(field)
    return None if value is None else str(value)


def _int(doc: tantivy.Document, field: str) -> int | None:
    value = doc.get_first(field)
    return None if value is None else int(value)


def search(
    index_dir: Path,
    text: str,
    filters: q.Filters | None = None,
    limit: int = 10,
    pages: int = 3,
    options: q.Options | None = None,
) -> SearchResults:
    """Search the index at `index_dir` for `text`; see :mod:`search.query` for the syntax.

    `options` default to the product's, with the analysis the index was built with."""
    index = s.open_index(index_dir)
    options = options or q.Options(analysis=s.analysis_of(index_dir))
    node = q.parse(text)
    tquery = q.build(node, index.schema, filters, options, index.searcher())
    titles = q.title_query(node, index.schema, options)
    return run(index, text, tquery, limit=limit, pages=pages, titles=titles,
               title_boost=options.title_boost)  # fmt: skip


def _publication_counts(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, int]:
    counts = searcher.aggregate(
        query, {"pubs": {"terms": {"field": s.F_ID, "size": MAX_PUBLICATIONS}}}
    )
    return {b["key"]: int(b["doc_count"]) for b in counts["pubs"]["buckets"]}


def run(
    index: tantivy.Index,
    text: str,
    tquery: tantivy.Query,
    limit: int = 10,
    pages: int = 3,
    titles: tantivy.Query | None = None,
    title_boost: float = q.TITLE_BOOST,
) -> SearchResults:
    """Run a built query against an open index and group the page hits by publication.

    Publications rank by their best page; those matched by `titles` (see
    :func:`search.query.title_query`) have that score multiplied by `title_boost`.
    """
    searcher = index.searcher()
    result = searcher.search(tquery, MAX_PAGE_HITS, count=True)
    matched = _publication_counts(searcher, tquery)
    titled = set(_publication_counts(searcher, titles)) if titles is not None else set()
    groups: dict[str, list[tuple[float, tantivy.Document]]] = {}
    best: dict[str, float] = {}
    for score, address in result.hits:
        doc = searcher.doc(address)
        pub_id = str(_text(doc, s.F_ID))
        groups.setdefault(pub_id, []).append((score, doc))
        if pub_id not in best:
            best[pub_id] = score * (title_boost if pub_id in titled else 1.0)
    ranked = sorted(best, key=lambda pid: (-best[pid], -matched.get(pid, 0), pid))[:limit]
    snippets = Snippets(searcher, tquery, index.schema)
    hits = [_publication(groups[pid], best[pid], matched.get(pid, len(groups[pid])), pages,
                         snippets) for pid in ranked]  # fmt: skip
    return SearchResults(text, len(matched), hit_count(result), tuple(hits))


def _publication(
    docs: Sequence[tuple[float, tantivy.Document]],
    score: float,
    matched: int,
    pages: int,
    snippets: Snippets,
) -> PublicationHit:
    _, first = docs[0]
    page_hits: list[PageHit] = []
    for score, doc in docs:
        number = _int(doc, s.F_PAGE) or 0
        if number == 0 or len(page_hits) >= pages:
            continue
        language = str(_text(doc, s.F_LANG))
        page_hits.append(
            PageHit(number, language, score, snippets.html(doc, s.text_field(language)))
        )
    return PublicationHit(
        id=str(_text(first, s.F_ID)),
        title=str(_text(first, s.F_TITLE)),
        subtitle=_text(first, s.F_SUBTITLE),
        authors=tuple(first.get_all(s.F_AUTHORS)),
        year=_int(first, s.F_YEAR),
        type=_text(first, s.F_TYPE),
        path=_text(first, s.F_PATH) or "",
        languages=tuple(first.get_all(s.F_DOC_LANGS)),
        score=score,
        matched_pages=matched,
        pages=tuple(page_hits),
    )
