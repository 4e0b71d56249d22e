"""Word boxes: a word and where it sits on its page, as OCR keeps them and the page picture
marks them.

Stdlib only, so that both sides share one definition: the indexer writes word boxes
(:class:`indexer.extraction.ocr.OcrWordsCache`, Tesseract's words of each OCR'd page) and
the search side reads them and keeps its own (:mod:`search.pictures`, the picture cache)
without loading OCR.

On disk a page's words are compact JSON, the boxes flattened into integers in
1/:data:`BOX_SCALE` of the page's width or height::

    {"t": ["text", ...], "b": [x0, y0, x1, y1, ...]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["BOX_SCALE", "FractionBox", "WordBox", "words_from_json", "words_to_json"]

#: A box as fractions of the page as shown (crop box and /Rotate applied), from its top
#: left: ``(x0, y0, x1, y1)`` with ``0 <= x0 < x1 <= 1`` on the page.
FractionBox: TypeAlias = tuple[float, float, float, float]
#: Boxes are kept on disk as integers in 1/BOX_SCALE of the page's width or height.
BOX_SCALE = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class WordBox:
    """One word on a page: its text and its box (fractions of the page as shown)."""

    text: str
    box: FractionBox


def words_to_json(words: Iterable[WordBox]) -> dict[str, Any]:
    """`words` in their on-disk form: ``{"t": [text, ...], "b": [x0, y0, x1, y1, ...]}``."""
    words = tuple(words)
    return {
        "t": [w.text for w in words],
        "b": [round(v * BOX_SCALE) for w in words for v in w.box],
    }


def words_from_json(data: Mapping[str, Any]) -> tuple[WordBox, ...]:
    """The words of :func:`words_to_json`'s form; :class:`KeyError` without its keys,
    :class:`ValueError` when texts and boxes differ in number."""
    texts, flat = data["t"], data["b"]
    if not isinstance(texts, list) or not isinstance(flat, list) or len(flat) != 4 * len(texts):
        raise ValueError("word boxes: expected a list of texts and four box numbers for each")
    v = [x / BOX_SCALE for x in flat]
    return tuple(
        WordBox(text=str(t), box=(v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]))
        for i, t in enumerate(texts)
    )
