"""Run a query and group page hits by publication.

:func:`search` is the library entry point used by the CLI (and by the web page): parse,
build, run, group, snippet. Publications are ranked by their best page; each carries its
best pages with highlighted snippets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import tantivy

from indexer.index import documents
from indexer.index import schema as s
from indexer.model import OcrState, PublicationMeta, meta_of
from search.query import compile as qb
from search.query import syntax as q
from search.reader import Readable, view_of
from search.results.snippets import Snippet, Snippets

#: How many top page hits are read at first to group them by publication (publications
#: rank by their best page); four times as many each time, until no publication left
#: unread can rank among those asked for.
FIRST_PAGE_HITS = 500
MAX_PUBLICATIONS = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class PageHit:
    """One matching page: 1-based number, its language, score and highlighted snippet;
    `ocr` when its text came from OCR, with the mean word confidence (0-100)."""

    page: int
    language: str
    score: float
    snippet: Snippet
    ocr: bool = False
    ocr_confidence: float | None = None
    missing: tuple[str, ...] = ()  # words of the query the page lacks (search.results.planner)


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
    missing: tuple[str, ...] = ()  # words its best page lacks (search.results.planner)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResults:
    """The answer to one search: `total` matching publications, the top `hits`.

    facets: matching publications counted by type, year, (page) language and author,
        computed by the index's aggregations;
    suggestion: a corrected query when this one finds little, else None;
    corrected_from: the query as typed when these are the results of its correction
        (`query`), else None;
    relaxed: the words a page may lack, when pages with most of the words were added
        after those with all of them (`strict_pages`); empty when every page has every word.
    """

    query: str
    total: int
    total_pages: int
    hits: tuple[PublicationHit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    offset: int = 0  # how many publications were skipped before `hits` (paging)
    corrected_from: str | None = None
    relaxed: tuple[str, ...] = ()
    strict_pages: int | None = None


def hit_count(result: tantivy.SearchResult) -> int:
    """How many documents matched (the stub of tantivy's SearchResult omits `count`)."""
    return int(getattr(result, "count", 0) or 0)


#: Facet name -> the fast field it counts publications by.
FACETS = {"type": s.F_TYPE, "year": s.F_YEAR, "language": s.F_LANG, "author": s.F_AUTHOR_FACET}
SORTS = ("relevance", "date")
#: The facets as index aggregations: a terms aggregation per field with the distinct
#: publications counted in each (names of the request: those of :data:`FACETS`). They are
#: counted by :data:`~indexer.index.schema.F_PUB_KEY`, the integer hash of the id: counting the
#: text ids costs twice as much on a large index (each id's bytes are read to hash them).
FACET_AGGS: dict[str, Any] = {
    name: {
        "terms": {"field": fast_field, "size": 200},
        "aggs": {"pubs": {"cardinality": {"field": s.F_PUB_KEY}}},
    }
    for name, fast_field in FACETS.items()
}
#: Matching pages counted per publication id (every publication: one bucket each).
PUBLICATION_AGGS: dict[str, Any] = {"pubs": {"terms": {"field": s.F_ID, "size": MAX_PUBLICATIONS}}}
#: The same buckets, each with the publication's year (the largest, none: no value).
YEAR_AGGS: dict[str, Any] = {
    "pubs": {
        "terms": {"field": s.F_ID, "size": MAX_PUBLICATIONS},
        "aggs": {"year": {"max": {"field": s.F_YEAR}}},
    }
}


def facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, dict[str, int]]:
    """Matching publications per type, year, page language and author (index aggregations:
    :data:`FACET_AGGS`)."""
    return aggregate(searcher, query, {}, with_facets=True)[1]


def aggregate(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    aggs: dict[str, Any],
    *,
    with_facets: bool,
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """The aggregations `aggs` of `query` and, when `with_facets`, its :func:`facets` (else
    ``{}``): one aggregation request, so the matching pages are collected once."""
    result = searcher.aggregate(query, {**aggs, **FACET_AGGS} if with_facets else aggs)
    return result, (_facets_of(result) if with_facets else {})


def _facets_of(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        buckets = result.get(name, {}).get("buckets", [])
        counts = {str(b["key"]): round(b["pubs"]["value"]) for b in buckets}
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def _publication_counts(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, int]:
    return publication_counts(searcher.aggregate(query, PUBLICATION_AGGS))


def publication_counts(result: dict[str, Any]) -> dict[str, int]:
    """Matching pages per publication id, from the result of :data:`PUBLICATION_AGGS` (or
    :data:`YEAR_AGGS`)."""
    return {b["key"]: int(b["doc_count"]) for b in result["pubs"]["buckets"]}


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
    searcher: tantivy.Searcher | None = None,
    with_facets: bool = False,
    first: tantivy.SearchResult | None = None,
) -> SearchResults:
    """Run a built query against an open index (with `searcher`, over that searcher's
    commit) and group the page hits by publication; with the :func:`facets` of `tquery`
    when `with_facets` (counted with the publications, in one aggregation request).
    `first`: the first :data:`FIRST_PAGE_HITS` hits of `tquery` read with their count, when
    the caller has them (from the same searcher).

    Publications rank by their best page; those matched by `titles` (see
    :func:`search.query.syntax.title_query`) have that score multiplied by `title_boost`. Every
    matching publication can be ranked and paged to, however many pages match.
    """
    searcher = searcher or index.searcher()
    if first is None:
        first = searcher.search(tquery, FIRST_PAGE_HITS, count=True)
    total_pages = hit_count(first)
    by_date = sort == "date"  # the years come with the counts then
    counts, found_facets = aggregate(
        searcher, tquery, YEAR_AGGS if by_date else PUBLICATION_AGGS, with_facets=with_facets
    )
    matched = publication_counts(counts)
    titled = set(_publication_counts(searcher, titles)) if titles is not None else set()
    reading = _Reading(searcher, index.schema, matched, titled, title_boost, total_pages)
    if by_date:
        ranked = reading.by_date(tquery, _publication_years(counts), offset, limit)
    else:
        reading.top(tquery, offset + limit, first.hits)
        ranked = sorted(
            reading.groups, key=lambda pid: (-reading.best(pid), -matched.get(pid, 0), pid)
        )[offset : offset + limit]
    snippets = Snippets(searcher, tquery, index.schema)
    hits = [
        _publication(
            (
                (score, searcher.doc(address))
                for score, address in reading.pages(tquery, pid, pages)
            ),
            score=reading.best(pid),
            matched=matched.get(pid, len(reading.groups[pid])),
            pages=pages,
            snippets=snippets,
        )
        for pid in ranked
    ]
    return SearchResults(
        query=text,
        total=len(matched),
        total_pages=total_pages,
        hits=tuple(hits),
        facets=found_facets,
        offset=offset,
    )


class _Reading:
    """The page hits of one query read so far, grouped by publication (best first)."""

    def __init__(
        self,
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        matched: dict[str, int],
        titled: set[str],
        title_boost: float,
        total_pages: int,
    ) -> None:
        self.searcher, self.schema = searcher, schema
        self.matched, self.titled = matched, titled
        self.title_boost, self.total_pages = title_boost, total_pages
        self.groups: dict[str, list[tuple[float, tantivy.DocAddress]]] = {}

    def best(self, pid: str) -> float:
        """The publication's score: its best page's (with the title boost)."""
        return self.groups[pid][0][0] * (self.title_boost if pid in self.titled else 1.0)

    def top(
        self,
        query: tantivy.Query,
        want: int,
        first: Sequence[tuple[float, tantivy.DocAddress]] | None = None,
    ) -> list[str]:
        """Read page hits of `query` (a part of the run's query: the same scores) until its
        `want` best publications are all known: those read score more than any page left.
        `first`: its first :data:`FIRST_PAGE_HITS` hits, when already read."""
        n = FIRST_PAGE_HITS
        boost = max(self.title_boost, 1.0) if self.titled else 1.0
        while True:
            hits = first if first is not None else self.searcher.search(query, n, count=False).hits
            first = None
            groups = _group(self.searcher, hits, self.matched)
            self.groups.update(groups)
            if len(hits) < n or n >= self.total_pages:
                return list(groups)
            floor = hits[-1][0] * boost  # no publication left unread scores more
            if sum(1 for pid in groups if self.best(pid) > floor) >= want:
                return list(groups)
            n *= 4

    def by_date(
        self, query: tantivy.Query, years: dict[str, int], offset: int, limit: int
    ) -> list[str]:
        """Publications `offset` to `offset + limit` newest first, then by score: ranked
        by score only within the years that window reaches (one query per year); `years`:
        the year of every publication with a page matching `query` (0: none)."""
        per_year = Counter(years.values())
        ranked: list[str] = []
        skipped = 0  # publications of the years before the window
        for year in sorted(per_year, reverse=True):
            count, before = per_year[year], skipped + len(ranked)
            if before >= offset + limit:
                break
            if before + count <= offset:
                skipped += count
                continue
            want = min(count, offset + limit - before)
            found = self.top(_restricted(query, _year_is(self.schema, year)), want)
            ranked += sorted(found, key=lambda pid: (-self.best(pid), pid))[:want]
        return ranked[offset - skipped : offset - skipped + limit]

    def pages(
        self, query: tantivy.Query, pid: str, pages: int
    ) -> list[tuple[float, tantivy.DocAddress]]:
        """The best `pages` page hits of one publication (read again when its pages past
        the first are beyond the hits read)."""
        group = self.groups[pid]
        if len(group) >= min(max(pages, 1), self.matched.get(pid, 0)):
            return group
        one = _restricted(query, tantivy.Query.term_query(self.schema, s.F_ID, pid))
        return list(self.searcher.search(one, max(pages, 1), count=False).hits)


def _group(
    searcher: tantivy.Searcher,
    hits: Sequence[tuple[float, tantivy.DocAddress]],
    matched: dict[str, int],
) -> dict[str, list[tuple[float, tantivy.DocAddress]]]:
    """Page hits by publication id, best first, read from the
    :data:`~indexer.index.schema.F_PUB_KEY` fast field (the ids of `matched`, hashed): no stored
    document is loaded but for a key none of them has."""
    ids = {s.pub_key(pid): pid for pid in matched}
    keys = searcher.fast_field_values(s.F_PUB_KEY, [a for _, a in hits]) if hits else []
    groups: dict[str, list[tuple[float, tantivy.DocAddress]]] = {}
    by_key: dict[int | float | bool | None, list[tuple[float, tantivy.DocAddress]]] = {}
    for hit, key in zip(hits, keys, strict=True):
        group = by_key.get(key)
        if group is None:
            pid = ids.get(int(key)) if key is not None else None
            if pid is None:  # a key none of `matched` has: the id of the stored document
                groups.setdefault(documents.pub_id_of(searcher.doc(hit[1])), []).append(hit)
                continue
            group = by_key[key] = groups.setdefault(pid, [])
        group.append(hit)
    return groups


def _restricted(query: tantivy.Query, only: tantivy.Query) -> tantivy.Query:
    """`query` where `only` matches too, with the scores of `query`."""
    unscored = tantivy.Query.const_score_query(only, 0.0)
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, query), (tantivy.Occur.Must, unscored)]
    )


def _year_is(schema: tantivy.Schema, year: int) -> tantivy.Query:
    """Pages of publications of `year` (0: of no year)."""
    if year:
        return tantivy.Query.term_query(schema, s.F_YEAR, year)
    any_year = tantivy.Query.range_query(schema, s.F_YEAR, tantivy.FieldType.Integer, 0, 9999)
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, any_year)]
    )


def _publication_years(result: dict[str, Any]) -> dict[str, int]:
    """The year of every publication (0: none), from the result of :data:`YEAR_AGGS`."""
    return {str(b["key"]): int(b["year"]["value"] or 0) for b in result["pubs"]["buckets"]}


def browse(
    index_dir: Readable,
    filters: q.Filters | None = None,
    *,
    limit: int = 10,
    offset: int = 0,
) -> SearchResults:
    """Every publication that passes `filters`, newest first (then by id), like the
    agency's catalog page: what an empty search shows. No page hits, only metadata."""
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    everything = qb.restrict(tantivy.Query.all_query(), index.schema, filters)
    result, found_facets = aggregate(searcher, everything, YEAR_AGGS, with_facets=True)
    years = _publication_years(result)
    ranked = sorted(years, key=lambda pid: (-years[pid], pid))
    hits = []
    for pid in ranked[offset : offset + limit]:
        one = tantivy.Query.term_query(index.schema, s.F_ID, pid)
        first = searcher.search(qb.restrict(one, index.schema), 1).hits[0][1]
        docs = [(1.0, searcher.doc(first))]
        hits.append(_publication(docs, score=1.0, matched=0, pages=0, snippets=None))
    unscored = tantivy.Query.const_score_query(everything, 1.0)
    total_pages = hit_count(searcher.search(unscored, 1, count=True))
    return SearchResults(
        query="",
        total=len(ranked),
        total_pages=total_pages,
        hits=tuple(hits),
        facets=found_facets,
        offset=offset,
    )


def _publication(
    docs: Iterable[tuple[float, tantivy.Document]],
    *,
    score: float,
    matched: int,
    pages: int,
    snippets: Snippets | None,
) -> PublicationHit:
    """A publication hit from its page documents, best first, read (and, when `docs`
    loads them as it goes, loaded) only as far as its first `pages` numbered pages;
    `score` is its best page's score (with the title boost)."""
    first: tantivy.Document | None = None
    page_hits: list[PageHit] = []
    for page_score, doc in docs:
        if first is None:
            first = doc
        if len(page_hits) >= pages or snippets is None:
            break
        page = documents.page_of(doc)
        if page.number == 0:
            continue
        page_hits.append(
            PageHit(
                page=page.number,
                language=page.language,
                score=page_score,
                snippet=snippets.snippet(doc, documents.text_field_of(doc)),
                ocr=page.ocr is OcrState.DONE,
                ocr_confidence=page.ocr_confidence,
            )
        )
        if len(page_hits) >= pages:
            break  # the next page is not loaded
    assert first is not None, "a publication hit has at least one page document"
    pub = documents.publication_of(first)
    return PublicationHit(
        **meta_of(pub),
        path=pub.path,
        score=score,
        matched_pages=matched,
        pages=tuple(page_hits),
    )
