"""Page pictures with the query's matches marked: for the web page view and ``pubsearch show
--png/--json``.

Data flow for one page view::

    (id, page) -> PageTarget (the page's index document: file, content hash, text, OCR?)
               -> PageWords  (word boxes: PDFium's text page, or Tesseract's for OCR pages;
                              made once by the render worker, then kept in the cache)
    query      -> highlight spans of the stored text (the index's snippet generator)
               -> PageMarks  (the boxes of exactly those words, :func:`marked_words`)
    width      -> PNG of the page (render worker), cached by content hash, page and width

PDFium runs only in the render worker (:mod:`search.pictures.render_worker`), a separate process
with an address-space limit and a time limit per request: a page that takes too long or too
much memory raises :class:`RenderLimitError`, the process is killed and the next request
gets a fresh one. A page that failed is remembered (by content hash and page), so it is not
tried again until the cache is cleared. Pictures live under ``<cache>/pictures/`` with a
size cap: past it, the least recently used pictures are removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import tantivy

from indexer.extraction.word_boxes import FractionBox
from indexer.index import documents
from indexer.model import OcrState
from search.errors import NotFoundError, PageImageError, RenderBusyError, RenderLimitError
from search.pictures.picture_cache import CACHE_CAP_MB, PictureCache
from search.pictures.render_messages import (
    Rendered,
    RenderRequest,
    Request,
    WordsFound,
    WordsRequest,
)
from search.pictures.render_pool import RENDER_MEMORY_MB, RENDER_TIMEOUT, WorkerPool
from search.pictures.words import PageWords, fill_phrase_gaps, marked_words
from search.query import compile as qb
from search.query import syntax as q
from search.reader import Readable, View, view_of
from search.results.pages import page_doc
from search.results.snippets import from_tantivy, whole_page

#: Picture widths in pixels one may ask for (the page view offers them all in a srcset,
#: so the browser picks the one that is sharp at its size and pixel density).
WIDTHS = (400, 600, 800, 1000, 1200, 1600, 2000, 2400)
DEFAULT_WIDTH = 1200


@dataclass(frozen=True, slots=True, kw_only=True)
class PageTarget:
    """One indexed page and where its PDF is: `sha256` is the file's content hash, `text`
    the page's stored text (in the field of `language`), `ocr` whether it came from OCR."""

    id: str
    page: int
    page_count: int
    path: Path
    sha256: str
    language: str
    text: str
    ocr: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMarks:
    """The boxes of the words a query matched on one page.

    width, height: the page as shown, in PDF points; source: where the word boxes came from
    (``pdfium``, ``ocr``, or ``none`` when none are known); boxes: fractions of the page,
    from its top left, one per matched word in text order; words: what each box shows.
    """

    id: str
    page: int
    width: float
    height: float
    source: str
    boxes: tuple[FractionBox, ...]
    words: tuple[str, ...] = ()

    def points(self) -> list[list[float]]:
        """The boxes as ``[x0, y0, x1, y1]`` in PDF points, from the page's top left."""
        page = PageWords(width=self.width, height=self.height, source=self.source, words=())
        return [page.points(b) for b in self.boxes]

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page": self.page,
            "width": round(self.width, 2),
            "height": round(self.height, 2),
            "source": self.source,
            "boxes": self.points(),
            "words": list(self.words),
        }


# ---------------------------------------------------------------- pages and marks


def highlight_spans(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    tquery: tantivy.Query,
    target: PageTarget,
    doc: tantivy.Document,
) -> list[tuple[int, int]]:
    """The character ranges of the page's stored text that the snippet generator highlights
    for the built query `tquery` (the whole page taken as one fragment)."""
    text = target.text
    if not text:
        return []
    found = whole_page(searcher, tquery, schema, doc, documents.text_field_of(doc))
    snippet = from_tantivy(found)
    base = text.find(snippet.text)
    if base < 0:
        return []
    return [(base + start, base + end) for start, end in snippet.marks]


def phrases(node: q.Node) -> list[str]:
    """The texts of the phrases a query asks for in the page text (not under NOT)."""
    if isinstance(node, q.Phrase):
        return [node.text] if node.field is None else []
    if isinstance(node, (q.And, q.Or)):
        return [text for child in node.nodes for text in phrases(child)]
    return []


class PagePictures:
    """Pictures and marks of the pages of one index (one per web server or CLI call)."""

    def __init__(
        self,
        index_dir: Path,
        cache_dir: Path | None = None,
        timeout: float = RENDER_TIMEOUT,
        memory_mb: int = RENDER_MEMORY_MB,
        cap_mb: int = CACHE_CAP_MB,
        workers: int = 2,
    ) -> None:
        from indexer.extraction.cache import (
            default_cache_dir,  # the writing side: only when serving
        )

        self.index_dir = index_dir
        #: where pages are read from: the folder (opened per call), or a long-lived reader
        self.source: Readable = index_dir
        self.cache_root = cache_dir or default_cache_dir()
        self.cache = PictureCache(self.cache_root, cap_mb)
        self.pool = WorkerPool(workers, timeout, memory_mb)

    def close(self) -> None:
        self.pool.close()

    def _lookup(self, pub_id: str, page: int) -> tuple[View, tantivy.Document, PageTarget]:
        view = view_of(self.source)
        doc = page_doc(view.index, pub_id, page, view.searcher)
        stored, pub = documents.page_of(doc), documents.publication_of(doc)
        abspath = pub.abspath
        if not abspath:
            raise NotFoundError(f"{pub_id} has no PDF (a catalog entry without a file)")
        path = Path(abspath)
        if not path.is_file():
            raise NotFoundError(f"{pub_id}: its PDF is no longer at {path}; re-index")
        target = PageTarget(
            id=pub_id,
            page=page,
            page_count=pub.page_count or page,
            path=path,
            sha256=pub.sha256,
            language=stored.language,
            text=stored.text,
            ocr=stored.ocr is OcrState.DONE,
        )
        return view, doc, target

    def target(self, pub_id: str, page: int) -> PageTarget:
        """The page, checked: :class:`NotFoundError` for an unknown id, page or lost PDF."""
        return self._lookup(pub_id, page)[2]

    @overload
    def _call(self, target: PageTarget, request: WordsRequest) -> WordsFound: ...
    @overload
    def _call(self, target: PageTarget, request: RenderRequest) -> Rendered: ...
    def _call(self, target: PageTarget, request: Request) -> WordsFound | Rendered:
        """`request` for the page `target` to a render worker; a page over the limits is
        remembered, and not tried again."""
        known = self.cache.failure(target.sha256, target.page)
        if known is not None:
            raise RenderLimitError(known)
        try:
            return self.pool.call(request)
        except RenderLimitError as exc:
            message = f"{target.id}, page {target.page}: {exc}"
            self.cache.write(self.cache.failure_file(target.sha256, target.page), message.encode())
            raise RenderLimitError(message) from exc
        except RenderBusyError:
            raise
        except PageImageError as exc:
            raise PageImageError(f"{target.id}, page {target.page}: {exc}") from exc

    def words(self, target: PageTarget) -> PageWords:
        """The page's word boxes (made once, then read from the cache)."""
        cached = self.cache.words_file(target.sha256, target.page)
        try:
            return PageWords.from_json(json.loads(cached.read_bytes()))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not made yet, or of an older layout: make it (below) and cache it
        request = WordsRequest(
            path=str(target.path),
            page=target.page,
            ocr=target.ocr,
            cache_dir=str(self.cache_root),
        )
        words = self._call(target, request).words
        self.cache.write(cached, json.dumps(words.to_json(), ensure_ascii=False).encode())
        return words

    def view(
        self, pub_id: str, page: int, query: str | None
    ) -> tuple[PageMarks | PageImageError, tuple[int, ...]]:
        """What the page view needs, with the index opened and the query built once: the
        marks (or why there are none) and the numbers of the publication's pages that
        `query` matches. :class:`NotFoundError` for an unknown page."""
        view, doc, target = self._lookup(pub_id, page)
        index, searcher = view.index, view.searcher
        tquery, node = None, None
        if query and query.strip():
            node = q.parse(query)
            options = qb.Options(analysis=view.analysis)
            tquery = qb.build(node, index.schema, options=options, searcher=searcher)
        hits = self._hits(index, searcher, tquery, pub_id) if tquery is not None else ()
        try:
            words = self.words(target)
        except PageImageError as exc:
            return exc, hits
        spans: list[tuple[int, int]] = []
        if tquery is not None and node is not None:
            spans = highlight_spans(searcher, index.schema, tquery, target, doc)
            spans = fill_phrase_gaps(target.text, spans, phrases(node))
        found = marked_words(target.text, spans, words.words)
        marks = PageMarks(
            id=pub_id,
            page=page,
            width=words.width,
            height=words.height,
            source=words.source,
            boxes=tuple(w.box for w in found),
            words=tuple(w.text for w in found),
        )
        return marks, hits

    def marks(self, pub_id: str, page: int, query: str | None) -> PageMarks:
        """The boxes of the words `query` matched on the page (none without a query)."""
        marks, _ = self.view(pub_id, page, query)
        if isinstance(marks, PageImageError):
            raise marks
        return marks

    def picture(self, target: PageTarget, width: int = DEFAULT_WIDTH) -> Path:
        """The page rendered `width` pixels wide, as a PNG file in the cache."""
        if width not in WIDTHS:
            raise PageImageError(f"w: expected one of {', '.join(map(str, WIDTHS))}, not {width}")
        out = self.cache.png(target.sha256, target.page, width)
        if out.is_file():
            self.cache.touch(out)
            return out
        request = RenderRequest(path=str(target.path), page=target.page, width=width, out=str(out))
        self._call(target, request)
        self.cache.added(out)
        return out

    def write_marked(
        self, pub_id: str, page: int, query: str | None, out: Path, width: int = DEFAULT_WIDTH
    ) -> PageMarks:
        """Write the page with the matches of `query` marked as a PNG to `out`."""
        marks = self.marks(pub_id, page, query)
        target = self.target(pub_id, page)
        request = RenderRequest(
            path=str(target.path),
            page=target.page,
            width=width,
            out=str(out.resolve()),
            boxes=marks.boxes,
        )
        self._call(target, request)
        return marks

    def hit_pages(self, pub_id: str, query: str | None) -> tuple[int, ...]:
        """The numbers of the publication's pages that `query` matches, in order."""
        if not query or not query.strip():
            return ()
        view = view_of(self.source)
        options = qb.Options(analysis=view.analysis)
        tquery = qb.build(
            q.parse(query), view.index.schema, options=options, searcher=view.searcher
        )
        return self._hits(view.index, view.searcher, tquery, pub_id)

    @staticmethod
    def _hits(
        index: tantivy.Index, searcher: tantivy.Searcher, tquery: tantivy.Query, pub_id: str
    ) -> tuple[int, ...]:
        only = documents.pages_query(index.schema, pub_id)
        both = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tquery), (tantivy.Occur.Must, only)]
        )
        hits = searcher.search(both, 10_000).hits
        pages = {documents.number_of(searcher.doc(address)) for _, address in hits}
        return tuple(sorted(p for p in pages if p >= 1))
