"""The index writer and its commit policy: the only code that changes an index.

:class:`Store` adds and removes publications and file records and commits every few
files or seconds, so a killed run leaves the last commit searchable and the next run
resumes from it. :func:`open_for_writing` creates or opens (or, rebuilding, clears) the
index; :func:`load_records` reads back the file records the diff compares against.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import tantivy

from indexer.errors import SchemaVersionError
from indexer.index import schema as s
from indexer.index.documents import (
    page_documents,
    page_of,
    pages_query,
    publication_of,
    record_document,
    record_of,
    records_query,
)
from indexer.model import (
    COMMIT_EVERY_FILES,
    COMMIT_EVERY_SECONDS,
    STANDARD,
    FileRecord,
    Page,
    Publication,
)


class Store:
    """An index writer that commits every `every_files` files or `every_seconds`.

    A file counts once it has its record (:meth:`put_record`) or was removed
    (:meth:`remove` with ``done=True``).
    """

    def __init__(
        self,
        index: tantivy.Index,
        *,
        every_files: int = COMMIT_EVERY_FILES,
        every_seconds: float = COMMIT_EVERY_SECONDS,
        analysis: str = STANDARD,
    ) -> None:
        self.index = index
        self.analysis = analysis  # the index's: which lookup terms its pages get
        self._writer = index.writer(heap_size=64_000_000, num_threads=1)
        self.run = time.time_ns() // 1000  # stamped on every page this run writes (µs)
        self.every_files, self.every_seconds = every_files, every_seconds
        self.pending = 0
        self.last = time.monotonic()

    def reset(self) -> None:
        """Delete every document (``--rebuild`` of an index of the same schema)."""
        self._writer.delete_all_documents()

    def add_publication(self, pub: Publication, pages: Sequence[Page]) -> None:
        """Write the page documents of `pub` (stamped with this run)."""
        for doc in page_documents(pub, pages, self.run, self.analysis):
            self._writer.add_document(doc)

    def put_record(self, record: FileRecord) -> None:
        """Write `record`, replacing any record of the same key; the file is done."""
        self.remove_record(record.key)
        self._writer.add_document(record_document(record))
        self._file_done()

    def remove(self, pub_id: str, *, done: bool = False) -> None:
        """Delete a publication's pages and its file record (`done`: that is all this
        file needs, count it for the commit policy)."""
        self._writer.delete_documents_by_term(s.F_ID, pub_id)
        if done:
            self._file_done()

    def rekey(self, record: FileRecord, new_id: str) -> int:
        """Move the pages of `record`'s file and the record itself to publication id
        `new_id` (its id is now another's); how many pages moved."""
        found = indexed(self.index, record)
        self._writer.delete_documents_by_query(
            pages_query(self.index.schema, record.id, abspath=record.abspath)
        )
        if found is not None:
            pub, pages = found
            self.add_publication(replace(pub, id=new_id), pages)
        self.put_record(replace(record, id=new_id))
        return len(found[1]) if found is not None else 0

    def remove_record(self, key: str) -> None:
        """Delete the file record of `key` (the publication's pages stay)."""
        self._writer.delete_documents_by_query(records_query(self.index.schema, key))

    def commit(self) -> None:
        self._writer.commit()
        self.pending = 0
        self.last = time.monotonic()

    def close(self) -> None:
        """Commit what is left and wait for segment merges to finish."""
        self.commit()
        self._writer.wait_merging_threads()

    def _file_done(self) -> None:
        self.pending += 1
        if self.pending >= self.every_files or time.monotonic() - self.last >= self.every_seconds:
            self.commit()


def load_records(index: tantivy.Index) -> dict[str, FileRecord]:
    """Every file record of the last commit, by key."""
    searcher = index.searcher()
    query = records_query(index.schema)
    limit = max(1, searcher.num_docs)
    records = (record_of(searcher.doc(a)) for _, a in searcher.search(query, limit).hits)
    return {r.key: r for r in records}


def indexed(index: tantivy.Index, record: FileRecord) -> tuple[Publication, list[Page]] | None:
    """The publication and pages the last commit holds for the file of `record` (pages
    read back: ``error`` is None, a page that failed has quality ``error``), or None."""
    index.reload()  # (the last commit may be this run's)
    searcher = index.searcher()
    query = pages_query(index.schema, record.id, abspath=record.abspath)
    hits = searcher.search(query, max(1, searcher.num_docs)).hits
    docs = [searcher.doc(address) for _, address in hits]
    if not docs:
        return None
    pages = sorted((page_of(doc) for doc in docs), key=lambda page: page.number)
    return publication_of(docs[0]), pages


def open_for_writing(
    index_dir: Path, *, rebuild: bool, analysis: str
) -> tuple[tantivy.Index, bool]:
    """(index, clear): create it if absent; with `rebuild`, start it afresh (`clear`: an
    index of the same schema whose documents the store is to delete)."""
    exists = (index_dir / "meta.json").is_file()
    if exists and rebuild:
        try:
            return s.open_index(index_dir), True
        except SchemaVersionError:
            _clear(index_dir)
            return s.create_index(index_dir, analysis), False
    if exists:
        return s.open_index(index_dir), False
    return s.create_index(index_dir, analysis), False


_TANTIVY_SUFFIXES = {".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm", ".del"}
_INDEX_FILES = {"meta.json", ".managed.json", s.META_FILE, ".tantivy-meta.lock"}
_INDEX_FILES |= {".tantivy-writer.lock"}


def _clear(index_dir: Path) -> None:
    """Remove an index's own files (and nothing else, not the lock) before recreating it."""
    for child in index_dir.iterdir():
        if child.is_file() and (child.suffix in _TANTIVY_SUFFIXES or child.name in _INDEX_FILES):
            child.unlink()
