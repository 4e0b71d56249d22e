"""A long-lived reader of one index: opened once, reloaded when a commit lands.

``pubsearch serve`` keeps one :class:`IndexReader` for its whole life. Every request asks
it for a :class:`View`: one Tantivy searcher, so the hits, the facets and the "did you mean"
suggestion of a request all come from the same commit. Before handing out a view the reader
checks (a ``stat`` of the index's ``meta.json``, which Tantivy replaces on every commit,
and of pubsearch's own metadata beside it) whether a commit has landed, and reloads the
Tantivy reader if so: a page indexed while the server runs is found by the next request,
without reopening the index each time. When the index was recreated with another schema
version or analysis (``pubsearch index --rebuild`` by another pubsearch), it is opened
anew, which checks the schema version again.

The library's readers (:func:`search.results.answer.search`, ``browse``, ``show_page``...) take
an :data:`Readable`: an index folder (a command-line search opens it for its one search), a
reader, or a view (several calls of one request over the same commit).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import tantivy

from indexer.index import schema as s


@dataclass(frozen=True, slots=True)
class View:
    """One commit of the index, for one request.

    index: the open index (its schema, and its analyzers registered);
    searcher: a searcher over that commit;
    analysis: how the index analyzes text (:data:`indexer.index.schema.ANALYSES`);
    generation: how many times the reader has reloaded or reopened the index before this
        view (views of the same reader and generation see the same commit).
    """

    index: tantivy.Index
    searcher: tantivy.Searcher
    analysis: str
    generation: int = 0

    @property
    def schema(self) -> tantivy.Schema:
        return self.index.schema


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class IndexReader:
    """The index at `index_dir`, open for searching; see the module docstring.

    Raises :class:`~indexer.errors.IndexNotFoundError` or
    :class:`~indexer.errors.SchemaVersionError` when there is no usable index, on opening
    and on any later :meth:`view` that finds the index gone or recreated unusable."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._generation = 0
        self._index, self._opened, self._stamps = self._open()

    def _stamps_now(self) -> tuple[object, object]:
        return _stamp(self.index_dir / "meta.json"), _stamp(self.index_dir / s.META_FILE)

    def _kind(self) -> tuple[object, str]:
        """What decides whether the open index still fits: schema version and analysis."""
        return s.read_meta(self.index_dir).get("schema_version"), s.analysis_of(self.index_dir)

    def _open(self) -> tuple[tantivy.Index, tuple[object, str], tuple[object, object]]:
        stamps = self._stamps_now()
        index = s.open_index(self.index_dir)
        index.config_reader(reload_policy="manual")
        return index, self._kind(), stamps

    def view(self) -> View:
        """A searcher over the latest commit (reloading the reader if one has landed)."""
        with self._lock:
            stamps = self._stamps_now()
            if stamps != self._stamps:
                self._generation += 1
                if stamps[0] is not None and self._kind() == self._opened:
                    self._stamps = stamps
                    self._index.reload()
                else:  # gone, or recreated with another schema or analysis: open it anew
                    self._index, self._opened, self._stamps = self._open()
            searcher = self._index.searcher()
            return View(self._index, searcher, self._opened[1], self._generation)


Readable: TypeAlias = Path | IndexReader | View

#: The readers this process keeps, by absolute index folder (None: keep none, open the
#: index for each view: a ``pubsearch`` process makes one search).
_kept: dict[str, IndexReader] | None = None


def keep_readers() -> None:
    """From now on, keep one reader per index folder that a view is asked of, for the
    life of this process (``pubsearch daemon``: a folder is opened once, then reloaded
    when a commit lands)."""
    global _kept
    if _kept is None:
        _kept = {}


def view_of(index: Readable) -> View:
    """The view to search: `index` itself, the latest commit of a reader, or of the index
    in a folder (opened for this one view, unless this process keeps its readers)."""
    if isinstance(index, View):
        return index
    if isinstance(index, IndexReader):
        return index.view()
    if _kept is None:
        return IndexReader(index).view()
    key = os.path.abspath(index)
    kept = _kept.get(key)
    if kept is None:
        kept = _kept[key] = IndexReader(Path(key))
    return kept.view()
