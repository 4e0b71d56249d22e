"""Page pictures with the matched words marked (search.pictures.page_image): boxes against
pdfminer's layout on real pages, the picture endpoint, its cache and limits, and
``show --png/--json``."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTContainer, LTPage, LTTextLine
from PIL import Image
from starlette.testclient import TestClient

from indexer import pipeline
from indexer.extraction.word_boxes import WordBox
from indexer.model import IndexSettings
from search.cli.main import cli
from search.errors import RenderLimitError
from search.pictures.page_image import PagePictures
from search.pictures.picture_cache import PictureCache
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
    decode_reply,
    decode_request,
    encode,
)
from search.pictures.words import PageWords, word_key
from search.serve.web import create_app
from tests.support import CATALOG, real_pdf

PDF_DIR = CATALOG.parent / "pdf"
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def pictures(ix: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagePictures]:
    found = PagePictures(ix, tmp_path_factory.mktemp("pictures"))
    yield found
    found.close()


@pytest.fixture(scope="module")
def client(ix: Path, pictures: PagePictures) -> TestClient:
    return TestClient(create_app(ix, pictures=pictures), base_url=LOCAL)


def pdfminer_words(pdf: Path, number: int) -> list[tuple[str, tuple[float, ...]]]:
    """Every run of word characters on the page as pdfminer lays it out, with its box as
    fractions of the page from the top left (the corpus pages are unrotated)."""
    page: LTPage = next(iter(extract_pages(str(pdf), page_numbers=[number - 1])))
    x0p, y0p, x1p, y1p = page.bbox
    w, h = x1p - x0p, y1p - y0p
    out: list[tuple[str, tuple[float, ...]]] = []

    def lines(item: object) -> Iterator[LTTextLine]:
        if isinstance(item, LTTextLine):
            yield item
        elif isinstance(item, LTContainer):
            for child in item:
                yield from lines(child)

    for line in lines(page):
        chars = [c for c in line if isinstance(c, LTChar)]
        run: list[LTChar] = []
        for char in [*chars, None]:
            if char is not None and re.fullmatch(r"\w", char.get_text()):
                run.append(char)
                continue
            if run:
                left, right = min(c.x0 for c in run), max(c.x1 for c in run)
                top, bottom = max(c.y1 for c in run), min(c.y0 for c in run)
                box = ((left - x0p) / w, (y1p - top) / h, (right - x0p) / w, (y1p - bottom) / h)
                out.append(("".join(c.get_text() for c in run), box))
                run = []
    return out


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box's area."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / smaller if smaller > 0 else 0.0


def highlighted_words(ix: Path, pub_id: str, page: int, query: str) -> set[str]:
    from search.results.pages import show_page

    return {
        word_key(m)
        for m in re.findall(r"<b>(.*?)</b>", show_page(ix, pub_id, page, query=query).html)
    }


@pytest.mark.parametrize(
    ("pub_id", "page", "query"),
    [
        ("manual-misstanke-2016", 5, "människohandel"),
        ("barn-polisarenden-2017", 8, "barnen skydd"),
        ("regional-coordinator-2017", 7, "жертвам"),
    ],
)
def test_each_box_sits_on_a_highlighted_word_as_pdfminer_lays_it_out(
    ix: Path, pictures: PagePictures, pub_id: str, page: int, query: str
) -> None:
    marks = pictures.marks(pub_id, page, query)
    assert marks.source == "pdfium" and marks.boxes
    wanted = highlighted_words(ix, pub_id, page, query)
    laid_out = [(word_key(t), b) for t, b in pdfminer_words(PDF_DIR / f"{pub_id}.pdf", page)]
    for box in marks.boxes:
        best = max(laid_out, key=lambda tb: overlap(box, tb[1]))
        assert overlap(box, best[1]) > 0.6 and best[0] in wanted, (box, best)
    # every highlighted occurrence got its box: as many boxes as <b> marks in the text
    marks_in_text = show_page_marks(ix, pub_id, page, query)
    assert len(marks.boxes) == marks_in_text


def show_page_marks(ix: Path, pub_id: str, page: int, query: str) -> int:
    from search.results.pages import show_page

    return show_page(ix, pub_id, page, query=query).html.count("<b>")


def test_a_page_without_the_query_words_has_no_boxes(pictures: PagePictures) -> None:
    hits = pictures.hit_pages("manual-misstanke-2016", "polisen")
    other = next(p for p in range(1, 9) if p not in hits)
    marks = pictures.marks("manual-misstanke-2016", other, "polisen")
    assert marks.source == "pdfium" and marks.boxes == ()
    assert pictures.marks("manual-misstanke-2016", hits[0], None).boxes == ()


def test_a_phrase_query_marks_every_word_of_the_phrase(pictures: PagePictures) -> None:
    target = pictures.target("regional-coordinator-2017", 4)
    words = pictures.words(target).words
    marks = pictures.marks("regional-coordinator-2017", 4, '"trafic de persoane"')
    marked = {i for i, w in enumerate(words) if w.box in set(marks.boxes)}
    # the phrase as a whole, its stop word too: "traficului de persoane" (stems match)
    runs = [
        i
        for i in sorted(marked)
        if {i + 1, i + 2} <= marked
        and word_key(words[i].text).startswith("trafic")
        and [word_key(words[j].text) for j in (i + 1, i + 2)] == ["de", "persoane"]
    ]
    assert runs, [words[i].text for i in sorted(marked)]


def test_hit_pages_are_the_pages_the_query_matches(pictures: PagePictures, ix: Path) -> None:
    from search.results.pages import show_page

    hits = pictures.hit_pages("manual-misstanke-2016", "polisen")
    assert hits and list(hits) == sorted(hits)
    for number in range(1, 9):
        has = "<b>" in show_page(ix, "manual-misstanke-2016", number, query="polisen").html
        assert has == (number in hits)


# ---------------------------------------------------------------- the picture endpoint


def test_picture_is_a_cached_png_of_the_asked_width(client: TestClient) -> None:
    response = client.get("/picture/manual-misstanke-2016/5", params={"w": "800"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert "max-age" in response.headers["cache-control"]
    assert response.content.startswith(b"\x89PNG")
    width, height = Image.open(io.BytesIO(response.content)).size
    assert width == 800 and abs(height / width - 842 / 595) < 0.01
    again = client.get(
        "/picture/manual-misstanke-2016/5",
        params={"w": "800"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/picture/manual-misstanke-2016/5?w=801", 400),
        ("/picture/manual-misstanke-2016/0", 400),
        ("/picture/manual-misstanke-2016/99", 404),
        ("/picture/no-such-id/1", 404),
        ("/api/marks/no-such-id/1", 404),
    ],
)
def test_bad_picture_requests(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert url.startswith("/api/") or response.headers["cache-control"] == "no-store"


def test_page_view_shows_the_picture_with_the_marks(client: TestClient) -> None:
    body = client.get("/page/manual-misstanke-2016/5", params={"q": "människohandel"}).text
    assert 'id="page-image" src="/picture/manual-misstanke-2016/5?w=1200"' in body
    assert "/picture/manual-misstanke-2016/5?w=2400 2400w" in body
    assert body.count('<rect class="mark"') == 2
    assert 'style="' not in body and body.count("<script") == 1


def test_marks_api_is_the_cli_json(client: TestClient, ix: Path) -> None:
    api = client.get("/api/marks/manual-misstanke-2016/5", params={"q": "människohandel"}).json()
    result = CliRunner().invoke(
        cli,
        [
            "show",
            "manual-misstanke-2016",
            "--page",
            "5",
            "--query",
            "människohandel",
            "--json",
            "--index",
            str(ix),
        ],
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["boxes"] == api["boxes"] and len(api["boxes"]) == 2
    assert [shown["page_width"], shown["page_height"]] == [api["width"], api["height"]]
    for x0, y0, x1, y1 in api["boxes"]:
        assert 0 <= x0 < x1 <= api["width"] and 0 <= y0 < y1 <= api["height"]


def test_show_png_writes_the_page_with_the_words_marked(ix: Path, tmp_path: Path) -> None:
    out = tmp_path / "page.png"
    args = ["show", "manual-misstanke-2016", "--page", "5", "--index", str(ix), "--width", "800"]
    result = CliRunner().invoke(cli, [*args, "--query", "människohandel", "--png", str(out)])
    assert result.exit_code == 0 and result.output == f"wrote {out} (2 words marked)\n"
    plain = tmp_path / "plain.png"
    assert CliRunner().invoke(cli, [*args, "--png", str(plain)]).exit_code == 0

    def yellow(path: Path) -> int:
        pixels = Image.open(path).convert("RGB").get_flattened_data()
        return sum(1 for r, g, b in pixels if r > 200 and 150 < g < 235 and b < 170)

    assert yellow(out) > 500 and yellow(plain) < 50


# ---------------------------------------------------------------- limits


def slow_pdf(path: Path, side: int = 12_000, images: int = 16) -> Path:
    """A one-page PDF whose page is `images` huge grey images, one over the other: PDFium
    decodes each (0.2-0.3 s apiece on the 2-core test machine, so seconds in all: one alone
    drew within the tests' 0.3 s limit on a quiet machine); each is freed before the next,
    so memory stays near one image's."""
    data = zlib.compress(b"\x80" * (side * side), 1)
    draws = b"".join(b"q 595 0 0 842 0 0 cm /Im%d Do Q\n" % n for n in range(images))
    xobjects = b" ".join(b"/Im%d %d 0 R" % (n, 5 + n) for n in range(images))
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (side, side, len(data))
        + data
        + b"\nendstream"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << " + xobjects + b" >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(draws) + draws + b"endstream",
        *[image] * images,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


@pytest.mark.slow
def test_a_page_over_the_time_limit_gets_a_placeholder_and_the_next_request_is_served(
    tmp_path: Path, ix: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    slow_pdf(folder / "slow.pdf")
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=(folder,)))
    pictures = PagePictures(tmp_path / "ix", tmp_path / "cache", timeout=0.3, workers=1)
    client = TestClient(create_app(tmp_path / "ix", pictures=pictures), base_url=LOCAL)
    try:
        response = client.get("/picture/slow/1")
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert "longer than 0.3 s" in response.text
        view = client.get("/page/slow/1")  # the page view still shows the text, no picture
        assert view.status_code == 200 and 'id="picture-failed"' in view.text
        assert 'id="page-image"' not in view.text
        assert client.get("/picture/slow/1").status_code == 422  # remembered: no second try
        with pytest.raises(RenderLimitError):
            pictures.picture(pictures.target("slow", 1))
    finally:
        pictures.close()
    fresh = PagePictures(ix, tmp_path / "cache", timeout=0.3, workers=1)  # same worker limits
    try:
        small = TestClient(create_app(ix, pictures=fresh), base_url=LOCAL)
        assert small.get("/picture/manual-misstanke-2016/1?w=400").status_code == 200
    finally:
        fresh.close()


def test_the_pdf_bomb_does_not_take_the_server_down(tmp_path: Path, ix: Path) -> None:
    bomb = real_pdf("weird/pdfjs__bomb_giant.pdf")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bomb.pdf").symlink_to(bomb)
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=(folder,)))
    pictures = PagePictures(tmp_path / "ix", tmp_path / "cache", workers=1)
    client = TestClient(create_app(tmp_path / "ix", pictures=pictures), base_url=LOCAL)
    try:
        first = client.get("/picture/bomb/1?w=2400")
        assert first.status_code in (200, 422, 503)
        assert client.get("/page/bomb/1").status_code == 200
        assert client.get("/api/search?q=&limit=1").status_code == 200
    finally:
        pictures.close()


@pytest.mark.parametrize(
    "message",
    [
        WordsRequest(path="/a/b.pdf", page=3, ocr=True, cache_dir="/cache"),
        RenderRequest(
            path="/a/b.pdf", page=1, width=800, out="/o.png", boxes=((0.1, 0.2, 0.3, 0.4),)
        ),
        RenderRequest(path="/a/b.pdf", page=1, passwords=("hemligt",), width=400, out="/o.png"),
    ],
)
def test_render_requests_cross_the_pipe_unchanged(message: Request) -> None:
    line = encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_request(line) == message


@pytest.mark.parametrize(
    "message",
    [
        Ready(),
        WordsFound(
            words=PageWords(
                width=595.0,
                height=842.0,
                source="pdfium",
                words=(WordBox(text="barn", box=(0.1, 0.25, 0.2, 0.3)),),
            )
        ),
        Rendered(width=800, height=1132),
        RequestFailed(detail="ValueError: no page 9 (the PDF has 8)"),
        OutOfMemory(),
    ],
)
def test_render_replies_cross_the_pipe_unchanged(message: Reply) -> None:
    assert decode_reply(encode(message)) == message


@pytest.mark.parametrize(
    "line",
    [
        b'{"op": "words", "path": "/a.pdf", "page": 1}\n',
        b'{"WordsRequest": {"path": "/a.pdf"}}',
        b"[]",
    ],
)
def test_a_line_that_is_no_render_request_is_refused(line: bytes) -> None:
    with pytest.raises(ValueError, match="render message"):
        decode_request(line)


def test_picture_cache_keeps_under_its_cap(tmp_path: Path) -> None:
    cache = PictureCache(tmp_path, cap_mb=1)
    files = []
    for n in range(8):
        target = cache.png("ab" * 32, n, 400)
        cache.write(target, bytes(200_000))
        files.append(target)
    entries, size = cache.size()
    assert size <= 1024 * 1024 and entries < 8
    assert files[-1].is_file() and not files[0].is_file()  # the oldest went first


def test_rotation_and_crop_box_are_applied_to_the_boxes(tmp_path: Path) -> None:
    """A landscape table on a portrait page: the text is drawn turned a quarter to the left
    and the page has /Rotate 90, so it reads upright on screen; and a crop box shows only
    part of the page."""
    import pypdfium2 as pdfium
    from fpdf import FPDF

    flat = FPDF(format="A4")
    flat.add_page()
    flat.set_font("Helvetica", size=14)
    with flat.rotation(90, x=100, y=250):
        flat.text(100, 250, "the word trafficking is here")
    flat.output(str(tmp_path / "flat.pdf"))
    pdf = pdfium.PdfDocument(str(tmp_path / "flat.pdf"))
    pdf[0].set_rotation(90)
    pdf[0].set_cropbox(100, 0, 595, 700)
    folder = tmp_path / "docs"
    folder.mkdir()
    pdf.save(str(folder / "turned.pdf"))
    pdf.close()
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=(folder,)))
    pictures = PagePictures(tmp_path / "ix", tmp_path / "cache", workers=1)
    try:
        marks = pictures.marks("turned", 1, "trafficking")
        out = tmp_path / "turned.png"
        pictures.write_marked("turned", 1, None, out, width=800)
    finally:
        pictures.close()
    assert (marks.width, marks.height) == pytest.approx((700, 495), abs=0.5)  # crop, turned
    ((x0, y0, x1, y1),) = marks.boxes
    assert x1 - x0 > 3 * (y1 - y0)  # the word reads upright: wide, not tall
    image = Image.open(out).convert("L")
    w, h = image.size
    inside = image.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h)))
    below = image.crop((round(x0 * w), round(y1 * h) + 15, round(x1 * w), round(y1 * h) + 40))
    assert min(inside.get_flattened_data()) < 100  # ink under the box
    assert min(below.get_flattened_data()) > 200  # and none under the line


def test_the_server_side_never_imports_pdfium() -> None:
    code = (
        "import sys, search.cli.main, search.render, search.pictures.page_image,"
        " search.serve.web.app;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pypdfium2', 'PIL')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    worker = "import sys, search.pictures.render_worker; print('pypdfium2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", worker], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"  # the check above can fail
