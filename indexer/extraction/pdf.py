"""PDF -> page texts with pdfminer.six: the only module that imports pdfminer.

:func:`iter_pages` yields one :class:`RawPage` per page, in order; a page that fails to
parse is yielded with its error and empty text, and the rest of the file goes on.
Whole-file problems (not a PDF, broken structure, locked) raise
:class:`~indexer.errors.ExtractionError` with a reason code.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import (
    LAParams,
    LTChar,
    LTComponent,
    LTContainer,
    LTFigure,
    LTImage,
    LTLayoutContainer,
    LTPage,
    LTTextBox,
    LTTextBoxVertical,
    LTTextGroup,
    LTTextGroupLRTB,
    LTTextGroupTBRL,
)
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import Matrix, Plane, Rect, decode_text, mult_matrix

from indexer.errors import EmptyPDFError, EncryptedPDFError, ExtractionError
from indexer.model import EXTRACTOR_VERSION, PdfInfo, RawPage, Reason

__all__ = [
    "EXTRACTOR_VERSION",
    "LAPARAMS",
    "PdfInfo",
    "RawPage",
    "iter_pages",
    "page_text",
    "reading_order",
]

# pdfminer logs every recoverable oddity of real-world files as a warning.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

#: The layout parameters of every page (the fidelity measurement uses the same).
LAPARAMS = LAParams(all_texts=True)
_YEAR = re.compile(r"(19|20)\d\d")


# ---------------------------------------------------------------- stable grouping


def _spare_area(a: LTComponent, b: LTComponent) -> float:
    """pdfminer's distance between two boxes: the area of the rectangle around both, less
    their own areas (negative when they overlap)."""
    width = max(a.x1, b.x1) - min(a.x0, b.x0)
    height = max(a.y1, b.y1) - min(a.y0, b.y0)
    return width * height - a.width * a.height - b.width * b.height


_Element = LTTextBox | LTTextGroup


class _StableGrouping(LTLayoutContainer):
    """pdfminer's hierarchical grouping of a page's text boxes (which decides the order it
    reads them in, :data:`LAPARAMS` ``boxes_flow``), with one change: two pairs of boxes
    at the same distance are merged in the order the boxes were made, where pdfminer
    compares their memory addresses (``id()``). With pdfminer's rule, one page of a real
    file (``lang-sv/ferenda__f690153e.pdf`` p. 3, a table of short cells) read differently
    after the process had read another file: the same bytes must give the same text."""

    def group_textboxes(self, laparams: LAParams, boxes: Sequence[LTTextBox]) -> list[LTTextGroup]:
        made = {id(box): n for n, box in enumerate(boxes)}  # order of making: the tie-break
        later = itertools.count(len(boxes))
        plane: Plane[_Element] = Plane(self.bbox)
        plane.extend(boxes)
        pairs: list[tuple[bool, float, int, int, _Element, _Element]] = [
            (False, _spare_area(a, b), made[id(a)], made[id(b)], a, b)
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
        ]
        heapq.heapify(pairs)
        merged: set[int] = set()
        while pairs:
            checked, area, n_a, n_b, a, b = heapq.heappop(pairs)
            if n_a in merged or n_b in merged:
                continue
            if not checked and self._anything_between(plane, a, b):
                heapq.heappush(pairs, (True, area, n_a, n_b, a, b))  # merged later, if ever
                continue
            vertical = (LTTextBoxVertical, LTTextGroupTBRL)
            members: list[_Element] = [a, b]
            if isinstance(a, vertical) or isinstance(b, vertical):
                group: LTTextGroup = LTTextGroupTBRL(members)
            else:
                group = LTTextGroupLRTB(members)
            plane.remove(a)
            plane.remove(b)
            merged.update((n_a, n_b))
            n = made[id(group)] = next(later)
            for other in plane:
                pair = (False, _spare_area(group, other), n, made[id(other)], group, other)
                heapq.heappush(pairs, pair)
            plane.add(group)
        # one group in the end (a lone box when there was only one), as in pdfminer
        return cast(list[LTTextGroup], sorted(plane, key=lambda item: made[id(item)]))

    @staticmethod
    def _anything_between(plane: Plane[_Element], a: _Element, b: _Element) -> bool:
        around = (min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))
        return any(item is not a and item is not b for item in plane.find(around))


class _Page(_StableGrouping, LTPage):
    """A page laid out with :class:`_StableGrouping`."""


class _Figure(_StableGrouping, LTFigure):
    """A figure (form XObject) laid out with :class:`_StableGrouping` (``all_texts``)."""


class _Aggregator(PDFPageAggregator):
    """pdfminer's page aggregator, making :class:`_Page` and :class:`_Figure` layouts."""

    def begin_page(self, page: PDFPage, ctm: Matrix) -> None:
        super().begin_page(page, ctm)
        assert isinstance(self.cur_item, LTPage)
        self.cur_item = _Page(self.cur_item.pageid, self.cur_item.bbox)

    def begin_figure(self, name: str, bbox: Rect, matrix: Matrix) -> None:
        super().begin_figure(name, bbox, matrix)
        self.cur_item = _Figure(name, bbox, mult_matrix(matrix, self.ctm))


def _info_text(value: Any) -> str | None:
    value = resolve1(value)
    if isinstance(value, bytes):
        value = decode_text(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value or None


def _info_year(info: dict[str, Any]) -> int | None:
    for key in ("CreationDate", "ModDate"):
        text = _info_text(info.get(key))
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(0))
    return None


def _open(path: Path, fp: Any, passwords: Sequence[str]) -> PDFDocument:
    parser = PDFParser(fp)
    last: Exception | None = None
    for password in ("", *passwords):
        try:
            return PDFDocument(parser, password)
        except PDFPasswordIncorrect as exc:
            last = exc
            fp.seek(0)
            parser = PDFParser(fp)
        except PDFEncryptionError as exc:
            raise EncryptedPDFError(str(path), f"unsupported encryption ({exc})") from exc
    hint = (
        "pass --password or --passwords-file"
        if not passwords
        else f"none of the {len(passwords)} given passwords opened it"
    )
    raise EncryptedPDFError(str(path), f"password required; skipped ({hint})") from last


def _boxes(item: LTComponent, out: list[LTTextBox]) -> None:
    """Text boxes of a layout, in pdfminer's order, descending into figures."""
    if isinstance(item, LTTextBox):
        out.append(item)
    elif isinstance(item, LTContainer):
        for child in item:
            _boxes(child, out)


def _loose_chars(item: LTComponent) -> str:
    """Characters that pdfminer left outside any text box (rare: some figures)."""
    if isinstance(item, LTTextBox) or not isinstance(item, LTContainer):
        return ""
    own = "".join(c.get_text() for c in item if isinstance(c, LTChar))
    rest = [_loose_chars(c) for c in item]
    return "\n\n".join(x for x in [own, *rest] if x.strip())


class Box(Protocol):
    """What :func:`reading_order` reads of a text box (an ``LTTextBox`` has it all)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __len__(self) -> int: ...

    def get_text(self) -> str: ...


B = TypeVar("B", bound=Box)

#: How far (share of the page width) a column box may reach over the middle of the page.
COLUMN_TOLERANCE = 0.02
#: How much (points) a column box may overlap a full-width box vertically and still be
#: above or below it (descenders, loose bounding boxes).
BAND_TOLERANCE = 2.0


def _is_two_columns(left: Sequence[Box], right: Sequence[Box], total: int) -> bool:
    """Both halves carry at least a tenth of the page's text in paragraph-like boxes
    (three lines or more): a column layout, not a table of one-line cells."""

    def paragraph_chars(boxes: Sequence[Box]) -> int:
        return sum(len(b.get_text()) for b in boxes if len(b) >= 3)

    return total > 0 and min(paragraph_chars(left), paragraph_chars(right)) >= 0.1 * total


def _overlaps(a: Box, b: Box) -> bool:
    """Whether `a` and `b` share more than :data:`BAND_TOLERANCE` of height."""
    return min(a.y1, b.y1) - max(a.y0, b.y0) > BAND_TOLERANCE


def reading_order(boxes: Sequence[B], page_x0: float, page_x1: float) -> list[B]:
    """The boxes of one page in reading order: always a permutation of `boxes` (every box
    exactly once).

    pdfminer orders boxes by a mix of position and flow, which on a two-column page may put
    the top of the right column before a heading of the left one. When the page is clearly
    two columns, it is read band by band, the bands separated by boxes that span the
    middle (titles, full-width paragraphs): in each band the left column top to bottom,
    then the right one, then the separator below. Where the layout is not that clear (one
    column, tables of one-line cells, a column box beside a spanning box, spanning boxes
    side by side), pdfminer's order is kept rather than guessed at.
    """
    mid = (page_x0 + page_x1) / 2
    tol = (page_x1 - page_x0) * COLUMN_TOLERANCE
    left: list[B] = []
    right: list[B] = []
    spanning: list[B] = []
    for box in boxes:  # each box in exactly one of the three lists
        if box.x1 <= mid + tol and box.x0 < mid - tol:
            left.append(box)
        elif box.x0 >= mid - tol and box.x1 > mid + tol:
            right.append(box)
        else:
            spanning.append(box)
    if not left or not right:
        return list(boxes)
    if not _is_two_columns(left, right, sum(len(b.get_text()) for b in boxes)):
        return list(boxes)
    separators = sorted(spanning, key=lambda b: -b.y1)
    for i, sep in enumerate(separators):
        if any(_overlaps(sep, other) for other in separators[i + 1 :]):
            return list(boxes)  # spanning boxes side by side: a table or a sidebar
        if any(_overlaps(sep, b) for b in left) or any(_overlaps(sep, b) for b in right):
            return list(boxes)  # a column box beside a spanning one: not a clean band
    bands: list[tuple[list[B], list[B]]] = [([], []) for _ in range(len(separators) + 1)]
    for column, side in ((left, 0), (right, 1)):
        for box in column:
            centre = (box.y0 + box.y1) / 2
            band = sum(1 for sep in separators if (sep.y0 + sep.y1) / 2 > centre)
            bands[band][side].append(box)
    ordered: list[B] = []
    for n, (band_left, band_right) in enumerate(bands):
        ordered += sorted(band_left, key=lambda b: -b.y1)
        ordered += sorted(band_right, key=lambda b: -b.y1)
        if n < len(separators):
            ordered.append(separators[n])
    return ordered


def page_text(layout: LTPage) -> str:
    """The text of one laid-out page, one block per text box, blank lines between."""
    boxes: list[LTTextBox] = []
    _boxes(layout, boxes)
    blocks = [b.get_text() for b in reading_order(boxes, layout.x0, layout.x1)]
    blocks.append(_loose_chars(layout))
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip())


def image_share(layout: LTPage) -> float:
    """The share of the page's area covered by images (overlaps counted once per image,
    capped at 1)."""
    area = max(1.0, layout.width * layout.height)
    covered = 0.0
    stack: list[LTComponent] = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, LTImage):
            x0, x1 = max(item.x0, layout.x0), min(item.x1, layout.x1)
            y0, y1 = max(item.y0, layout.y0), min(item.y1, layout.y1)
            covered += max(0.0, x1 - x0) * max(0.0, y1 - y0)
        elif isinstance(item, LTContainer):
            stack.extend(item)
    return round(min(1.0, covered / area), 3)


def _pdf_info(doc: PDFDocument, page_count: int) -> PdfInfo:
    """The document's facts from its info dictionary."""
    meta = resolve1(doc.info[-1]) if doc.info else {}
    meta = meta if isinstance(meta, dict) else {}
    return PdfInfo(
        title=_info_text(meta.get("Title")),
        author=_info_text(meta.get("Author")),
        year=_info_year(meta),
        page_count=page_count,
        encrypted=doc.encryption is not None,
    )


def iter_pages(
    path: Path,
    passwords: Sequence[str] = (),
    on_info: Callable[[PdfInfo], object] | None = None,
    start: int = 1,
    on_layout: Callable[[int, LTPage], object] | None = None,
) -> Iterator[RawPage]:
    """Yield the text of each page of the PDF at `path`, from page `start` (1-based) on.

    `passwords` are tried after the empty one. `on_info` is called with the document's
    :class:`PdfInfo` as soon as the file is open, before the first page is read. `on_layout` is
    called with each page's number and pdfminer layout before its text is taken (the fidelity
    measurement compares the two). A page that fails to parse is yielded with its error;
    :class:`MemoryError` is not caught.
    """
    try:
        if path.stat().st_size == 0:
            raise ExtractionError(str(path), "empty file (0 bytes)")
        with path.open("rb") as fp:
            try:
                doc = _open(path, fp, passwords)
                pages = list(PDFPage.create_pages(doc))
            except (ExtractionError, MemoryError):
                raise
            except Exception as exc:  # pdfminer raises many types on damaged files
                raise ExtractionError(str(path), _describe(exc)) from exc
            if not pages:
                raise EmptyPDFError(str(path), "the PDF has no pages")
            if on_info is not None:
                on_info(_pdf_info(doc, len(pages)))
            resources = PDFResourceManager(caching=True)
            device = _Aggregator(resources, laparams=LAPARAMS)
            interpreter = PDFPageInterpreter(resources, device)
            for number, page in enumerate(pages, start=1):
                if number < start:
                    continue
                try:
                    interpreter.process_page(page)
                    layout = device.get_result()
                    if on_layout is not None:
                        on_layout(number, layout)
                    text = page_text(layout)
                    images = image_share(layout)
                except MemoryError:
                    raise
                except Exception as exc:  # one bad page must not lose the others
                    error = _describe(exc, "unreadable page")
                    yield RawPage(number=number, text="", error=error, reason=Reason.UNREADABLE)
                else:
                    yield RawPage(number=number, text=text, image_share=images)
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from exc


def _describe(exc: BaseException, what: str = "not a readable PDF") -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > 120:
        text = text[:117] + "..."
    if isinstance(exc, RecursionError):
        return f"{what} (object loop)"
    name = type(exc).__name__
    return f"{what} ({name}: {text})" if text else f"{what} ({name})"
