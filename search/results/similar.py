"""Publications and pages most like a publication or one of its pages (``pubsearch similar``)."""

from __future__ import annotations

import re
from typing import Any

import tantivy

from indexer.index import documents
from indexer.index import schema as s
from search.errors import BadOptionError, NotFoundError
from search.reader import Readable, view_of
from search.results.hits import Ranking, SearchResults, run
from search.results.pages import page_doc


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``ID`` or ``ID#PAGE`` -> (id, page or None)."""
    m = re.fullmatch(r"([^#\s]+)(?:#(\d+))?", ref.strip())
    if not m:
        raise BadOptionError(f"expected ID or ID#PAGE, not {ref!r}")
    return m.group(1), int(m.group(2)) if m.group(2) else None


def similar(index_dir: Readable, ref: str, *, limit: int = 10, pages: int = 3) -> SearchResults:
    """Publications and pages most like `ref` (``ID`` or ``ID#PAGE``): more-like-this over
    the page text, in the page's language; the publication itself is left out."""
    pub_id, page = parse_ref(ref)
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    if page is not None:
        docs = [page_doc(index, pub_id, page)]
    else:
        docs = [
            searcher.doc(a)
            for _, a in searcher.search(documents.pages_query(index.schema, pub_id), 2000).hits
        ]
        if not docs:
            raise NotFoundError(f"no publication {pub_id!r} in the index")
    by_field: dict[str, list[str]] = {}
    for doc in docs:
        by_field.setdefault(documents.text_field_of(doc), []).append(documents.page_of(doc).text)
    fields: dict[str, Any] = {f: " ".join(texts)[:50_000] for f, texts in by_field.items()}
    like = tantivy.Query.more_like_this_document_fields_query(
        index.schema,
        fields,
        min_doc_frequency=1,
        min_term_frequency=2,
        max_query_terms=40,
        min_word_length=3,
    )
    tquery = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, like),
            (tantivy.Occur.Must, documents.pages_query(index.schema)),
            (tantivy.Occur.MustNot, tantivy.Query.term_query(index.schema, s.F_ID, pub_id)),
        ]
    )
    return run(index, ref, tquery, Ranking(limit=limit, pages=pages), searcher=searcher)
