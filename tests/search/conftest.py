"""Fixtures of the search tests: a small index of names in several scripts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import pipeline
from indexer.model import IndexSettings
from tests.support import DEJAVU, unicode_pdf

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
