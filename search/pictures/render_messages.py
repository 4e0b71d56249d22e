"""The messages between the render pool (:mod:`search.pictures.render_pool`) and its worker
process (:mod:`search.pictures.render_worker`), and their form on the pipe.

The worker says :class:`Ready` once it has started; then each :data:`Request` gets one
:data:`Reply`::

    WordsRequest  -> WordsFound | RequestFailed | OutOfMemory
    RenderRequest -> Rendered   | RequestFailed | OutOfMemory

On the pipe each message is one line of JSON, ``{"<class name>": {<fields>}}`` (not
pickle: the pool would then run whatever a worker that PDFium got wrong sends back).
:func:`encode` writes it and :func:`decode_request` / :func:`decode_reply` read it, so both
processes go by the definitions here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeAlias, TypeVar

from indexer.extraction.word_boxes import FractionBox
from search.pictures.words import PageWords

__all__ = [
    "OutOfMemory",
    "Ready",
    "RenderRequest",
    "Rendered",
    "Reply",
    "Request",
    "RequestFailed",
    "WordsFound",
    "WordsRequest",
    "decode_reply",
    "decode_request",
    "encode",
]

# ------------------------------------------------------------------ pool -> worker


@dataclass(frozen=True, slots=True, kw_only=True)
class WordsRequest:
    """A page's words with their boxes; for an OCR'd page (`ocr`), from OCR's `cache_dir`."""

    path: str
    page: int
    passwords: tuple[str, ...] = ()
    ocr: bool = False
    cache_dir: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderRequest:
    """A page rendered `width` pixels wide into a PNG at `out`, with marks over `boxes`."""

    path: str
    page: int
    passwords: tuple[str, ...] = ()
    width: int
    out: str
    boxes: tuple[FractionBox, ...] = ()


Request: TypeAlias = WordsRequest | RenderRequest

# ------------------------------------------------------------------ worker -> pool


@dataclass(frozen=True, slots=True, kw_only=True)
class Ready:
    """The worker has started (Python and PDFium loaded): from now on requests are timed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WordsFound:
    """The answer to a :class:`WordsRequest`: the page's size and words."""

    words: PageWords


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """The answer to a :class:`RenderRequest`: the size of the picture written, in pixels."""

    width: int
    height: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestFailed:
    """The request failed (the worker goes on); `detail` says why."""

    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OutOfMemory:
    """The request needed more memory than the worker's limit (its heap is of no more use)."""


Reply: TypeAlias = Ready | WordsFound | Rendered | RequestFailed | OutOfMemory

# ------------------------------------------------------------------ on the pipe


def encode(message: Request | Reply) -> bytes:
    """`message` as one line of JSON: ``{"<class name>": {<fields>}}``."""
    match message:
        case WordsFound(words=words):
            body: dict[str, Any] = {"words": words.to_json()}
        case _:  # plain fields: JSON writes the tuples as lists
            body = {f.name: getattr(message, f.name) for f in fields(message)}
    return json.dumps({type(message).__name__: body}).encode() + b"\n"


def decode_request(line: str | bytes) -> Request:
    """The :data:`Request` :func:`encode` wrote as `line`."""
    return _decode(line, _REQUESTS)


def decode_reply(line: str | bytes) -> Reply:
    """The :data:`Reply` :func:`encode` wrote as `line`."""
    return _decode(line, _REPLIES)


M = TypeVar("M")


def _decode(line: str | bytes, kinds: dict[str, Callable[[dict[str, Any]], M]]) -> M:
    data = json.loads(line)
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(f"render message: expected one {{name: fields}} object, not {line!r}")
    ((name, body),) = data.items()
    if name not in kinds or not isinstance(body, dict):
        raise ValueError(f"render message: expected one of {', '.join(kinds)}, not {name!r}")
    try:
        return kinds[name](body)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"render message {name}: missing or bad field ({exc!r})") from exc


def _words_request(body: dict[str, Any]) -> WordsRequest:
    return WordsRequest(
        path=str(body["path"]),
        page=int(body["page"]),
        passwords=tuple(str(p) for p in body["passwords"]),
        ocr=bool(body["ocr"]),
        cache_dir=str(body["cache_dir"]),
    )


def _render_request(body: dict[str, Any]) -> RenderRequest:
    return RenderRequest(
        path=str(body["path"]),
        page=int(body["page"]),
        passwords=tuple(str(p) for p in body["passwords"]),
        width=int(body["width"]),
        out=str(body["out"]),
        boxes=tuple(
            (float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1 in body["boxes"]
        ),
    )


#: How each message is made from its fields on the pipe, by class name.
_REQUESTS: dict[str, Callable[[dict[str, Any]], Request]] = {
    WordsRequest.__name__: _words_request,
    RenderRequest.__name__: _render_request,
}
_REPLIES: dict[str, Callable[[dict[str, Any]], Reply]] = {
    Ready.__name__: lambda body: Ready(),
    WordsFound.__name__: lambda body: WordsFound(words=PageWords.from_json(body["words"])),
    Rendered.__name__: lambda body: Rendered(width=int(body["width"]), height=int(body["height"])),
    RequestFailed.__name__: lambda body: RequestFailed(detail=str(body["detail"])),
    OutOfMemory.__name__: lambda body: OutOfMemory(),
}
