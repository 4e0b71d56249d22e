"""The codes records carry: reason, status, origin, page quality, OCR state and mode,
file actions and planned steps. Standard library only; :mod:`indexer.model` re-exports
every name, so records and their codes are imported from one place.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a file or a page could not be read (the machine-readable code of a failure)."""

    CORRUPT = "corrupt"  # not a readable PDF, or a file that is not there
    ENCRYPTED = "encrypted"  # locked and no password opened it
    NO_PAGES = "no-pages"  # the PDF parsed but has no pages
    UNREADABLE = "unreadable"  # one page could not be parsed
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out-of-memory"
    CRASHED = "crashed"  # the worker died (a signal or an exit code)


#: Failures that a larger limit (or --retry-failed) may overcome.
LIMIT_REASONS = frozenset({Reason.TIMEOUT, Reason.OUT_OF_MEMORY, Reason.CRASHED})


class Status(StrEnum):
    """What the index holds for one source (a file record's status)."""

    INDEXED = "indexed"  # every page read
    PARTIAL = "partial"  # some pages failed (FileRecord.failed_pages)
    NO_TEXT = "no-text"  # readable, but no page has text
    FAILED = "failed"  # the file could not be read (FileRecord.reason, detail)
    METADATA = "metadata"  # a catalog entry without a PDF


class Origin(StrEnum):
    """Where a source came from."""

    CATALOG = "catalog"
    PATH = "path"


class PageQuality(StrEnum):
    """How usable a page's text is (of the OCR text when OCR read the page)."""

    OK = "ok"
    EMPTY = "empty"
    UNMAPPED = "unmapped"
    GARBLED = "garbled"
    ERROR = "error"  # the page could not be read
    NONE = "none"  # the one document of a catalog entry without a PDF


class OcrState(StrEnum):
    """A page's OCR state."""

    DONE = "done"  # the text came from OCR
    NEEDED = "needed"  # no usable text, and OCR did not read it
    NONE = ""


class OcrMode(StrEnum):
    """``--ocr``: auto (pages without usable text), off (flag them), force (every page)."""

    AUTO = "auto"
    OFF = "off"
    FORCE = "force"


OCR_MODES = tuple(m.value for m in OcrMode)


class Action(StrEnum):
    """What happened to one file in a run."""

    ADDED = "added"
    UPDATED = "updated"
    RENAMED = "renamed"
    REMOVED = "removed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


#: Actions that write a file's pages.
WRITTEN = (Action.ADDED, Action.UPDATED, Action.RENAMED)


class Step(StrEnum):
    """A planned step for one source (see :class:`Change`)."""

    ADD = "add"
    UPDATE = "update"
    RENAME = "rename"
    TOUCH = "touch"  # same content, new size or mtime: only the file record changes
    UNCHANGED = "unchanged"
    REMOVE = "remove"
    MISSING = "missing"
    REKEY = "rekey"  # a PDF outside the catalog whose id is now a catalog entry's
