"""Typed records passed between the indexing stages (no heavy imports here).

:class:`PdfInfo` and :class:`RawPage` come out of extraction; worker processes send them to
the parent and the extraction cache stores them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bumped whenever extraction output changes for the same input (part of the cache key).
EXTRACTOR_VERSION = 2


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """Document-level facts read from the PDF.

    title, author: from the document info dictionary, stripped; None when absent or empty.
    year: the creation year (``/CreationDate``), else the modification year, else None.
    page_count: number of pages in the page tree.
    encrypted: whether the file is encrypted (and was opened with a password, maybe empty).
    """

    title: str | None
    author: str | None
    year: int | None
    page_count: int
    encrypted: bool


@dataclass(frozen=True, slots=True)
class RawPage:
    """The text pdfminer found on one page.

    number: 1-based page number.
    text: text boxes in reading order, separated by blank lines; may hold ``(cid:N)`` runs.
    error: why the page could not be read (``timeout``, ``out-of-memory``, a parse error),
        or None.
    """

    number: int
    text: str
    error: str | None = None
