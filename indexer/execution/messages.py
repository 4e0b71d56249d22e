"""The messages between the pool's supervisor and its worker processes (pickled on a pipe).

The supervisor sends a worker one :data:`Request` per job (a job whose worker died or was
ended goes to a fresh worker from where it stopped), or :class:`Stop`; the worker answers
with a stream of :data:`Reply` messages that ends with :class:`Done` or :class:`Failed`::

    ExtractFile  -> InfoRead (from page 1 only), PageRead..., [Analyzing, TextMade], Done | Failed
    MakeText     -> Analyzing, TextMade, Done
    ReadWithOcr  -> (OcrPageStarted, OcrPageRead)..., [Analyzing, TextMade], Done

A worker that dies sends nothing more: the supervisor sees its pipe close or its process
end, and records the page it was on (:mod:`indexer.execution.pool`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from indexer.model import (
    FileFailure,
    FileText,
    OcrPage,
    OcrPlan,
    PdfInfo,
    RawPage,
    TextRequest,
)

__all__ = [
    "Analyzing",
    "Done",
    "ExtractFile",
    "Failed",
    "InfoRead",
    "MakeText",
    "OcrPageRead",
    "OcrPageStarted",
    "PageRead",
    "ReadWithOcr",
    "Reply",
    "Request",
    "Stop",
    "TextMade",
]

# ------------------------------------------------------------------ supervisor -> worker


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractFile:
    """Extract `path` from page `start` on; with `text`, make its page texts too (from page 1)."""

    path: Path
    passwords: tuple[str, ...]
    start: int
    text: TextRequest | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MakeText:
    """Make the page texts of `pages`, already extracted, as `text` asks."""

    pages: tuple[RawPage, ...]
    text: TextRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadWithOcr:
    """OCR the `plan`'s pages from index `start` on; with `text` and `start` 0, the texts too."""

    path: Path
    passwords: tuple[str, ...]
    plan: OcrPlan
    start: int
    pages: tuple[RawPage, ...]
    text: TextRequest | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """End the worker process (it has no job)."""


Request: TypeAlias = ExtractFile | MakeText | ReadWithOcr | Stop

# ------------------------------------------------------------------ worker -> supervisor


@dataclass(frozen=True, slots=True, kw_only=True)
class InfoRead:
    """The document's facts, read on opening the file (before page 1)."""

    info: PdfInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRead:
    """One page extracted (the next one's time starts now)."""

    page: RawPage


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrPageStarted:
    """OCR starts on page `number` (its time starts now)."""

    number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OcrPageRead:
    """One page read with OCR (or its error)."""

    page: OcrPage


@dataclass(frozen=True, slots=True, kw_only=True)
class Analyzing:
    """Every page is in; the worker makes the file's page texts (under the text time limit)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TextMade:
    """The file's page texts, normalized and language-tagged."""

    text: FileText


@dataclass(frozen=True, slots=True, kw_only=True)
class Done:
    """The job ended; the worker waits for the next one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Failed:
    """The file could not be read as a whole (the pages sent before it stand)."""

    failure: FileFailure


Reply: TypeAlias = (
    InfoRead | PageRead | OcrPageStarted | OcrPageRead | Analyzing | TextMade | Done | Failed
)
