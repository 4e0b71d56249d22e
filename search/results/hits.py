"""Run a built query and group its page hits by publication, ranked and paged; browse
every publication. Publications are ranked by their best page; each carries its best pages
with highlighted snippets (:mod:`search.results.snippets`). :func:`search.api.search` is
the front door; :mod:`search.results.planner` decides which queries to run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import tantivy

from indexer.index import documents
from indexer.index import schema as s
from indexer.model import OcrState, PublicationMeta, meta_of
from search.query import compile as qb
from search.query import syntax as q
from search.query.names import matched_as
from search.reader import Readable, view_of
from search.results.aggregations import (
    PUBLICATION_AGGS,
    YEAR_AGGS,
    aggregate,
    hit_count,
    publication_counts,
    publication_counts_of,
    publication_years,
)
from search.results.snippets import Snippet, Snippets

#: How many top page hits are read at first to group them by publication (publications
#: rank by their best page); four times as many each time, until no publication left
#: unread can rank among those asked for.
FIRST_PAGE_HITS = 500


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
    #: Words of the query the page prints in another script or spelling: typed -> printed
    #: (``{"Volkov": "Волков"}``, :mod:`search.query.names`).
    matched_as: Mapping[str, str] = field(default_factory=dict)
    #: Words of the query the page prints only as another form of the surname: typed ->
    #: printed (``{"Volkov": "Волкова"}``); such pages come last (search.results.planner).
    other_form: Mapping[str, str] = field(default_factory=dict)


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


SORTS = ("relevance", "date")


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranking:
    """How the publications of a query are ranked and paged.

    limit: publications per result page; offset: publications of the ranking before it;
    pages: matching pages shown per publication; sort: ``relevance`` or ``date`` (newest
    first); titles: publications this query matches by title (see
    :func:`search.query.compile.title_query`), whose best page score is multiplied by
    `title_boost`.
    """

    limit: int = 10
    pages: int = 3
    offset: int = 0
    sort: str = "relevance"
    titles: tantivy.Query | None = None
    title_boost: float = qb.TITLE_BOOST


DEFAULT_RANKING = Ranking()


def run(
    index: tantivy.Index,
    text: str,
    tquery: tantivy.Query,
    ranking: Ranking = DEFAULT_RANKING,
    *,
    searcher: tantivy.Searcher | None = None,
    with_facets: bool = False,
    first: tantivy.SearchResult | None = None,
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> SearchResults:
    """Run a built query against an open index (with `searcher`, over its commit) and group
    the page hits by publication, ranked and paged by `ranking`; with the :func:`facets` of
    `tquery` when `with_facets` (in the same aggregation request). `first`: the first
    :data:`FIRST_PAGE_HITS` hits of `tquery` with their count, when the caller read them
    (same searcher). `names`: the words searched as names, so pages say ``matched_as``.
    """
    limit, pages, offset = ranking.limit, ranking.pages, ranking.offset
    searcher = searcher or index.searcher()
    if first is None:
        first = searcher.search(tquery, FIRST_PAGE_HITS, count=True)
    total_pages = hit_count(first)
    by_date = ranking.sort == "date"  # the years come with the counts then
    counts, found_facets = aggregate(
        searcher, tquery, YEAR_AGGS if by_date else PUBLICATION_AGGS, with_facets=with_facets
    )
    matched = publication_counts(counts)
    titles = ranking.titles
    titled = set(publication_counts_of(searcher, titles)) if titles is not None else set()
    reading = _Reading(searcher, index.schema, matched, titled, ranking.title_boost, total_pages)
    if by_date:
        ranked = reading.by_date(tquery, publication_years(counts), offset, limit)
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
            names=names,
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
    years = publication_years(result)
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
    names: Mapping[str, tuple[str, ...]] | None = None,
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
                matched_as=matched_as(page.text, names) if names else {},
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
