"""End to end in a real browser: `pubsearch serve` in a subprocess, driven by Playwright in
Debian's headless Chromium (``apt-get install chromium``; `.ci/run` installs it)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from indexer import pipeline
from indexer.model import IndexReport, IndexSettings
from search.pictures.words import word_key
from search.serve.web.i18n import TEXTS
from tests.search.test_page_image import overlap, pdfminer_words
from tests.support import CATALOG, real_pdf

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("PUBSEARCH_CHROMIUM", "/usr/bin/chromium")
#: What Chromium needs here: no sandbox as root, no GPU, and no background connections to
#: Google's hosts, which a closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(index_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`pubsearch serve` on a free loopback port, once it answers."""
    port = free_port()
    exe = shutil.which("pubsearch", path=str(Path(sys.executable).parent)) or "pubsearch"
    proc = subprocess.Popen(
        [exe, "serve", "--index", str(index_dir), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/api/search?limit=1", timeout=1) as answer:
                if answer.status == 200:
                    return proc, url
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    output = proc.communicate()[0].decode(errors="replace")
    raise RuntimeError(f"pubsearch serve did not start: {output}")


@pytest.fixture(scope="module")
def server(corpus_index: tuple[Path, IndexReport]) -> Iterator[str]:
    proc, url = start_server(corpus_index[0])
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", accept_downloads=True)
    yield context.new_page()
    context.close()


def test_search_from_the_form(page: Page, server: str) -> None:
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.fill("#q", "barnen skydd")
    page.click("#submit")
    page.wait_for_url("**/?q=barnen+skydd*")
    hits = page.locator("li.hit")
    assert hits.count() == 6
    first = hits.first
    assert first.locator("h2.title").inner_text() == "Människohandel med barn"
    assert first.locator("mark").count() > 0
    assert "6 publikationer" in page.locator("#summary").inner_text()


def test_follow_a_page_link_and_receive_the_pdf(page: Page, server: str) -> None:
    page.goto(server + "/?q=victim+referral")
    link = page.locator("li.page-hit a.pdf-page").first
    href = link.get_attribute("href")
    assert href and href.startswith("/pdf/nrm-sweden-2016#page=")
    with page.expect_response(lambda r: "/pdf/" in r.url) as info:
        link.click()
    response = info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    page.wait_for_url(f"**{href}")  # Chromium's PDF viewer, at the page of the hit
    # the viewer replaces the body it shows; fetch the same link as the browser to compare
    fetched = page.request.get(server + href.split("#")[0])
    assert fetched.body() == (CATALOG.parent / "pdf" / "nrm-sweden-2016.pdf").read_bytes()


def test_filter_by_type(page: Page, server: str) -> None:
    page.goto(server + "/?q=människohandel")
    before = page.locator("li.hit").count()
    page.select_option("#type", "manual")  # the page's script submits on change
    page.wait_for_url("**type=manual*")
    types = page.locator("li.hit dd.type").all_inner_texts()
    assert types and set(types) == {TEXTS["sv"]["type.manual"]} and len(types) < before
    page.click("#facet-year a >> nth=0")  # then narrow by a year facet
    page.wait_for_url("**year=*")
    assert "type=manual" in page.url and page.locator("li.hit").count() >= 1


def test_filter_by_type_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto(server + "/?q=människohandel")
    page.select_option("#type", "brochure")
    page.click("#submit")
    page.wait_for_url("**type=brochure*")
    assert set(page.locator("li.hit dd.type").all_inner_texts()) == {"Broschyr"}
    context.close()


def test_page_text_link_shows_the_page_with_marks(page: Page, server: str) -> None:
    page.goto(server + "/?q=жертвам")
    page.click("li.page-hit a.page-link")
    page.wait_for_url("**/page/regional-coordinator-2017/7?q=*")
    assert page.locator(".page-text mark").first.inner_text() == "жертвы"
    page.click("#back")
    page.wait_for_url("**/?q=*")
    assert page.locator("li.hit").count() == 1


def test_switch_interface_language(page: Page, server: str) -> None:
    page.goto(server + "/?q=skydd")
    assert page.locator("#submit").inner_text() == TEXTS["sv"]["submit"]
    page.click("#ui-switch")
    page.wait_for_url("**ui=en*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#submit").inner_text() == TEXTS["en"]["submit"]
    page.fill("#q", "barnen")  # the choice survives the next search
    page.click("#submit")
    page.wait_for_url("**q=barnen*")
    assert page.locator("#submit").inner_text() == TEXTS["en"]["submit"]


def test_script_in_pdf_text_is_shown_as_text(
    browser: Browser, tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = make_pdf(
        ["Trafficking warning <script>window.pwned = 1; document.title = 'pwned'</script>",
         "<img src=x onerror=\"window.pwned = 2\"> more trafficking"],
        name="docs/evil.pdf", title="<script>window.pwned = 3</script>",
    )  # fmt: skip
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[pdf.parent]))
    proc, url = start_server(tmp_path / "ix")
    context = browser.new_context()
    page = context.new_page()
    try:
        for path in ("/?q=trafficking", "/?q=pwned", "/", "/page/evil/1?q=script"):
            page.goto(url + path)
            assert page.evaluate("typeof window.pwned") == "undefined"
            assert page.title() != "pwned"
            assert page.locator("script").count() == 1  # only /static/app.js
            assert page.locator("main img:not(#page-image)").count() == 0
        page.goto(url + "/?q=trafficking")
        text = page.locator("li.hit").first.inner_text()
        assert "<script>window.pwned = 1;" in text and "<script>window.pwned = 3</script>" in text
    finally:
        context.close()
        proc.terminate()
        proc.wait(10)


# ---------------------------------------------------------------- the page picture

#: Each mark's box in the DOM, as fractions of the picture, with the word it marks.
MARK_BOXES = """() => {
  const img = document.getElementById("page-image").getBoundingClientRect();
  return [...document.querySelectorAll("rect.mark")].map((r) => {
    const b = r.getBoundingClientRect();
    return [(b.left - img.left) / img.width, (b.top - img.top) / img.height,
            (b.right - img.left) / img.width, (b.bottom - img.top) / img.height, r.dataset.word];
  });
}"""


def open_page_view(page: Page, url: str) -> list[list[Any]]:
    page.goto(url)
    page.wait_for_function(
        "() => { const i = document.getElementById('page-image'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    boxes: list[list[Any]] = page.evaluate(MARK_BOXES)
    return boxes


def test_marks_sit_on_the_words_as_pdfminer_lays_them_out(browser: Browser, server: str) -> None:
    context = browser.new_context(device_scale_factor=2, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        boxes = open_page_view(page, server + "/page/manual-misstanke-2016/5?q=människohandel")
        assert len(boxes) == 2
        laid_out = pdfminer_words(CATALOG.parent / "pdf" / "manual-misstanke-2016.pdf", 5)
        for *box, word in boxes:
            best = max(laid_out, key=lambda tb: overlap(tuple(box), tb[1]))
            assert overlap(tuple(box), best[1]) > 0.5 and word_key(best[0]) == word_key(word)
        chosen, shown, density = page.evaluate(
            "() => { const i = document.getElementById('page-image'); "
            "return [i.currentSrc, i.clientWidth, window.devicePixelRatio]; }"
        )
        width = int(chosen.rsplit("w=", 1)[1])
        assert width >= shown * density * 0.95  # rendered for the screen's pixel density
    finally:
        context.close()


def test_a_phrase_is_marked_as_a_whole(page: Page, server: str) -> None:
    boxes = open_page_view(
        page, server + '/page/regional-coordinator-2017/4?q="trafic de persoane"'
    )
    words = [word_key(b[4]) for b in boxes]
    starts = [
        i
        for i in range(len(words) - 2)
        if words[i].startswith("trafic") and words[i + 1 : i + 3] == ["de", "persoane"]
    ]
    assert starts
    first = boxes[starts[0] : starts[0] + 3]
    if first[0][1] == pytest.approx(first[2][1], abs=0.01):  # on one line: left to right
        assert first[0][0] < first[1][0] < first[2][0]


def test_hit_page_keys_skip_pages_without_hits(page: Page, server: str) -> None:
    # "migrationsverket" is on pages 2, 5 and 6 of the manual
    assert open_page_view(page, server + "/page/manual-misstanke-2016/2?q=migrationsverket")
    page.keyboard.press("j")
    page.wait_for_url("**/page/manual-misstanke-2016/5?q=*")
    assert page.locator("rect.mark").count() > 0
    page.keyboard.press("k")
    page.wait_for_url("**/page/manual-misstanke-2016/2?q=*")
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/page/manual-misstanke-2016/3?q=*")
    assert open_page_view(page, page.url) == []  # no hit on page 3: no box
    assert page.locator("#marked").inner_text() == TEXTS["sv"]["marked_none"]
    assert page.locator("#next-hit").get_attribute("href") == (
        "/page/manual-misstanke-2016/5?q=migrationsverket"
    )


def test_a_snippets_page_number_opens_the_page_view(page: Page, server: str) -> None:
    page.goto(server + "/?q=migrationsverket")
    link = page.locator("li.page-hit a.page-number").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("rect.mark").count() > 0 and page.locator(".page-text mark").count() > 0


@pytest.fixture(scope="module")
def rotated_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Page 2 of the rotated scan (its text turned 90°), indexed with OCR, served."""
    import pypdfium2 as pdfium

    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed (apt-get install tesseract-ocr)")
    source = pdfium.PdfDocument(str(real_pdf("scanned/ocrmypdf__cardinal.pdf")))
    folder = tmp_path_factory.mktemp("scan")
    one = pdfium.PdfDocument.new()
    one.import_pages(source, [1])
    one.save(str(folder / "cardinal.pdf"))
    index_dir = folder.parent / (folder.name + "-ix")
    report = pipeline.index(IndexSettings(index_dir=index_dir, paths=[folder]))
    assert report.ok and report.ocr_pages == 1
    proc, url = start_server(index_dir)
    yield url
    proc.terminate()
    proc.wait(10)


def test_marks_on_a_rotated_scan_sit_on_the_ocr_words(page: Page, rotated_scan: str) -> None:
    from PIL import Image

    boxes = open_page_view(page, rotated_scan + "/page/cardinal/1?q=polyphonic")
    assert len(boxes) >= 2 and {word_key(b[4]) for b in boxes} == {"polyphonic"}
    api = page.request.get(rotated_scan + "/api/marks/cardinal/1?q=polyphonic").json()
    for (x0, y0, x1, y1, _), points in zip(boxes, api["boxes"], strict=True):
        shown = [
            points[0] / api["width"],
            points[1] / api["height"],
            points[2] / api["width"],
            points[3] / api["height"],
        ]
        assert [x0, y0, x1, y1] == pytest.approx(shown, abs=0.01)
    picture = page.request.get(rotated_scan + "/picture/cardinal/1?w=2400").body()
    image = Image.open(io.BytesIO(picture)).convert("L")
    w, h = image.size
    for x0, y0, x1, y1, _ in boxes:  # what the box covers reads as the word, turned upright
        crop = image.crop((int(x0 * w) - 4, int(y0 * h) - 4, int(x1 * w) + 4, int(y1 * h) + 4))
        read = set()
        for turn in (90, 270):
            out = io.BytesIO()
            crop.rotate(turn, expand=True, fillcolor=255).save(out, format="PNG")
            text = subprocess.run(
                ["tesseract", "stdin", "stdout", "--psm", "7"],
                input=out.getvalue(),
                capture_output=True,
                timeout=60,
            ).stdout
            read.add(word_key(text.decode(errors="replace")))
        assert any("polyphonic" in t for t in read), read
