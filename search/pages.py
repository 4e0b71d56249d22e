"""Working with one publication or page: read a page, open the PDF at it, find similar
pages, export every hit page with a citation, and what's new since the last index run."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from indexer import schema as s
from search import query as q
from search.errors import BadOptionError
from search.searcher import SearchResults, float_of, hit_count, int_of, run, text_of
from search.snippets import Snippets


@dataclass(frozen=True, slots=True)
class PageView:
    """One page of a publication: `html` is its text, HTML-escaped, with the query's
    matches in ``<b>…</b>`` (no marks without a query)."""

    id: str
    title: str
    page: int
    page_count: int
    language: str
    path: str
    abspath: str
    html: str
    ocr: bool = False  # the text came from OCR
    ocr_confidence: float | None = None


class NotFoundError(BadOptionError):
    """No such publication or page in the index."""


def _pages_query(index: tantivy.Index, pub_id: str, page: int | None = None) -> tantivy.Query:
    """The page documents of `pub_id` (only page `page` when given)."""
    clauses = [
        tantivy.Query.term_query(index.schema, s.F_KIND, s.KIND_PAGE),
        tantivy.Query.term_query(index.schema, s.F_ID, pub_id),
    ]
    if page is not None:
        clauses.append(tantivy.Query.term_query(index.schema, s.F_PAGE, page))
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])


def _page_doc(index: tantivy.Index, pub_id: str, page: int) -> tantivy.Document:
    searcher = index.searcher()
    hits = searcher.search(_pages_query(index, pub_id, page), 1).hits
    if not hits:
        if hit_count(searcher.search(_pages_query(index, pub_id), 1)) == 0:
            raise NotFoundError(f"no publication {pub_id!r} in the index (see `pubsearch search`)")
        raise NotFoundError(f"{pub_id} has no page {page}")
    return searcher.doc(hits[0][1])


def show_page(index_dir: Path, pub_id: str, page: int, query: str | None = None) -> PageView:
    """The text of page `page` of `pub_id`, with the matches of `query` highlighted."""
    index = s.open_index(index_dir)
    doc = _page_doc(index, pub_id, page)
    language = text_of(doc, s.F_LANG) or s.UNDETERMINED
    field = s.text_field(language)
    text = text_of(doc, field) or ""
    body = html.escape(text, quote=False)
    if query and text:
        options = q.Options(analysis=s.analysis_of(index_dir))
        searcher = index.searcher()
        tquery = q.build(q.parse(query), index.schema, None, options, searcher)
        generator = tantivy.SnippetGenerator.create(searcher, tquery, index.schema, field)
        generator.set_max_num_chars(len(text.encode()) + 1)  # bytes, not characters
        snippet = generator.snippet_from_doc(doc)
        if snippet.highlighted():
            body = snippet.to_html()
    return PageView(
        pub_id, text_of(doc, s.F_TITLE) or "", page, int_of(doc, s.F_PAGE_COUNT) or 0, language,
        text_of(doc, s.F_PATH) or "", text_of(doc, s.F_ABSPATH) or "", body,
        text_of(doc, s.F_OCR) == s.OCR_DONE, float_of(doc, s.F_OCR_CONFIDENCE),
    )  # fmt: skip


def page_url(index_dir: Path, pub_id: str, page: int) -> str:
    """A ``file://`` URL that opens the PDF at `page` in a viewer (``#page=N``)."""
    view = show_page(index_dir, pub_id, page)
    if not view.abspath:
        raise NotFoundError(f"{pub_id} has no PDF (a catalog entry without a file)")
    return Path(view.abspath).as_uri() + f"#page={page}"


def pdf_file(index_dir: Path, pub_id: str) -> Path:
    """The indexed PDF of publication `pub_id`, as recorded by the index; only files
    whose pages are in the index have one (failed files and catalog-only entries don't)."""
    index = s.open_index(index_dir)
    searcher = index.searcher()
    for _, address in searcher.search(_pages_query(index, pub_id), 1).hits:
        abspath = text_of(searcher.doc(address), s.F_ABSPATH)
        if not abspath:
            raise NotFoundError(f"{pub_id} has no PDF (a catalog entry without a file)")
        path = Path(abspath)
        if not path.is_file():
            raise NotFoundError(f"{pub_id}: its PDF is no longer at {path}; re-index")
        return path
    raise NotFoundError(f"no publication {pub_id!r} in the index")


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``ID`` or ``ID#PAGE`` -> (id, page or None)."""
    m = re.fullmatch(r"([^#\s]+)(?:#(\d+))?", ref.strip())
    if not m:
        raise BadOptionError(f"expected ID or ID#PAGE, not {ref!r}")
    return m.group(1), int(m.group(2)) if m.group(2) else None


def similar(index_dir: Path, ref: str, limit: int = 10, pages: int = 3) -> SearchResults:
    """Publications and pages most like `ref` (``ID`` or ``ID#PAGE``): more-like-this over
    the page text, in the page's language; the publication itself is left out."""
    pub_id, page = parse_ref(ref)
    index = s.open_index(index_dir)
    searcher = index.searcher()
    if page is not None:
        docs = [_page_doc(index, pub_id, page)]
    else:
        docs = [searcher.doc(a) for _, a in searcher.search(_pages_query(index, pub_id), 2000).hits]
        if not docs:
            raise NotFoundError(f"no publication {pub_id!r} in the index")
    by_field: dict[str, list[str]] = {}
    for doc in docs:
        language = text_of(doc, s.F_LANG) or s.UNDETERMINED
        by_field.setdefault(s.text_field(language), []).append(
            text_of(doc, s.text_field(language)) or ""
        )
    fields: dict[str, Any] = {f: " ".join(texts)[:50_000] for f, texts in by_field.items()}
    like = tantivy.Query.more_like_this_document_fields_query(
        index.schema, fields, min_doc_frequency=1, min_term_frequency=2, max_query_terms=40,
        min_word_length=3,
    )  # fmt: skip
    tquery = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, like),
            (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, s.F_KIND, s.KIND_PAGE)),
            (tantivy.Occur.MustNot, tantivy.Query.term_query(index.schema, s.F_ID, pub_id)),
        ]
    )
    return run(index, ref, tquery, limit=limit, pages=pages)


def export_rows(
    index_dir: Path, text: str, filters: q.Filters | None = None, sort: str = "relevance"
) -> Iterator[dict[str, Any]]:
    """Every matching page, best first (newest publication first with ``sort='date'``),
    with a stable citation: publication id, title, year, path, content hash, page, snippet."""
    index = s.open_index(index_dir)
    options = q.Options(analysis=s.analysis_of(index_dir))
    searcher = index.searcher()
    tquery = q.build(q.parse(text), index.schema, filters, options, searcher)
    snippets = Snippets(searcher, tquery, index.schema)
    hits = searcher.search(tquery, max(1, searcher.num_docs)).hits
    docs = [(score, searcher.doc(address)) for score, address in hits]
    if sort == "date":
        docs.sort(key=lambda sd: (-(int_of(sd[1], s.F_YEAR) or 0), -sd[0]))
    for score, doc in docs:
        page = int_of(doc, s.F_PAGE) or 0
        language = text_of(doc, s.F_LANG) or s.UNDETERMINED
        yield {
            "id": text_of(doc, s.F_ID),
            "title": text_of(doc, s.F_TITLE),
            "year": int_of(doc, s.F_YEAR),
            "path": text_of(doc, s.F_PATH) or "",
            "sha256": text_of(doc, s.F_SHA256) or "",
            "page": page,
            "language": language,
            "score": round(score, 4),
            "snippet": snippets.html(doc, s.text_field(language)) if page else "",
        }


def last_run_id(index_dir: Path) -> int:
    """The id of the index's last run (pages it wrote carry it), for ``--new``."""
    run_info = s.read_meta(index_dir).get("last_run")
    if not isinstance(run_info, dict) or not isinstance(run_info.get("run"), int):
        raise BadOptionError(f"--new: the index at {index_dir} records no index run yet")
    return int(run_info["run"])
