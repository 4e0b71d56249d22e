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
from search.results.answer import search
from search.results.hits import SearchResults
from tests.support import real_pdf, run


def pages(results: SearchResults) -> list[tuple[str, int]]:
    return [(h.id, p.page) for h in results.hits for p in h.pages]


def test_a_latin_name_finds_its_cyrillic_print_and_says_so(names_index: Path) -> None:
    results = search(names_index, "Volkov")
    assert results.corrected_from is None and results.suggestion is None
    # the page printing the name as typed first, then the one reached through its key,
    # then another form of the surname, labelled so; never the Volvo page
    assert [h.id for h in results.hits] == ["latin", "prosecutor", "wife"]
    latin, prosecutor, wife = (h.pages[0] for h in results.hits)
    assert (latin.matched_as, latin.other_form) == ({}, {})  # printed as typed: no label
    assert (prosecutor.matched_as, prosecutor.other_form) == ({"Volkov": "Волков"}, {})
    assert (wife.matched_as, wife.other_form) == ({}, {"Volkov": "Волкова"})


def test_another_form_of_the_surname_is_never_silently_the_same_name(
    names_index: Path,
) -> None:
    wife = search(names_index, "Volkova")
    assert wife.hits[0].id == "wife"
    assert wife.hits[0].pages[0].matched_as == {"Volkova": "Волкова"}
    assert {h.id: h.pages[0].other_form for h in wife.hits[1:]} == {
        "latin": {"Volkova": "Volkov"},
        "prosecutor": {"Volkova": "Волков"},
    }
    # a surname only its other form is printed of is answered by that form, not corrected
    assert search(names_index, "Volkova", exact=True).hits == ()


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
    assert pages_json["wife"]["other_form"] == {"Volkov": "Волкова"}
    text = run("search", "Volkov", "--index", str(names_index)).output
    assert "[Волков, for Volkov]" in text and "[other form: Волкова, for Volkov]" in text


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
    labels = [(p.matched_as, p.other_form) for h in found.hits for p in h.pages]
    assert ({"Volkov": "Волков"}, {}) in labels and ({}, {"Volkov": "Волкова"}) in labels
    assert set(map(str, labels)) <= {
        str(({"Volkov": "Волков"}, {})),
        str(({}, {"Volkov": "Волкова"})),
    }


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


@pytest.fixture(scope="module")
def class_diary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("diary") / "ix"
    files = [real_pdf("lang-bg/neispuo__print_unsigned.pdf")]
    pipeline.index(IndexSettings(index_dir=index_dir, paths=files, ocr="off"))
    return index_dir


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "printed"),
    [
        ("Kanchev", "Кънчев"),  # ъ is a in the Bulgarian official system
        ("Krastev", "Кръстев"),
        ("Barneva", "Бърнева"),
        ("Handzhiyska", "Ханджийска"),  # х is h, дж is dzh
        ("Kaltsiev", "Калциев"),  # ц is ts
    ],
)
def test_bulgarian_names_in_the_class_diary(class_diary: Path, query: str, printed: str) -> None:
    found = search(class_diary, query, pages=3)
    assert found.hits and found.corrected_from is None
    assert found.hits[0].pages[0].matched_as == {query: printed}
    # every page prints the name, or (a last tier, labelled) its other form: Калциева
    assert all(p.matched_as or p.other_form for h in found.hits for p in h.pages)
