"""Counting with index aggregations: matching pages per publication, publication years,
and the facets (publications per type, year, language, author), in one request each."""

from __future__ import annotations

from typing import Any

import tantivy

from indexer.index import schema as s

MAX_PUBLICATIONS = 100_000


def hit_count(result: tantivy.SearchResult) -> int:
    """How many documents matched (the stub of tantivy's SearchResult omits `count`)."""
    return int(getattr(result, "count", 0) or 0)


#: Facet name -> the fast field it counts publications by.
FACETS = {"type": s.F_TYPE, "year": s.F_YEAR, "language": s.F_LANG, "author": s.F_AUTHOR_FACET}
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


def publication_counts_of(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, int]:
    return publication_counts(searcher.aggregate(query, PUBLICATION_AGGS))


def publication_counts(result: dict[str, Any]) -> dict[str, int]:
    """Matching pages per publication id, from the result of :data:`PUBLICATION_AGGS` (or
    :data:`YEAR_AGGS`)."""
    return {b["key"]: int(b["doc_count"]) for b in result["pubs"]["buckets"]}


def publication_years(result: dict[str, Any]) -> dict[str, int]:
    """The year of every publication (0: none), from the result of :data:`YEAR_AGGS`."""
    return {str(b["key"]): int(b["year"]["value"] or 0) for b in result["pubs"]["buckets"]}
