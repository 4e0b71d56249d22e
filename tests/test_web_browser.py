"""End to end in a real browser: `pubsearch serve` in a subprocess, driven by Playwright in
Debian's headless Chromium (``apt-get install chromium``; `.ci/run` installs it)."""

from __future__ import annotations

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

import pytest
from conftest import CATALOG
from playwright.sync_api import Browser, Page, sync_playwright

from indexer import pipeline
from indexer.pipeline import IndexReport
from search.web.i18n import TEXTS

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
    pipeline.index(tmp_path / "ix", [pdf.parent])
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
