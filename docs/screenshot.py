"""Take the README's screenshots (``make screenshot``).

Indexes the bundled corpus into a temp folder, serves it, and photographs in Debian's
headless Chromium through Playwright a search (``docs/search-page.png``) and a page view
with the matched words marked on the page picture (``docs/page-picture.png``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]

QUERY = {"q": "barnen skydd"}
#: The page view shown: a page of the top hit, its matches marked on the picture.
PAGE_VIEW = "/page/barn-polisarenden-2017/8?" + urlencode(QUERY)


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' server and Chromium set-up
    from test_web_browser import CHROMIUM, CHROMIUM_ARGS, start_server

    out = ROOT / "docs" / "search-page.png"
    with tempfile.TemporaryDirectory(prefix="pubsearch-shot-") as tmp:
        index_dir = Path(tmp) / "index"
        catalog = ROOT / "corpus" / "catalog.toml"
        command = [sys.executable, "-m", "search", "index", "-q", "--index", str(index_dir)]
        subprocess.run([*command, "--catalog", str(catalog)], check=True)
        proc, url = start_server(index_dir)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 1000}, locale="sv-SE")
                page.goto(f"{url}/?{urlencode(QUERY)}")
                page.screenshot(path=str(out))
                page.set_viewport_size({"width": 1400, "height": 1100})
                page.goto(url + PAGE_VIEW)
                page.wait_for_function(
                    "() => { const i = document.getElementById('page-image'); "
                    "return i && i.complete && i.naturalWidth > 0; }"
                )
                page.screenshot(path=str(ROOT / "docs" / "page-picture.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"wrote {out.relative_to(ROOT)} and docs/page-picture.png")


if __name__ == "__main__":
    main()
