"""The render worker: a separate process that opens PDFs with PDFium, so that a page that
takes too long or too much memory is killed without touching the server.

Run as ``python -m search.pictures.render_worker --memory-mb N`` by
:class:`search.pictures.render_pool.RenderWorker`, which sends one request per line on stdin and
reads one reply per line on stdout (the messages of :mod:`search.pictures.render_messages`;
:class:`~search.pictures.render_messages.RequestFailed` when a request fails, and the process goes
on). The memory limit is the process's own address-space limit (``RLIMIT_AS``); the time
limit is the supervisor's, which kills the process and starts a new one for the next
request.

Requests:

- :class:`~search.pictures.render_messages.WordsRequest`: the page's words with boxes
  (:class:`search.pictures.words.PageWords`); from PDFium's text page, or for an OCR'd page
  from the word boxes OCR kept (:class:`indexer.extraction.ocr.OcrWordsCache`).
- :class:`~search.pictures.render_messages.RenderRequest`: the page rendered `width` pixels wide
  into a PNG at `out` (written atomically), with translucent marks over `boxes` (fractions
  of the page) when given; answers :class:`~search.pictures.render_messages.Rendered`.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

# This process exists to hold PDFium: the server itself never imports it.
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.extraction.word_boxes import FractionBox, WordBox
from search.pictures.render_messages import (
    OutOfMemory,
    Ready,
    Rendered,
    RenderRequest,
    Reply,
    Request,
    RequestFailed,
    WordsFound,
    WordsRequest,
    decode_request,
    encode,
)
from search.pictures.words import PageWords, split_ocr_word, split_words

if TYPE_CHECKING:
    from PIL import Image

#: Mark colour (RGBA): a translucent yellow, like a highlighter, with a darker edge.
MARK_FILL = (255, 200, 0, 90)
MARK_EDGE = (200, 120, 0, 200)
#: Device size for PDFium's page-to-device transform (integers, so large for precision).
DEVICE = 1_000_000


def open_pdf(path: str, passwords: Sequence[str]) -> Any:
    last: Exception | None = None
    for password in ("", *passwords):
        try:
            return pdfium.PdfDocument(path, password=password or None)
        except pdfium.PdfiumError as exc:
            last = exc
    raise OSError(f"cannot open {path}: {last}")


def _page(pdf: Any, number: int) -> Any:
    if not 1 <= number <= len(pdf):
        raise ValueError(f"no page {number} (the PDF has {len(pdf)})")
    return pdf[number - 1]


def _to_shown(page: Any) -> Any:
    """The affine map from PDF user space to fractions of the page as shown (crop box and
    /Rotate applied, origin top left), from PDFium's own page-to-device transform."""

    def device(x: float, y: float) -> tuple[float, float]:
        dx, dy = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(page, 0, 0, DEVICE, DEVICE, 0, x, y, dx, dy)
        return dx.value / DEVICE, dy.value / DEVICE

    ox, oy = device(0, 0)
    ax, ay = device(1000, 0)
    bx, by = device(0, 1000)
    m = ((ax - ox) / 1000, (bx - ox) / 1000, (ay - oy) / 1000, (by - oy) / 1000)

    def shown(x0: float, y0: float, x1: float, y1: float) -> FractionBox:
        xs = [ox + m[0] * x + m[1] * y for x in (x0, x1) for y in (y0, y1)]
        ys = [oy + m[2] * x + m[3] * y for x in (x0, x1) for y in (y0, y1)]
        return (min(xs), min(ys), max(xs), max(ys))

    return shown


def text_words(page: Any) -> list[WordBox]:
    """The words of PDFium's text page, with their boxes on the page as shown."""
    textpage = page.get_textpage()
    shown = _to_shown(page)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    chars: list[tuple[str, FractionBox]] = []
    try:
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage, i)
            if not code or not pdfium_c.FPDFText_GetCharBox(textpage, i, left, right, bottom, top):
                chars.append(("", (0.0, 0.0, 0.0, 0.0)))
                continue
            char = chr(code) if code < 0x110000 and not 0xD800 <= code < 0xE000 else ""
            chars.append((char, shown(left.value, bottom.value, right.value, top.value)))
    finally:
        textpage.close()
    return split_words(chars)


def ocr_words(path: str, number: int, passwords: Sequence[str], cache_dir: str) -> list[WordBox]:
    """The words OCR read on the page, found by the pixels it read them from."""
    from indexer.extraction.ocr import OcrWordsCache  # only for pages OCR read
    from indexer.extraction.tesseract import render

    found = OcrWordsCache(Path(cache_dir)).get(render(Path(path), number, passwords).digest)
    if found is None:
        return []
    return [part for word in found for part in split_ocr_word(word.text, word.box)]


def page_words(request: WordsRequest) -> PageWords:
    """The page's size and words: PDFium's text page, or for an OCR'd page what OCR kept."""
    pdf = open_pdf(request.path, request.passwords)
    try:
        page = _page(pdf, request.page)
        width, height = page.get_width(), page.get_height()
        if request.ocr:
            found = ocr_words(request.path, request.page, request.passwords, request.cache_dir)
            source = "ocr" if found else "none"
        else:
            found, source = text_words(page), "pdfium"
        return PageWords(width=width, height=height, source=source, words=tuple(found))
    finally:
        pdf.close()


def render(request: RenderRequest) -> Rendered:
    """The page drawn as the request asks, written as a PNG to its `out`."""
    pdf = open_pdf(request.path, request.passwords)
    try:
        page = _page(pdf, request.page)
        scale = request.width / page.get_width()
        bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True)
        image = bitmap.to_pil()  # RGB as rendered: no conversion pass
    finally:
        pdf.close()
    if request.boxes:
        image = marked(image, request.boxes)
    save_png(image, Path(request.out))
    return Rendered(width=image.width, height=image.height)


def marked(image: Image.Image, boxes: Sequence[FractionBox]) -> Image.Image:
    """`image` with a translucent highlighter mark over each of `boxes`."""
    from PIL import Image, ImageDraw  # Pillow: only when a picture is drawn

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    w, h = image.size
    for x0, y0, x1, y1 in boxes:
        pad = max(1, round(h * 0.002))
        draw.rectangle(
            (x0 * w - pad, y0 * h - pad, x1 * w + pad, y1 * h + pad),
            fill=MARK_FILL,
            outline=MARK_EDGE,
            width=max(1, pad),
        )
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def save_png(image: Image.Image, out: Path) -> None:
    """Write `image` as a PNG to `out` atomically (temp file + rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fp:
            image.save(fp, format="PNG", compress_level=1)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def answer(request: Request) -> Reply:
    """The reply to one request (exceptions are the caller's)."""
    match request:
        case WordsRequest():
            return WordsFound(words=page_words(request))
        case RenderRequest():
            return render(request)
    assert_never(request)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pubsearch render worker (internal)")
    parser.add_argument("--memory-mb", type=int, default=0)
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    reply: Reply = Ready()  # imports done: requests are timed from now on
    out = sys.stdout.buffer
    out.write(encode(reply))
    out.flush()
    for line in sys.stdin.buffer:
        try:
            reply = answer(decode_request(line))
        except MemoryError:
            reply = OutOfMemory()
        except Exception as exc:
            reply = RequestFailed(detail=f"{type(exc).__name__}: {exc}")
        out.write(encode(reply))
        out.flush()


if __name__ == "__main__":
    main()
