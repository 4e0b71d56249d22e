"""Shared fixtures: real indexes in temp dirs, small PDFs written in code, real-world PDFs.

Real-world PDFs live outside the project in ``../shared/realpdfs`` (override with
``$PUBSEARCH_REALPDFS``); tests that need them skip with a clear reason when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fpdf import FPDF

from indexer import pipeline
from indexer.model import IndexReport, IndexSettings
from tests.support import CATALOG, DEJAVU, unicode_pdf


@pytest.fixture(scope="session", autouse=True)
def extraction_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the tests' extraction cache out of the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("PUBSEARCH_CACHE")
    os.environ["PUBSEARCH_CACHE"] = str(folder)
    yield folder
    if old is None:
        del os.environ["PUBSEARCH_CACHE"]
    else:
        os.environ["PUBSEARCH_CACHE"] = old


@pytest.fixture(scope="session", autouse=True)
def no_daemon() -> Iterator[None]:
    """``pubsearch`` processes the tests start run their commands themselves, never through
    a ``pubsearch daemon`` the developer may have running (tests/search/test_daemon.py starts
    its own)."""
    old = os.environ.get("PUBSEARCH_DAEMON")
    os.environ["PUBSEARCH_DAEMON"] = "off"
    yield
    if old is None:
        del os.environ["PUBSEARCH_DAEMON"]
    else:
        os.environ["PUBSEARCH_DAEMON"] = old


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, IndexReport]]:
    """The bundled corpus indexed once per session into a temp dir."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    report = pipeline.index(IndexSettings(index_dir=index_dir, catalog=CATALOG))
    yield index_dir, report


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Write a small PDF in a core font: one string (lines split on newlines) per page."""

    def make(
        pages: list[str], name: str = "doc.pdf", title: str | None = None,
        author: str | None = None,
    ) -> Path:  # fmt: skip
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(False)
        if title:
            pdf.set_title(title)
        if author:
            pdf.set_author(author)
        for text in pages:
            pdf.add_page()
            pdf.set_font("Helvetica", size=11)
            y = 20.0
            for line in text.split("\n"):
                if line:
                    pdf.text(15, y, line)
                y += 6
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pdf.output(str(path))
        return path

    return make


@pytest.fixture(scope="session")
def ix(corpus_index: tuple[Path, IndexReport]) -> Path:
    """The folder of the session's index of the bundled corpus."""
    return corpus_index[0]


# ---------------------------------------------------------------- names in several scripts

RU_FILLER = (
    "Сведения о доходах, об имуществе и обязательствах имущественного характера\n"
    "лиц, замещающих государственные должности, за отчетный финансовый год.\n"
)
PAGES = {
    "prosecutor": RU_FILLER + "Волков В.Л. прокурор области, супруга, квартира, гараж.",
    "wife": RU_FILLER + "Волкова Н.П. супруга, земельный участок, квартира, дача.",
    "cars": RU_FILLER + "Автомобиль легковой Volvo XC90, автомобиль Volvo S60, катер.",
    "latin": (
        "Annual report of the regional office on support for victims of trafficking.\n"
        "The prosecutor Volkov presented the figures; senator Washington met Johnson.\n"
    ),
}


@pytest.fixture(scope="session")
def names_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not DEJAVU.is_file():
        pytest.skip("needs fonts-dejavu-core for Cyrillic PDFs (apt-get install fonts-dejavu-core)")
    folder = tmp_path_factory.mktemp("names")
    pdfs = [unicode_pdf(folder / f"{name}.pdf", text) for name, text in PAGES.items()]
    index_dir = folder / "ix"
    pipeline.index(IndexSettings(index_dir=index_dir, paths=pdfs))
    yield index_dir
