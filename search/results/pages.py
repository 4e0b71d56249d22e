"""One publication or page: read a page, open the PDF at it, and the index's last run
(for ``--new``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from indexer.index import documents
from indexer.index import schema as s
from indexer.model import OcrState
from search.errors import BadOptionError, NotFoundError
from search.query import compile as qb
from search.query import syntax as q
from search.reader import Readable, view_of
from search.results.aggregations import hit_count
from search.results.snippets import Snippet, from_tantivy, whole_page

if TYPE_CHECKING:
    pass


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


def page_doc(
    index: tantivy.Index, pub_id: str, page: int, searcher: tantivy.Searcher | None = None
) -> tantivy.Document:
    searcher = searcher or index.searcher()
    hits = searcher.search(documents.pages_query(index.schema, pub_id, page), 1).hits
    if not hits:
        if hit_count(searcher.search(documents.pages_query(index.schema, pub_id), 1)) == 0:
            raise NotFoundError(f"no publication {pub_id!r} in the index (see `pubsearch search`)")
        raise NotFoundError(f"{pub_id} has no page {page}")
    return searcher.doc(hits[0][1])


def show_page(index_dir: Readable, pub_id: str, page: int, *, query: str | None = None) -> PageView:
    """The text of page `page` of `pub_id`, with the matches of `query` highlighted."""
    view = view_of(index_dir)
    index, searcher = view.index, view.searcher
    doc = page_doc(index, pub_id, page, searcher)
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


def pdf_file(index_dir: Readable, pub_id: str) -> Path:
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


def last_run_id(index_dir: Path) -> int:
    """The id of the index's last run (pages it wrote carry it), for ``--new``."""
    run_info = s.read_meta(index_dir).get("last_run")
    if not isinstance(run_info, dict) or not isinstance(run_info.get("run"), int):
        raise BadOptionError(f"--new: the index at {index_dir} records no index run yet")
    return int(run_info["run"])
