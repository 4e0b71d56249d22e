"""What tests share besides fixtures: the project's paths, the real-world PDFs, the CLI run
in-process, and the marks of tests that need Tesseract.

Real-world PDFs live outside the project in ``../shared/realpdfs`` (override with
``$PUBSEARCH_REALPDFS``); tests that need them skip with a clear reason when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

F = TypeVar("F", bound=Callable[..., Any])

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "corpus" / "catalog.toml"
REALPDFS = Path(os.environ.get("PUBSEARCH_REALPDFS", ROOT.parent / "shared" / "realpdfs"))


def real_pdf(relative: str) -> Path:
    """A file of the shared real-world PDF collection, or skip the test if it is absent."""
    path = REALPDFS / relative
    if not path.is_file():
        pytest.skip(f"real-world PDF collection not available: {path} is missing")
    return path


def run(*args: str) -> Result:
    """``pubsearch ARGS`` in this process; unexpected exceptions propagate."""
    from search.cli.main import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def needs_tesseract(*languages: str) -> Callable[[F], F]:
    """Mark a test ``ocr`` and skip it unless Tesseract and these language packs (and
    ``osd``) are installed."""
    from indexer.extraction.tesseract import APT_HINT, engine

    found = engine()
    wanted = {*languages, "osd"}
    missing = wanted if found is None else wanted - set(found.languages)
    names = ", ".join(sorted(wanted))
    skip = pytest.mark.skipif(
        bool(missing), reason=f"Tesseract with {names} is not installed ({APT_HINT})"
    )

    def mark(test: F) -> F:
        return pytest.mark.ocr(skip(test))

    return mark


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def unicode_pdf(path: Path, text: str) -> Path:
    """A one-page PDF in DejaVu Sans (ș/ț are not in the core fonts)."""
    from fpdf import FPDF  # the test-only PDF writer

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(DEJAVU))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    for n, line in enumerate(text.split("\n")):
        pdf.text(15, 20 + 6 * n, line)
    pdf.output(str(path))
    return path
