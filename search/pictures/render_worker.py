"""The render worker: a separate process that opens PDFs with PDFium, so that a page that
takes too long or too much memory is killed without touching the server.

Run as ``python -m search.pictures.render_worker --memory-mb N`` by
:class:`search.pictures.pool.RenderWorker`, which sends one JSON request per line on stdin and
reads one JSON answer per line on stdout (``{"error": ...}`` when a request fails; the
process goes on). The memory limit is the process's own address-space limit
(``RLIMIT_AS``); the time limit is the supervisor's, which kills the process and starts a
new one for the next request.

Requests:

- ``{"op": "words", "path", "page", "passwords", "ocr", "cache_dir"}``: the page's words
  with boxes (:class:`search.pictures.words.PageWords` as JSON); from PDFium's text page, or for
  an OCR'd page (``ocr``) from the word boxes OCR kept (:class:`indexer.extraction.ocr.OcrWordsCache`).
- ``{"op": "render", "path", "page", "passwords", "width", "out", "boxes"}``: the page
  rendered `width` pixels wide into a PNG at `out` (written atomically), with translucent
  marks over `boxes` (fractions of the page) when given; answers ``{"width", "height"}``.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# This process exists to hold PDFium: the server itself never imports it.
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from search.pictures.words import Box, PageWords, Word, split_ocr_word, split_words

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

    def shown(x0: float, y0: float, x1: float, y1: float) -> Box:
        xs = [ox + m[0] * x + m[1] * y for x in (x0, x1) for y in (y0, y1)]
        ys = [oy + m[2] * x + m[3] * y for x in (x0, x1) for y in (y0, y1)]
        return (min(xs), min(ys), max(xs), max(ys))

    return shown


def text_words(page: Any) -> list[Word]:
    """The words of PDFium's text page, with their boxes on the page as shown."""
    textpage = page.get_textpage()
    shown = _to_shown(page)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    chars: list[tuple[str, Box]] = []
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


def ocr_words(path: str, number: int, passwords: Sequence[str], cache_dir: str) -> list[Word]:
    """The words OCR read on the page, found by the pixels it read them from."""
    from indexer.extraction.ocr import OcrWordsCache, render  # only for pages OCR read

    data = OcrWordsCache(Path(cache_dir)).get(render(Path(path), number, passwords).digest)
    if data is None:
        return []
    texts, flat = data["t"], data["b"]
    assert isinstance(texts, list) and isinstance(flat, list)
    words: list[Word] = []
    for i, text in enumerate(texts):
        x0, y0, x1, y1 = (v / 100_000 for v in flat[4 * i : 4 * i + 4])
        words += split_ocr_word(str(text), (x0, y0, x1, y1))
    return words


def words(request: dict[str, Any]) -> dict[str, Any]:
    pdf = open_pdf(request["path"], request.get("passwords", ()))
    try:
        page = _page(pdf, int(request["page"]))
        width, height = page.get_width(), page.get_height()
        if request.get("ocr"):
            found = ocr_words(
                request["path"],
                int(request["page"]),
                request.get("passwords", ()),
                request["cache_dir"],
            )
            source = "ocr" if found else "none"
        else:
            found, source = text_words(page), "pdfium"
        return PageWords(width, height, source, tuple(found)).to_json()
    finally:
        pdf.close()


def render(request: dict[str, Any]) -> dict[str, Any]:
    from PIL import Image, ImageDraw  # Pillow: only when a picture is drawn

    pdf = open_pdf(request["path"], request.get("passwords", ()))
    try:
        page = _page(pdf, int(request["page"]))
        scale = int(request["width"]) / page.get_width()
        bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True)
        image = bitmap.to_pil()  # RGB as rendered: no conversion pass
    finally:
        pdf.close()
    boxes = request.get("boxes") or []
    if boxes:
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
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out = Path(request["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fp:
            image.save(fp, format="PNG", compress_level=1)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"width": image.width, "height": image.height}


OPS = {"words": words, "render": render}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pubsearch render worker (internal)")
    parser.add_argument("--memory-mb", type=int, default=0)
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.stdout.write(json.dumps({"ready": True}) + "\n")  # imports done: requests are timed
    sys.stdout.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            answer = OPS[request["op"]](request)
        except MemoryError:
            answer = {"error": "memory", "detail": "the page needs more memory than allowed"}
        except Exception as exc:
            answer = {"error": "failed", "detail": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
