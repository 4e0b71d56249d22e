"""Every page that answers a query, with a stable citation: ``--format csv|jsonl`` and the
saved queries' runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import tantivy

from indexer.index import documents
from search.query import compile as qb
from search.query import syntax as q
from search.reader import Readable, view_of
from search.results.planner import Plan, plan
from search.results.snippets import Snippets


@dataclass(frozen=True, slots=True, kw_only=True)
class Export:
    """Every page that answers a query, for a report: `rows` (see :func:`export_pages`),
    for the query `query`, the correction of `corrected_from` when one was made."""

    query: str
    corrected_from: str | None
    rows: Iterator[dict[str, Any]]


def export_pages(
    index_dir: Readable,
    text: str,
    filters: q.Filters | None = None,
    *,
    sort: str = "relevance",
    exact: bool = False,
    correct: bool = True,
) -> Export:
    """Every matching page with a stable citation, answered as a search answers the query
    (:func:`search.results.planner.plan`): its correction when it matches nothing, pages lacking
    some of the words after those with all of them (``missing``), unless `exact`.

    The rows come best first (newest publication first with ``sort='date'``, within each
    tier), each with the publication id, title, year, path, content hash, page, snippet
    and the words the page lacks."""
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    options = qb.Options(analysis=view.analysis)
    answer = plan(searcher, index.schema, text, filters, options, exact=exact, correct=correct)
    rows = _rows(index, searcher, answer, sort)
    return Export(query=answer.text, corrected_from=answer.corrected_from, rows=rows)


def _rows(
    index: tantivy.Index, searcher: tantivy.Searcher, answer: Plan, sort: str
) -> Iterator[dict[str, Any]]:
    snippets = Snippets(searcher, answer.query, index.schema)
    limit = max(1, searcher.num_docs)
    for tier in answer.tiers:
        parts = tier.combos or (((), tier.query),)
        docs = [
            (score, searcher.doc(address), missing)
            for missing, query in parts
            for score, address in searcher.search(query, limit).hits
        ]
        docs.sort(key=lambda sd: -sd[0])
        if sort == "date":
            docs.sort(key=lambda sd: -(documents.year_of(sd[1]) or 0))
        for score, doc, missing in docs:
            pub, page = documents.publication_of(doc), documents.number_of(doc)
            yield {
                "id": pub.id,
                "title": pub.title,
                "year": pub.year,
                "path": pub.path,
                "sha256": pub.sha256,
                "page": page,
                "language": documents.language_of(doc),
                "score": round(score, 4),
                "snippet": snippets.snippet(doc, documents.text_field_of(doc)).tagged()
                if page
                else "",
                "missing": list(missing),
            }
