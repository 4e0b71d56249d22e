"""Names in ordinary searches: a name typed in one script or spelling finds the page that
prints it in another, says which form it matched, and is never corrected into a word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import pipeline
from indexer.model import IndexSettings
from search import api
from search.query.request import SearchRequest
from search.results.hits import SearchResults
from search.results.planner import search
from tests.support import real_pdf, run


def pages(results: SearchResults) -> list[tuple[str, int]]:
    return [(h.id, p.page) for h in results.hits for p in h.pages]


def test_a_latin_name_finds_its_cyrillic_print_and_says_so(names_index: Path) -> None:
    results = search(names_index, "Volkov")
    assert results.corrected_from is None and results.suggestion is None
    by_id = {h.id: h for h in results.hits}
    assert set(by_id) == {"prosecutor", "latin"}  # never the Volvo page, never Волкова
    assert by_id["prosecutor"].pages[0].matched_as == {"Volkov": "Волков"}
    assert by_id["latin"].pages[0].matched_as == {}  # printed as typed: no label
    # the page printing the name as typed ranks above the one reached through its key
    assert [h.id for h in results.hits] == ["latin", "prosecutor"]


def test_another_form_of_the_surname_is_not_the_same_name(names_index: Path) -> None:
    assert "wife" not in {h.id for h in search(names_index, "Volkov").hits}
    wife = search(names_index, "Volkova")
    assert [h.id for h in wife.hits] == ["wife"]
    assert wife.hits[0].pages[0].matched_as == {"Volkova": "Волкова"}


def test_a_cyrillic_name_finds_its_latin_print(names_index: Path) -> None:
    found = search(names_index, "Вашингтон")
    assert pages(found) == [("latin", 1)]
    assert found.hits[0].pages[0].matched_as == {"Вашингтон": "Washington"}
    assert pages(search(names_index, "Джонсон")) == [("latin", 1)]


def test_initials_and_order_do_not_decide(names_index: Path) -> None:
    for query in ("Volkov V. L.", "V.L. Volkov", "Волков В.Л.", "Volkov V."):
        found = search(names_index, query)
        assert found.relaxed == () and "prosecutor" in {h.id for h in found.hits}, query


def test_exact_turns_name_keys_off(names_index: Path) -> None:
    exact = search(names_index, "Volkov", exact=True)
    assert pages(exact) == [("latin", 1)]
    request = SearchRequest(text="Volkov", exact=True)
    assert pages(api.search(names_index, request)) == [("latin", 1)]


def test_the_snippet_marks_the_printed_form(names_index: Path) -> None:
    (hit,) = [h for h in search(names_index, "Volkov").hits if h.id == "prosecutor"]
    assert "<b>Волков</b>" in hit.pages[0].snippet.tagged()


def test_json_and_text_show_the_form_matched(names_index: Path) -> None:
    out = run("search", "Volkov", "--index", str(names_index), "--json")
    assert out.exit_code == 0
    pages_json = {h["id"]: h["pages"][0] for h in json.loads(out.output)["hits"]}
    assert pages_json["prosecutor"]["matched_as"] == {"Volkov": "Волков"}
    assert pages_json["latin"]["matched_as"] == {}
    text = run("search", "Volkov", "--index", str(names_index)).output
    assert "[ru; Волков, for Volkov]" in text or "[Волков, for Volkov]" in text


# ---------------------------------------------------------------- real declarations


@pytest.fixture(scope="module")
def declarations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = [
        real_pdf("lang-ru/tiru__sved.pdf"),
        real_pdf("lang-ru/tiru__2012_Sotrudniki_ministerstva.pdf"),
        real_pdf("encrypted/tiru__2010_Sotrudniki_ministerstva.pdf"),
    ]
    index_dir = tmp_path_factory.mktemp("declarations") / "ix"
    pipeline.index(IndexSettings(index_dir=index_dir, paths=files, ocr="off"))
    return index_dir


@pytest.mark.slow
def test_volkov_finds_the_prosecutor_never_a_car(declarations: Path) -> None:
    found = search(declarations, "Volkov")
    assert found.corrected_from is None and found.suggestion is None
    assert ("tiru-sved", 1) in pages(found)
    assert all(p.matched_as == {"Volkov": "Волков"} for h in found.hits for p in h.pages)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "printed"),
    [("Abyzov", "Абызов"), ("Tarabrin", "Тарабрин"), ("Tarabrin Konstantin", "Тарабрин")],
)
def test_staff_declarations_across_the_years(declarations: Path, query: str, printed: str) -> None:
    found = search(declarations, query, pages=5)
    ids = {h.id for h in found.hits}
    assert found.corrected_from is None and found.relaxed == ()
    assert "tiru-2012-sotrudniki-ministerstva" in ids
    if query.startswith("Tarabrin"):  # in the 2010 file as well: the across-years search
        assert "tiru-2010-sotrudniki-ministerstva" in ids
    surname = query.split()[0]
    assert all(p.matched_as.get(surname) == printed for h in found.hits for p in h.pages)
