"""Run a query and group page hits by publication.

:func:`search` is the library entry point used by the CLI (and by the web page): parse,
build, run, group, snippet. Publications are ranked by their best page; each carries its
best pages with highlighted snippets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import tantivy

from indexer import documents
from indexer import schema as s
from indexer.model import OcrState, PublicationMeta, meta_of
from search import build as qb
from search import query as q
from search.errors import BadOptionError
from search.snippets import Snippets

#: How many top page hits are grouped; publications are ranked by their best page.
MAX_PAGE_HITS = 2_000
MAX_PUBLICATIONS = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class PageHit:
    """One matching page: 1-based number, its language, score and highlighted snippet;
    `ocr` when its text came from OCR, with the mean word confidence (0-100)."""

    page: int
    language: str
    score: float
    snippet: str
    ocr: bool = False
    ocr_confidence: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicationHit(PublicationMeta):
    """A publication (its metadata) with matching pages.

    pages: its best pages, best first (at most the requested number);
    matched_pages: how many of its pages matched in all;
    path: as given at index time ('' for entries without a PDF).
    """

    path: str
    score: float
    matched_pages: int
    pages: tuple[PageHit, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResults:
    """The answer to one search: `total` matching publications, the top `hits`.

    facets: matching publications counted by type, year, (page) language and author,
        computed by the index's aggregations;
    suggestion: a corrected query when this one finds little, else None.
    """

    query: str
    total: int
    total_pages: int
    hits: tuple[PublicationHit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    offset: int = 0  # how many publications were skipped before `hits` (paging)


def hit_count(result: tantivy.SearchResult) -> int:
    """How many documents matched (the stub of tantivy's SearchResult omits `count`)."""
    return int(getattr(result, "count", 0) or 0)


#: Facet name -> the fast field it counts publications by.
FACETS = {"type": s.F_TYPE, "year": s.F_YEAR, "language": s.F_LANG, "author": s.F_AUTHOR_FACET}
SORTS = ("relevance", "date")
#: A query with fewer matching pages than this gets a "did you mean" suggestion.
SUGGEST_BELOW = 3


def search(
    index_dir: Path,
    text: str,
    filters: q.Filters | None = None,
    *,
    limit: int = 10,
    pages: int = 3,
    options: qb.Options | None = None,
    sort: str = "relevance",
    offset: int = 0,
) -> SearchResults:
    """Search the index at `index_dir` for `text`; see :mod:`search.query` for the syntax.

    `options` default to the product's, with the analysis the index was built with;
    `sort` is ``relevance`` or ``date`` (newest first); `offset` skips that many
    publications of the ranking (the next result page starts at ``offset + limit``)."""
    if sort not in SORTS:
        raise BadOptionError(f"--sort: expected one of {', '.join(SORTS)}, not {sort!r}")
    index = s.open_index(index_dir)
    options = options or qb.Options(analysis=s.analysis_of(index_dir))
    node = q.parse(text)
    searcher = index.searcher()
    tquery = qb.build(node, index.schema, filters=filters, options=options, searcher=searcher)
    titles = qb.title_query(node, index.schema, options)
    results = run(
        index,
        text,
        tquery,
        limit=limit,
        pages=pages,
        titles=titles,
        title_boost=options.title_boost,
        sort=sort,
        offset=offset,
    )
    results = replace(results, facets=facets(searcher, tquery))
    if results.total_pages < SUGGEST_BELOW:
        from search.suggest import suggest

        suggestion = suggest(searcher, index.schema, text, node)
        if suggestion is not None:
            better = qb.build(
                q.parse(suggestion),
                index.schema,
                filters=filters,
                options=options,
                searcher=searcher,
            )
            if hit_count(searcher.search(better, 1)) > results.total_pages:
                results = replace(results, suggestion=suggestion)
    return results


def facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, dict[str, int]]:
    """Matching publications per type, year, page language and author (index aggregations:
    a terms aggregation per field with the distinct publication ids counted in each)."""
    aggs = {
        name: {
            "terms": {"field": fast_field, "size": 200},
            "aggs": {"pubs": {"cardinality": {"field": s.F_ID}}},
        }
        for name, fast_field in FACETS.items()
    }
    result = searcher.aggregate(query, aggs)
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        buckets = result.get(name, {}).get("buckets", [])
        counts = {str(b["key"]): round(b["pubs"]["value"]) for b in buckets}
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def _publication_counts(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, int]:
    counts = searcher.aggregate(
        query, {"pubs": {"terms": {"field": s.F_ID, "size": MAX_PUBLICATIONS}}}
    )
    return {b["key"]: int(b["doc_count"]) for b in counts["pubs"]["buckets"]}


def run(
    index: tantivy.Index,
    text: str,
    tquery: tantivy.Query,
    *,
    limit: int = 10,
    pages: int = 3,
    titles: tantivy.Query | None = None,
    title_boost: float = qb.TITLE_BOOST,
    sort: str = "relevance",
    offset: int = 0,
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
        pub_id = documents.pub_id_of(doc)
        groups.setdefault(pub_id, []).append((score, doc))
        if pub_id not in best:
            best[pub_id] = score * (title_boost if pub_id in titled else 1.0)
    if sort == "date":
        years = {pid: documents.year_of(docs[0][1]) or 0 for pid, docs in groups.items()}
        ranked = sorted(best, key=lambda pid: (-years[pid], -best[pid], pid))
    else:
        ranked = sorted(best, key=lambda pid: (-best[pid], -matched.get(pid, 0), pid))
    ranked = ranked[offset : offset + limit]
    snippets = Snippets(searcher, tquery, index.schema)
    hits = [
        _publication(
            groups[pid],
            score=best[pid],
            matched=matched.get(pid, len(groups[pid])),
            pages=pages,
            snippets=snippets,
        )
        for pid in ranked
    ]
    return SearchResults(
        query=text,
        total=len(matched),
        total_pages=hit_count(result),
        hits=tuple(hits),
        offset=offset,
    )


def browse(
    index_dir: Path,
    filters: q.Filters | None = None,
    *,
    limit: int = 10,
    offset: int = 0,
) -> SearchResults:
    """Every publication that passes `filters`, newest first (then by id), like the
    agency's catalog page: what an empty search shows. No page hits, only metadata."""
    index = s.open_index(index_dir)
    searcher = index.searcher()
    everything = qb.restrict(tantivy.Query.all_query(), index.schema, filters)
    buckets = searcher.aggregate(
        everything,
        {
            "pubs": {
                "terms": {"field": s.F_ID, "size": MAX_PUBLICATIONS},
                "aggs": {"year": {"max": {"field": s.F_YEAR}}},
            }
        },
    )["pubs"]["buckets"]
    years = {str(b["key"]): b["year"]["value"] or 0 for b in buckets}
    ranked = sorted(years, key=lambda pid: (-years[pid], pid))
    hits = []
    for pid in ranked[offset : offset + limit]:
        one = tantivy.Query.term_query(index.schema, s.F_ID, pid)
        first = searcher.search(qb.restrict(one, index.schema), 1).hits[0][1]
        docs = [(1.0, searcher.doc(first))]
        hits.append(_publication(docs, score=1.0, matched=0, pages=0, snippets=None))
    total_pages = hit_count(searcher.search(everything, 1, count=True))
    return SearchResults(
        query="",
        total=len(ranked),
        total_pages=total_pages,
        hits=tuple(hits),
        facets=facets(searcher, everything),
        offset=offset,
    )


def _publication(
    docs: Sequence[tuple[float, tantivy.Document]],
    *,
    score: float,
    matched: int,
    pages: int,
    snippets: Snippets | None,
) -> PublicationHit:
    page_hits: list[PageHit] = []
    for page_score, doc in docs:
        page = documents.page_of(doc)
        if page.number == 0 or len(page_hits) >= pages or snippets is None:
            continue
        page_hits.append(
            PageHit(
                page=page.number,
                language=page.language,
                score=page_score,
                snippet=snippets.html(doc, documents.text_field_of(doc)),
                ocr=page.ocr is OcrState.DONE,
                ocr_confidence=page.ocr_confidence,
            )
        )
    pub = documents.publication_of(docs[0][1])
    return PublicationHit(
        **meta_of(pub),
        path=pub.path,
        # Kept as it was: the group's last page score shadowed `score` (#12, bug 5).
        score=docs[-1][0],
        matched_pages=matched,
        pages=tuple(page_hits),
    )
