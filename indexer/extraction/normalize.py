"""Clean extracted page text before language detection and indexing.

Language-independent steps, in order: unmapped-glyph runs (``(cid:123)``) are measured and
dropped, ligatures expanded, soft hyphens removed, words broken by a hyphen at a line end
rejoined (real compounds such as ``EU-medborgare`` keep their hyphen), Unicode NFC,
whitespace collapsed. :func:`indexer.index.spelling.for_language` then applies what is right for
one language only
(Romanian cedilla ş/ţ -> comma-below ș/ț; Turkish keeps its ş).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u0132": "IJ",
    "\u0133": "ij",
    "\u0152": "OE",
    "\u0153": "oe",
}
_LIGATURE_TABLE = str.maketrans(LIGATURES)

_CID = re.compile(r"\(cid:\d+\)")
_SOFT_HYPHEN = "\u00ad"
_HYPHENS = "-\u2010\u2011"  # ASCII hyphen-minus, hyphen, non-breaking hyphen
# word fragment, hyphen (or soft hyphen) at a line end, continuation on the next line (not
# consumed: in ``anläggnings-⏎byggnads-⏎arbete`` the continuation ends a line itself)
_LINE_END_HYPHEN = re.compile(
    rf"(\w+)([{_HYPHENS}{_SOFT_HYPHEN}])[ \t]*\r?\n\s*(?=(\w+))",
)
_WORD = re.compile(r"\w+(?:[-\u2010\u2011]\w+)*")
_SPACE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LETTER = re.compile(r"[^\W\d_]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

#: Words that follow a suspended compound ("för- och eftervård", "pre- and post-"):
#: a hyphen before them is never a line-end break.
_CONJUNCTIONS = frozenset(
    [
        "och",
        "eller",
        "samt",
        "and",
        "or",
        "und",
        "oder",
        "et",
        "ou",
        "și",
        "sau",
        "и",
        "или",
        "а",
        "thaj",
        "vaj",
    ]
)

#: Running header/footer detection: how many blocks at each page edge are looked at, how
#: many pages a document needs, and on what share of pages a block must recur.
EDGE_BLOCKS = 2
MIN_PAGES_FOR_RUNNING = 3
RUNNING_SHARE = 0.5
MAX_RUNNING_CHARS = 160
_DIGITS = re.compile(r"\d+")

#: A page is "unmapped" when more than this share of its glyphs are (cid:N) runs.
UNMAPPED_SHARE = 0.5
#: A page with fewer letters than this (after cleaning) has no usable text.
MIN_LETTERS = 3
#: A garbled text layer: a bad OCR layer or a font that maps Cyrillic glyphs to Latin
#: look-alikes ("CeereHllq o roxo,r{ax", "co6crBeHHocru"). Words with a capital after a
#: small letter and words with digits between letters are both rare in real text; on every
#: real-world PDF we test against, only such layers have both over these shares.
GARBLED_CAMEL_SHARE = 0.15
GARBLED_DIGIT_SHARE = 0.03
GARBLED_MIN_WORDS = 8
_CAMEL = re.compile(r"[a-zа-я][A-ZА-Я]")
_LETTER_DIGIT = re.compile(r"[^\W\d_][0-9]+[^\W\d_]|^[a-zA-Z]?[0-9][a-zA-Z]{2,}")
_EDGE_PUNCT = ".,;:!?()\"'«»“”„-–—"


class TextQuality(StrEnum):
    """What a page's text layer is worth."""

    OK = "ok"  # readable text
    EMPTY = "empty"  # no text layer at all (scan, image, blank page): needs OCR
    UNMAPPED = "unmapped"  # mostly glyphs without a Unicode mapping: needs OCR
    GARBLED = "garbled"  # letters, but not words (Latin look-alikes of Cyrillic): needs OCR


@dataclass(frozen=True, slots=True)
class CleanText:
    """One page's text after normalization.

    text: normalized text, paragraphs separated by a blank line; empty unless quality is OK
        or GARBLED (garbled text is kept: nothing is lost until OCR replaces it).
    quality: whether the page has usable text.
    unmapped_glyphs: how many ``(cid:N)`` runs the extractor produced (dropped from text).
    """

    text: str
    quality: TextQuality
    unmapped_glyphs: int


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words (hyphenated compounds kept whole) seen inside lines of `texts`.

    Used to decide line-end hyphens: a break is rejoined as the form the document itself
    uses elsewhere on one line.
    """
    words: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            words.update(w.lower() for w in _WORD.findall(line))
    return frozenset(words)


def _rejoin(match: re.Match[str], vocab: frozenset[str]) -> str:
    """What replaces a line-end hyphen match: its left part, and the hyphen and space to
    keep before the continuation (which the match only looks at)."""
    left, hyphen, right = match.group(1), match.group(2), match.group(3)
    if hyphen == _SOFT_HYPHEN:
        return left
    joined, compound = (left + right).lower(), f"{left}-{right}".lower()
    if compound in vocab and joined not in vocab:
        return f"{left}-"
    if joined in vocab:
        return left
    if right.lower() in _CONJUNCTIONS:
        return f"{left}- "
    # EU-medborgare, 2015-2016, Malmö-Lund: a capital or digit beside the hyphen is a compound.
    if not left[-1].islower() or not right[0].islower():
        return f"{left}-"
    return left


def garbled(text: str) -> bool:
    """Whether `text` looks like letters that do not make words (see GARBLED_*)."""
    words = [w.strip(_EDGE_PUNCT) for w in text.split()]
    words = [w for w in words if len(w) >= 2 and any(c.isalpha() for c in w)]
    if len(words) < GARBLED_MIN_WORDS:
        return False
    camel = sum(1 for w in words if _CAMEL.search(w)) / len(words)
    digits = sum(1 for w in words if _LETTER_DIGIT.search(w)) / len(words)
    return camel >= GARBLED_CAMEL_SHARE and digits >= GARBLED_DIGIT_SHARE


def normalize_page(raw: str, vocab: frozenset[str] = frozenset()) -> CleanText:
    """Normalize one page of extracted text; see the module docstring for the steps."""
    unmapped = len(_CID.findall(raw))
    text = _CID.sub(" ", raw) if unmapped else raw
    letters = len(_LETTER.findall(text))
    if unmapped and unmapped > UNMAPPED_SHARE * (unmapped + letters):
        return CleanText("", TextQuality.UNMAPPED, unmapped)
    if letters < MIN_LETTERS:
        return CleanText("", TextQuality.EMPTY, unmapped)
    text = text.translate(_LIGATURE_TABLE)
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _LINE_END_HYPHEN.sub(lambda m: _rejoin(m, vocab), text)
    text = text.replace(_SOFT_HYPHEN, "")
    text = _SPACE.sub(" ", text)
    paragraphs = (" ".join(p.split()) for p in _BLANK_LINES.split(text))
    text = "\n\n".join(p for p in paragraphs if p)
    quality = TextQuality.GARBLED if garbled(text) else TextQuality.OK
    return CleanText(text, quality, unmapped)


def _block_key(block: str) -> str:
    return _DIGITS.sub("#", " ".join(block.split()).lower())


def strip_running_lines(raw_pages: Sequence[str]) -> list[str]:
    """Drop running headers and footers: blocks among the first or last few of a page whose
    text (digits masked, so page numbers don't count) recurs at the edge of most pages.

    They repeat the title on every page, so every page would match a title word and every
    snippet would start with it; the title is indexed as metadata anyway.
    """
    if len(raw_pages) < MIN_PAGES_FOR_RUNNING:
        return list(raw_pages)
    pages = [p.split("\n\n") for p in raw_pages]
    counts: Counter[str] = Counter()
    for blocks in pages:
        edge = blocks[:EDGE_BLOCKS] + blocks[-EDGE_BLOCKS:]
        counts.update({_block_key(b) for b in edge if b.strip()})
    threshold = max(MIN_PAGES_FOR_RUNNING, RUNNING_SHARE * len(raw_pages))
    running = {
        key for key, n in counts.items() if n >= threshold and 0 < len(key) <= MAX_RUNNING_CHARS
    }
    if not running:
        return list(raw_pages)
    out = []
    for blocks in pages:
        n = len(blocks)
        kept = [
            b
            for i, b in enumerate(blocks)
            if not ((i < EDGE_BLOCKS or i >= n - EDGE_BLOCKS) and _block_key(b) in running)
        ]
        out.append("\n\n".join(kept) if kept else "\n\n".join(blocks))  # never empty a page
    return out


def normalize_document(raw_pages: Sequence[str]) -> list[CleanText]:
    """Normalize every page of one document: running headers/footers dropped, line-end
    hyphens decided with the document's own vocabulary."""
    pages = strip_running_lines(raw_pages)
    vocab = vocabulary(p.translate(_LIGATURE_TABLE) for p in pages)
    return [normalize_page(p, vocab) for p in pages]


def unnormalized_document(raw_pages: Sequence[str]) -> list[CleanText]:
    """Whitespace collapsed and nothing else: the "no normalization" evaluation ablation."""
    return [
        CleanText(" ".join(p.split()), TextQuality.OK if p.strip() else TextQuality.EMPTY, 0)
        for p in raw_pages
    ]
