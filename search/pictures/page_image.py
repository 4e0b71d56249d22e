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

import contextlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from indexer.index import documents
from indexer.model import OcrState
from search.errors import NotFoundError, PageImageError, RenderBusyError, RenderLimitError
from search.pictures.pool import RENDER_MEMORY_MB, RENDER_TIMEOUT, WorkerPool
from search.pictures.words import Box, PageWords, fill_phrase_gaps, marked_words
from search.query import compile as qb
from search.query import syntax as q
from search.reader import Readable, View, view_of
from search.results.pages import page_doc
from search.results.snippets import from_tantivy, whole_page

#: Picture widths in pixels one may ask for (the page view offers them all in a srcset,
#: so the browser picks the one that is sharp at its size and pixel density).
WIDTHS = (400, 600, 800, 1000, 1200, 1600, 2000, 2400)
DEFAULT_WIDTH = 1200
CACHE_CAP_MB = 256  # pictures kept on disk
PICTURES_VERSION = 1


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    boxes: tuple[Box, ...]
    words: tuple[str, ...] = ()

    def points(self) -> list[list[float]]:
        """The boxes as ``[x0, y0, x1, y1]`` in PDF points, from the page's top left."""
        return [PageWords(self.width, self.height, self.source, ()).points(b) for b in self.boxes]

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


# ---------------------------------------------------------------- the picture cache


class PictureCache:
    """Rendered pages and word boxes on disk, by content hash, page (and width), with a
    size cap; also the pages that could not be rendered, so they are not tried again."""

    subdir = "pictures"

    def __init__(self, root: Path, cap_mb: int = CACHE_CAP_MB) -> None:
        self.root = root
        self.folder = root / self.subdir / f"v{PICTURES_VERSION}"
        self.cap = cap_mb * 1024 * 1024
        self._lock = threading.Lock()
        self._total: int | None = None

    def _file(self, sha256: str, name: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}-{name}"

    def png(self, sha256: str, page: int, width: int, marked: str = "") -> Path:
        return self._file(sha256, f"{page}-{width}{marked}.png")

    def words_file(self, sha256: str, page: int) -> Path:
        return self._file(sha256, f"{page}.words.json")

    def failure_file(self, sha256: str, page: int) -> Path:
        return self._file(sha256, f"{page}.failed")

    def failure(self, sha256: str, page: int) -> str | None:
        try:
            return self.failure_file(sha256, page).read_text(encoding="utf-8")
        except OSError:  # no failure recorded for this page
            return None

    def write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        self.added(target)

    def touch(self, path: Path) -> None:
        """Mark `path` as just used (the cap removes the least recently used first)."""
        with contextlib.suppress(OSError):  # removed meanwhile by the cap: nothing to mark
            os.utime(path)

    def added(self, path: Path) -> None:
        """Count a new file against the cap; over it, remove the oldest files to 90 %."""
        with self._lock:
            if self._total is None:
                self._total = self.size()[1]
            else:
                try:
                    self._total += path.stat().st_size
                except OSError:  # removed meanwhile (another request's clean-up)
                    return
            if self._total <= self.cap:
                return
            files = []
            for f in self.folder.glob("*/*"):
                try:
                    st = f.stat()
                except OSError:  # removed meanwhile: not there to count or remove
                    continue
                files.append((st.st_mtime, st.st_size, f))
            files.sort()
            total = sum(size for _, size, _ in files)
            for _, size, f in files:
                if total <= self.cap * 0.9:
                    break
                if f != path:
                    f.unlink(missing_ok=True)
                    total -= size
            self._total = total

    def size(self) -> tuple[int, int]:
        """(files, bytes) in the cache, of every version."""
        base = self.root / self.subdir
        files = [f for f in base.glob("*/*/*") if f.is_file()] if base.is_dir() else []
        return len(files), sum(f.stat().st_size for f in files)

    def clear(self) -> tuple[int, int]:
        removed = self.size()
        shutil.rmtree(self.root / self.subdir, ignore_errors=True)
        with self._lock:
            self._total = None
        return removed


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

    def _call(self, target: PageTarget, request: dict[str, Any]) -> dict[str, Any]:
        known = self.cache.failure(target.sha256, target.page)
        if known is not None:
            raise RenderLimitError(known)
        request = {"path": str(target.path), "page": target.page, **request}
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
        answer = self._call(
            target, {"op": "words", "ocr": target.ocr, "cache_dir": str(self.cache_root)}
        )
        words = PageWords.from_json(answer)
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
            pub_id,
            page,
            words.width,
            words.height,
            words.source,
            tuple(w.box for w in found),
            tuple(w.text for w in found),
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
        self._call(target, {"op": "render", "width": width, "out": str(out)})
        self.cache.added(out)
        return out

    def write_marked(
        self, pub_id: str, page: int, query: str | None, out: Path, width: int = DEFAULT_WIDTH
    ) -> PageMarks:
        """Write the page with the matches of `query` marked as a PNG to `out`."""
        marks = self.marks(pub_id, page, query)
        target = self.target(pub_id, page)
        request = {
            "op": "render",
            "width": width,
            "out": str(out.resolve()),
            "boxes": [list(b) for b in marks.boxes],
        }
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
