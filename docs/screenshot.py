"""Take the README's screenshot of the search page (``make screenshot``).

Indexes the bundled corpus into a temp folder, serves it, and photographs a search in
Debian's headless Chromium through Playwright: ``docs/search-page.png``.
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
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
