"""A file read again with unchanged content never loses what the index holds.

A file whose content is unchanged (same SHA-256) is read again when ``--retry-failed``
asks, when OCR can now read pages it could not, when a password is given, when the file
moved, or when its catalog metadata changed. That reading may meet a passing failure (a
time or memory limit, a worker that died) the earlier one did not:

- a page that was read before and fails now keeps its indexed text (:func:`merge`);
- a file that fails as a whole now keeps every indexed page, and its record keeps saying
  which pages are missing and why (:func:`kept_record`, :func:`kept_detail`).

A reading that gets more pages replaces the old one. A changed file (new content) replaces
its old pages, whatever comes of reading it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from indexer.model import Change, FileRecord, OcrState, Page, Status


def same_content(change: Change) -> bool:
    """Whether `change` reads again a file the index holds pages of, content unchanged."""
    record = change.record
    return (
        record is not None
        and record.status is not Status.FAILED
        and bool(change.sha256)
        and record.sha256 == change.sha256
    )


def readable(record: FileRecord, pages: Sequence[Page]) -> dict[int, Page]:
    """The indexed pages of `record`'s file that were read (not among its failed pages)."""
    return {p.number: p for p in pages if p.number not in record.failed_pages}


def _worse(new: Page, old: Page) -> bool:
    """Whether the new reading of a page lost what the indexed one has."""
    return new.error is not None or (new.ocr is OcrState.NEEDED and old.ocr is OcrState.DONE)


def merge(pages: Sequence[Page], indexed: Mapping[int, Page]) -> tuple[list[Page], list[int]]:
    """`pages` with each page that the new reading lost replaced by its `indexed` page,
    and the numbers of the pages so kept."""
    merged: list[Page] = []
    kept: list[int] = []
    for page in pages:
        old = indexed.get(page.number)
        if old is not None and _worse(page, old):
            merged.append(old)
            kept.append(page.number)
        else:
            merged.append(page)
    return merged, kept


def kept_note(kept: Sequence[int]) -> str:
    """What the event of a file says of the pages kept from the index."""
    numbers = ",".join(map(str, kept))
    return f"page {numbers}: not read again this time; the indexed text is kept"


def kept_detail(record: FileRecord, failure: str) -> str:
    """What the event of a file that failed as a whole, its pages kept, says."""
    again = f"read again: {failure}; the indexed pages are kept"
    return f"{record.detail} ({again})" if record.detail else again


def as_found(record: FileRecord, change: Change, **more: Any) -> FileRecord:
    """`record` for the file where and as the plan found it now (path, key, size, time),
    with `more` fields changed too."""
    source = change.source
    assert source is not None and source.path is not None
    return replace(
        record,
        key=source.key,
        path=str(source.path),
        abspath=source.key,
        size=change.size,
        mtime_ns=change.mtime_ns,
        **more,
    )


def kept_record(change: Change) -> FileRecord:
    """The record of a file that failed as a whole, its pages kept: the old one, for the
    file as it is now (path, size, time, catalog metadata)."""
    record, source = change.record, change.source
    assert record is not None and source is not None
    return as_found(record, change, id=change.id, meta_hash=source.meta_hash, source=source.origin)
