"""Working with one publication or page: read a page, open the PDF at it, find similar
pages, export every hit page with a citation, and what's new since the last index run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tantivy

from indexer import documents
from indexer import schema as s
from indexer.model import OcrState
from search import build as qb
from search import query as q
from search.errors import BadOptionError, ExitCode, SearchError
from search.reader import Source, view_of
from search.searcher import SearchResults, hit_count, run
from search.snippets import Snippet, Snippets, from_tantivy, whole_page

if TYPE_CHECKING:
    from search.relax import Plan


@dataclass(frozen=True, slots=True, kw_only=True)
class PageView:
    """One page of a publication: `body` is its text with the query's matches marked (no
    marks without a query); `html` its JSON form (see :meth:`Snippet.tagged`)."""

    id: str
    title: str
    page: int
    page_count: int
    language: str
    path: str
    abspath: str
    body: Snippet
    ocr: bool = False  # the text came from OCR
    ocr_confidence: float | None = None

    @property
    def html(self) -> str:
        return self.body.tagged()


class NotFoundError(SearchError, LookupError):
    """No such publication or page in the index."""

    exit_code = ExitCode.NOT_FOUND


def _page_doc(
    index: tantivy.Index, pub_id: str, page: int, searcher: tantivy.Searcher | None = None
) -> tantivy.Document:
    searcher = searcher or index.searcher()
    hits = searcher.search(documents.pages_query(index.schema, pub_id, page), 1).hits
    if not hits:
        if hit_count(searcher.search(documents.pages_query(index.schema, pub_id), 1)) == 0:
            raise NotFoundError(f"no publication {pub_id!r} in the index (see `pubsearch search`)")
        raise NotFoundError(f"{pub_id} has no page {page}")
    return searcher.doc(hits[0][1])


def show_page(index_dir: Source, pub_id: str, page: int, *, query: str | None = None) -> PageView:
    """The text of page `page` of `pub_id`, with the matches of `query` highlighted."""
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    doc = _page_doc(index, pub_id, page, searcher)
    stored, pub = documents.page_of(doc), documents.publication_of(doc)
    body = Snippet(text=stored.text)
    if query and stored.text:
        options = qb.Options(analysis=view.analysis)
        tquery = qb.build(q.parse(query), index.schema, options=options, searcher=searcher)
        found = whole_page(searcher, tquery, index.schema, doc, documents.text_field_of(doc))
        if found.highlighted():
            body = from_tantivy(found)
    return PageView(
        id=pub_id,
        title=pub.title,
        page=page,
        page_count=pub.page_count,
        language=stored.language,
        path=pub.path,
        abspath=pub.abspath,
        body=body,
        ocr=stored.ocr is OcrState.DONE,
        ocr_confidence=stored.ocr_confidence,
    )


def page_url(index_dir: Path, pub_id: str, page: int) -> str:
    """A ``file://`` URL that opens the PDF at `page` in a viewer (``#page=N``)."""
    view = show_page(index_dir, pub_id, page)
    if not view.abspath:
        raise NotFoundError(f"{pub_id} has no PDF (a catalog entry without a file)")
    return Path(view.abspath).as_uri() + f"#page={page}"


def pdf_file(index_dir: Source, pub_id: str) -> Path:
    """The indexed PDF of publication `pub_id`, as recorded by the index; only files
    whose pages are in the index have one (failed files and catalog-only entries don't)."""
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    for _, address in searcher.search(documents.pages_query(index.schema, pub_id), 1).hits:
        abspath = documents.abspath_of(searcher.doc(address))
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


def similar(index_dir: Path, ref: str, *, limit: int = 10, pages: int = 3) -> SearchResults:
    """Publications and pages most like `ref` (``ID`` or ``ID#PAGE``): more-like-this over
    the page text, in the page's language; the publication itself is left out."""
    pub_id, page = parse_ref(ref)
    index = s.open_index(index_dir)
    searcher = index.searcher()
    if page is not None:
        docs = [_page_doc(index, pub_id, page)]
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
    return run(index, ref, tquery, limit=limit, pages=pages)


@dataclass(frozen=True, slots=True, kw_only=True)
class Export:
    """Every page that answers a query, for a report: `rows` (see :func:`export_pages`),
    for the query `query`, the correction of `corrected_from` when one was made."""

    query: str
    corrected_from: str | None
    rows: Iterator[dict[str, Any]]


def export_pages(
    index_dir: Path,
    text: str,
    filters: q.Filters | None = None,
    *,
    sort: str = "relevance",
    exact: bool = False,
    correct: bool = True,
) -> Export:
    """Every matching page with a stable citation, answered as a search answers the query
    (:func:`search.relax.plan`): its correction when it matches nothing, pages lacking
    some of the words after those with all of them (``missing``), unless `exact`.

    The rows come best first (newest publication first with ``sort='date'``, within each
    tier), each with the publication id, title, year, path, content hash, page, snippet
    and the words the page lacks."""
    from search.relax import plan  # a cycle: search.relax imports search.searcher

    index = s.open_index(index_dir)
    options = qb.Options(analysis=s.analysis_of(index_dir))
    searcher = index.searcher()
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


def last_run_id(index_dir: Path) -> int:
    """The id of the index's last run (pages it wrote carry it), for ``--new``."""
    run_info = s.read_meta(index_dir).get("last_run")
    if not isinstance(run_info, dict) or not isinstance(run_info.get("run"), int):
        raise BadOptionError(f"--new: the index at {index_dir} records no index run yet")
    return int(run_info["run"])
