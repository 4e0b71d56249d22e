"""Answering a plan (:mod:`search.results.planner`): each tier's page hits, ranked and grouped
by publication, the tiers merged in order, each page with the words it lacks, the form it
matched a name in, or the other form of a surname it holds. :func:`search` is the library's
search: plan, then run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import tantivy

from indexer.index import documents
from search.errors import BadOptionError
from search.query import compile as qb
from search.query import syntax as q
from search.reader import Readable, view_of
from search.results.aggregations import PUBLICATION_AGGS, aggregate
from search.results.hits import (
    DEFAULT_RANKING,
    SORTS,
    PublicationHit,
    Ranking,
    SearchResults,
    run,
)
from search.results.planner import Plan, pages_of, plan


def run_plan(
    index: tantivy.Index,
    searcher: tantivy.Searcher,
    the_plan: Plan,
    ranking: Ranking = DEFAULT_RANKING,
    *,
    with_facets: bool = False,
) -> SearchResults:
    """The results of a plan: each tier's publications after the tiers before (``sort``
    orders within a tier), a publication found in several tiers keeping its place and
    gathering its pages, each page with the words it lacks; with the facets of every
    tier's pages when `with_facets`."""
    p = the_plan
    if len(p.tiers) == 1:
        results = run(
            index, p.text, p.tiers[0].query, ranking,
            searcher=searcher, with_facets=with_facets, first=p.first, names=p.names,
        )  # fmt: skip
        return replace(results, corrected_from=p.corrected_from, suggestion=p.suggestion)
    merged, lacking = _merge_tiers(index, searcher, p, ranking)
    offset, limit, pages = ranking.offset, ranking.limit, ranking.pages
    shown = list(merged.values())[offset : offset + limit]
    wanted = [(h.id, pg.page) for h in shown for pg in h.pages if (h.id, pg.page) in lacking]
    absent = missing_words(searcher, index.schema, p, wanted)
    hits = []
    for hit in shown:
        page_hits = tuple(
            replace(pg, missing=absent.get((hit.id, pg.page), ())) for pg in hit.pages
        )
        best = page_hits[0].missing if page_hits else ()
        hits.append(replace(hit, pages=page_hits[:pages], missing=best))
    union = p.query
    counts, facets = aggregate(searcher, union, PUBLICATION_AGGS, with_facets=with_facets)
    return SearchResults(
        query=p.text,
        total=len(counts["pubs"]["buckets"]),
        total_pages=pages_of(searcher, union),
        hits=tuple(hits),
        facets=facets,
        suggestion=p.suggestion,
        offset=offset,
        corrected_from=p.corrected_from,
        relaxed=p.words,
        strict_pages=p.strict_pages,
    )


def _as_other_form(hit: PublicationHit) -> PublicationHit:
    pages = tuple(replace(p, other_form=p.matched_as, matched_as={}) for p in hit.pages)
    return replace(hit, pages=pages)


def _merge_tiers(
    index: tantivy.Index, searcher: tantivy.Searcher, p: Plan, ranking: Ranking
) -> tuple[dict[str, PublicationHit], set[tuple[str, int]]]:
    """Each tier's publications after those of the tiers before, by id (a publication
    found again gathers its pages), and the pages that came from a tier past the first."""
    merged: dict[str, PublicationHit] = {}
    lacking: set[tuple[str, int]] = set()
    pages = max(ranking.pages, 1)
    for tier in p.tiers:
        deeper = replace(
            ranking, limit=ranking.offset + ranking.limit + len(merged), offset=0, pages=pages
        )
        first = p.first if tier.missing == 0 else None
        names = p.other_forms if tier.other_form else p.names
        part = run(index, p.text, tier.query, deeper, searcher=searcher, first=first, names=names)
        if tier.other_form:  # never silently the same person: labelled as another form
            part = replace(part, hits=tuple(_as_other_form(h) for h in part.hits))
        for hit in part.hits:
            if tier.missing:
                lacking.update((hit.id, page.page) for page in hit.pages)
            if hit.id not in merged:
                merged[hit.id] = hit
                continue
            have = merged[hit.id]
            merged[hit.id] = replace(
                have,
                matched_pages=have.matched_pages + hit.matched_pages,
                pages=(have.pages + hit.pages)[:pages],
            )
    return merged, lacking


def missing_words(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    the_plan: Plan,
    pages: Sequence[tuple[str, int]],
) -> dict[tuple[str, int], tuple[str, ...]]:
    """The words of the plan that each of `pages` (publication id, page number) lacks:
    one query per word, restricted to those pages."""
    if not pages or not the_plan.words:
        return {}
    only = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Should, documents.pages_query(schema, pub_id, number))
            for pub_id, number in set(pages)
        ]
    )
    where: dict[tuple[int, int], tuple[str, int]] = {}
    for _, address in searcher.search(only, len(pages), count=False).hits:
        doc = searcher.doc(address)
        key = (address.segment_ord, address.doc)
        where[key] = (documents.pub_id_of(doc), documents.number_of(doc))
    has: dict[tuple[int, int], set[str]] = {key: set() for key in where}
    for word, unit in zip(the_plan.words, the_plan.units, strict=True):
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, unit), (tantivy.Occur.Must, only)])
        for _, address in searcher.search(both, len(where) or 1, count=False).hits:
            has.setdefault((address.segment_ord, address.doc), set()).add(word)
    return {where[key]: tuple(w for w in the_plan.words if w not in has[key]) for key in where}


def search(
    index_dir: Readable,
    text: str,
    filters: q.Filters | None = None,
    *,
    limit: int = 10,
    pages: int = 3,
    options: qb.Options | None = None,
    sort: str = "relevance",
    offset: int = 0,
    exact: bool = False,
) -> SearchResults:
    """Search the index at `index_dir` (a folder, a :class:`~search.reader.IndexReader` or
    one :class:`~search.reader.View`) for `text`; see :mod:`search.query.syntax` for the syntax.
    One searcher serves the hits, the facets and the suggestion: all from one commit.

    `options` default to the product's, with the analysis the index was built with;
    `sort` is ``relevance`` or ``date`` (newest first); `offset` skips that many
    publications of the ranking (the next result page starts at ``offset + limit``).
    A query that matches nothing is answered by its correction, and one that matches few
    pages also gets pages with most of its words (:mod:`search.results.planner`), unless `exact`."""
    if sort not in SORTS:
        raise BadOptionError(f"--sort: expected one of {', '.join(SORTS)}, not {sort!r}")
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    options = options or qb.Options(analysis=view.analysis)
    answer = plan(searcher, index.schema, text, filters, options, exact=exact)
    titles = qb.title_query(answer.node, index.schema, options, searcher)
    ranking = Ranking(limit=limit, pages=pages, offset=offset, sort=sort)
    ranking = replace(ranking, titles=titles, title_boost=options.title_boost)
    return run_plan(index, searcher, answer, ranking, with_facets=True)
