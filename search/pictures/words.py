"""Where a page's words sit on its picture, and which of them a query matched.

Stdlib only (no PDF library here): the word boxes
(:class:`~indexer.extraction.word_boxes.WordBox`) come from the render worker
(:mod:`search.pictures.render_worker`, PDFium's text page for text pages, Tesseract's word boxes
for OCR'd pages), this module decides which boxes to mark.

The marks are exactly the words the snippet highlights: the index's snippet generator marks
character ranges of the page's *stored* text (stems, folded and expanded forms, the words of
a phrase), and :func:`marked_words` aligns the stored text's words with the words on the
page (a longest-matching-blocks alignment of their normalized forms), so that the
occurrence highlighted in the text is the occurrence boxed on the picture, not every word
that looks the same. Words the normalization joined (``männis-`` + ``kohandel``) map to both
pieces; a highlighted word with no counterpart on the page gets no box rather than a guess.

Boxes are fractions of the page as shown (crop box and /Rotate applied), from the top left:
``(x0, y0, x1, y1)`` with ``0 <= x0 < x1 <= 1``
(:data:`~indexer.extraction.word_boxes.FractionBox`); :meth:`PageWords.points` turns them
into PDF points of the shown page.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from indexer.extraction.word_boxes import FractionBox, WordBox, words_from_json, words_to_json

WORD = re.compile(r"\w+")


def word_key(text: str) -> str:
    """The form two words are compared in: NFKC (ligatures, full-width forms) and casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True, slots=True, kw_only=True)
class PageWords:
    """The words of one page as laid out on its picture.

    width, height: the shown page in PDF points (crop box, /Rotate applied);
    source: ``pdfium`` (the PDF's text layer), ``ocr`` (Tesseract's word boxes) or ``none``
    (no word boxes known, e.g. an OCR'd page read before boxes were kept);
    words: in the order the text layer (or the OCR) gives them.
    """

    width: float
    height: float
    source: str
    words: tuple[WordBox, ...]

    def to_json(self) -> dict[str, Any]:
        """A compact JSON form (what the picture cache stores per page): the page size and
        source, and the words in :func:`~indexer.extraction.word_boxes.words_to_json`'s form."""
        return {"w": self.width, "h": self.height, "src": self.source, **words_to_json(self.words)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageWords:
        words = words_from_json(data)
        return cls(
            width=float(data["w"]), height=float(data["h"]), source=str(data["src"]), words=words
        )

    def points(self, box: FractionBox) -> list[float]:
        """A box as ``[x0, y0, x1, y1]`` in PDF points of the shown page, from its top left."""
        x0, y0, x1, y1 = box
        w, h = self.width, self.height
        return [round(x0 * w, 2), round(y0 * h, 2), round(x1 * w, 2), round(y1 * h, 2)]


def split_words(chars: Iterable[tuple[str, FractionBox]]) -> list[WordBox]:
    """Characters with boxes (in text order) -> words: runs of word characters on one line,
    each with the union of its characters' boxes. A run is cut where the next character
    does not go on from it (:func:`_same_line`: a text layer that runs lines together)."""
    words: list[WordBox] = []
    text: list[str] = []
    box: list[float] = []

    def flush() -> None:
        if text:
            words.append(WordBox(text="".join(text), box=(box[0], box[1], box[2], box[3])))
            text.clear()

    for char, (x0, y0, x1, y1) in chars:
        if not char or not WORD.fullmatch(word_key(char) or "-"):
            flush()
            continue
        if text and not _same_line((box[0], box[1], box[2], box[3]), (x0, y0, x1, y1)):
            flush()
        if not text:
            box[:] = [x0, y0, x1, y1]
        else:
            box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        text.append(char)
    flush()
    return words


def _same_line(word: FractionBox, char: FractionBox) -> bool:
    """Whether `char` goes on from `word`: beside it on its line, left to right, or below it
    in a column (text turned a quarter on a page shown upright)."""
    wx0, wy0, wx1, wy1 = word
    cx0, cy0, cx1, cy1 = char
    across = min(wy1, cy1) - max(wy0, cy0)  # shared height
    height = cy1 - cy0
    if across >= 0.5 * min(wy1 - wy0, height) and wx0 - 0.5 * (cx1 - cx0) <= cx0 <= wx1 + height:
        return True
    down = min(wx1, cx1) - max(wx0, cx0)  # shared width
    column = wx1 - wx0 <= 1.5 * max(cx1 - cx0, 1e-9)  # the word so far is one letter wide
    near = abs(cy0 - wy1) < 2 * (cy1 - cy0) or abs(wy0 - cy1) < 2 * (cy1 - cy0)
    return column and near and down >= 0.5 * min(wx1 - wx0, cx1 - cx0)


def split_ocr_word(text: str, box: FractionBox) -> list[WordBox]:
    """An OCR word (``"(barnet),"``) -> its runs of word characters, each with the share of
    the word's box its characters take (Tesseract gives boxes per word, not per letter)."""
    if not text:
        return []
    x0, y0, x1, y1 = box
    step = (x1 - x0) / len(text)
    return [
        WordBox(text=m.group(0), box=(x0 + m.start() * step, y0, x0 + m.end() * step, y1))
        for m in WORD.finditer(text)
    ]


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), word_key(m.group(0))) for m in WORD.finditer(text)]


def align(text: str, words: Sequence[WordBox]) -> dict[int, list[int]]:
    """Token index in `text` (its runs of word characters) -> indices of `words` that show it.

    Equal runs map one to one; where a stretch differs but spells the same letters (line-end
    hyphenation joined, a word split in the text layer) tokens map by character position;
    otherwise a token maps to the first unused equal word of that stretch, or to nothing."""
    a = [k for _, _, k in _tokens(text)]
    b = [word_key(w.text) for w in words]
    mapping: dict[int, list[int]] = {}
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[i1 + k] = [j1 + k]
        elif tag == "replace":
            if "".join(a[i1:i2]) == "".join(b[j1:j2]):
                owner: list[int] = []  # character position in the stretch -> word index
                for j in range(j1, j2):
                    owner += [j] * len(b[j])
                pos = 0
                for i in range(i1, i2):
                    mapping[i] = sorted(set(owner[pos : pos + len(a[i])]))
                    pos += len(a[i])
            else:
                used: set[int] = set()
                for i in range(i1, i2):
                    for j in range(j1, j2):
                        if j not in used and b[j] == a[i]:
                            mapping[i] = [j]
                            used.add(j)
                            break
    return mapping


def marked_words(
    text: str, spans: Sequence[tuple[int, int]], words: Sequence[WordBox]
) -> list[WordBox]:
    """The words on the page that show the words of `text` inside the highlighted `spans`
    (character offsets into `text`), in text order, each once, their boxes cut to the page
    (text can run off it)."""
    if not spans or not words:
        return []
    mapping = align(text, words)
    found: list[WordBox] = []
    seen: set[int] = set()
    for i, (start, end, _) in enumerate(_tokens(text)):
        if not any(start < e and s < end for s, e in spans):
            continue
        for j in mapping.get(i, []):
            x0, y0, x1, y1 = words[j].box
            box = (max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1))
            if j not in seen and box[0] < box[2] and box[1] < box[3]:
                seen.add(j)
                found.append(WordBox(text=words[j].text, box=box))
    return found


def fill_phrase_gaps(
    text: str, spans: Sequence[tuple[int, int]], phrases: Sequence[str]
) -> list[tuple[int, int]]:
    """`spans` with the words a phrase query matched but the snippet leaves unmarked (a
    stop word inside ``"trafic de persoane"``): a run of unmarked words between two marked
    ones is added when it is short enough to lie inside one of `phrases` and every word of
    it is a word of that phrase. The phrase is then marked as a whole."""
    tokens = _tokens(text)
    marked = [i for i, (s, e, _) in enumerate(tokens) if any(s < b and a < e for a, b in spans)]
    out = list(spans)
    for phrase in phrases:
        words = [word_key(w) for w in WORD.findall(phrase)]
        if len(words) < 3:
            continue
        for left, right in itertools.pairwise(marked):
            gap = tokens[left + 1 : right]
            if gap and len(gap) <= len(words) - 2 and all(k in words for _, _, k in gap):
                out += [(s, e) for s, e, _ in gap]
    return sorted(set(out))
