"""The bundled corpus: catalog facts, and committed PDFs in step with their sources."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from indexer.extraction.pdf import iter_pages
from indexer.planning.catalog import load_catalog
from tests.support import CATALOG, ROOT

RAW_ENTRIES: list[dict[str, Any]] = tomllib.loads(CATALOG.read_text())["publication"]


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_build", ROOT / "corpus" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_catalog_lists_the_nine_publications() -> None:
    entries = load_catalog(CATALOG)
    assert len(entries) == 9
    assert [e.id for e in entries if e.pdf is None] == ["film-sexuell-exploatering-barn"]
    assert all(e.pdf is not None and e.pdf.is_file() for e in entries if e.type != "film")
    pages = sum(len(list(iter_pages(e.pdf))) for e in entries if e.pdf is not None)
    assert 55 <= pages <= 70
    assert {e.type for e in entries} == {"report", "manual", "brochure", "film"}


@pytest.mark.parametrize(
    "raw", [e for e in RAW_ENTRIES if e.get("file")], ids=lambda e: str(e["id"])
)
def test_committed_pdf_matches_its_source(raw: dict[str, Any], tmp_path: Path) -> None:
    """Rebuilding from corpus/text gives the same text, page for page (else: `make corpus`)."""
    fresh = tmp_path / "fresh.pdf"
    load_build().build(raw, ROOT / "corpus" / "text" / f"{raw['id']}.txt", fresh)
    committed = ROOT / "corpus" / "pdf" / raw["file"]
    assert [p.text for p in iter_pages(fresh)] == [p.text for p in iter_pages(committed)]
