"""Index-aware query expansion: definite forms, Bulgarian articles, compounds, diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import real_pdf

from indexer import pipeline, schema
from indexer.model import IndexReport, IndexSettings
from search.expand import ENDINGS, compoundable, foldable, inflection_variants
from search.searcher import SearchResults, search


def pages(results: SearchResults) -> set[tuple[str, int]]:
    return {(h.id, p.page) for h in results.hits for p in h.pages}


@pytest.fixture(scope="module")
def ix(corpus_index: tuple[Path, IndexReport]) -> Path:
    return corpus_index[0]


def test_foldable() -> None:
    assert foldable("forordning", "forordning")
    assert foldable("sectiunea", "sectiun")
    assert not foldable("förordning", "förordning")  # typed with diacritics
    assert not foldable("жертвы", "жертв")
    assert not foldable("bhk", "bhk")  # no letter that diacritics change


def test_compoundable() -> None:
    assert compoundable("sv", "off")
    assert not compoundable("en", "victim")
    assert not compoundable("sv", "ab")


def test_inflection_endings_are_listed_once() -> None:
    for language, endings in ENDINGS.items():
        assert len(set(endings)) == len(endings), language


def test_swedish_definite_form_and_base_form_find_each_other(ix: Path) -> None:
    # Snowball leaves "skyddet" as it is; the expansion bridges it both ways
    definite = pages(search(ix, "skyddet", limit=20, pages=100))
    base = pages(search(ix, "skydd", limit=20, pages=100))
    assert definite == base and len(base) > 9


def test_swedish_compound_part_finds_compounds(ix: Path) -> None:
    hits = search(ix, "offer", limit=20, pages=100).hits
    snippets = " ".join(p.snippet.tagged() for h in hits for p in h.pages)
    assert "<b>människohandelsoffer</b>" in snippets and "<b>offer</b>" in snippets
    # the word as typed ranks before the compounds
    assert "<b>offer</b>" in hits[0].pages[0].snippet.tagged()


def test_words_typed_without_diacritics(ix: Path) -> None:
    plain = pages(search(ix, "forordning", limit=20, pages=100))
    assert plain and plain == pages(search(ix, "förordning", limit=20, pages=100))
    ro = pages(search(ix, "victimele protectie", limit=20, pages=100))
    assert (
        ro
        == pages(search(ix, "victimele protecție", limit=20, pages=100))
        == {("regional-coordinator-2017", 4)}
    )


def test_bulgarian_definite_article(tmp_path: Path) -> None:
    report = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[real_pdf("lang-bg/nimsccu__manual.pdf")])
    )
    assert report.ok
    searcher = schema.open_index(tmp_path / "ix").searcher()
    assert "ръководство" in inflection_variants(searcher, "text_bg", "bg", "ръководството")
    # page 1 says "ръководство", never the definite form the analyst typed
    assert ("nimsccu-manual", 1) in pages(search(tmp_path / "ix", "ръководството", pages=100))
