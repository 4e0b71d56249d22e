"""Results for the correction, and pages with most of the words, on real indexes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fpdf import FPDF

from indexer import pipeline
from indexer.model import IndexSettings
from search import saved
from search.errors import ExitCode
from search.query.compile import analyzed
from search.query.syntax import Filters
from search.results.answer import search
from search.results.export import export_pages
from search.results.hits import SearchResults
from search.results.planner import RELAX_BELOW
from tests.support import run

#: (page language, as typed, the word the pages use): one slip per language of the corpus.
MISSPELLED = [
    ("sv", "samodning", "samordningen"),
    ("en", "accomodation", "accommodation"),
    ("ro", "vicimele", "victimele"),
    ("bg", "траикът", "трафик"),
    ("ru", "торовлей", "торговлей"),
]
#: Five words; no page has all of them but two, many have four.
FIVE = "människohandel barn tiggeri stöld kartläggning"


def pages_of(results: SearchResults) -> list[tuple[str, tuple[int, ...]]]:
    return [(h.id, tuple(p.page for p in h.pages)) for h in results.hits]


def pages_with(ix: Path, word: str, pub_id: str) -> set[int]:
    """The pages of `pub_id` that have `word`, by a strict search of that word alone."""
    hits = search(ix, f"{word} id:{pub_id}", pages=1000, exact=True).hits
    return {p.page for h in hits for p in h.pages}


@pytest.mark.parametrize(("language", "typed", "word"), MISSPELLED)
def test_a_misspelled_word_returns_the_correct_words_pages(
    ix: Path, language: str, typed: str, word: str
) -> None:
    exact = search(ix, typed, exact=True)
    assert (exact.total, exact.corrected_from) == (0, None)
    assert exact.suggestion is not None  # a word of the pages, of the same stem as `word`
    assert analyzed(language, exact.suggestion) == analyzed(language, word)
    word = exact.suggestion
    results = search(ix, typed)
    right = search(ix, word, exact=True)
    assert (results.query, results.corrected_from, results.suggestion) == (word, typed, None)
    assert pages_of(results) == pages_of(right) and right.total_pages > 0
    assert results.facets == right.facets
    assert {p.language for h in results.hits for p in h.pages} == {language}
    out = run("search", typed, "--index", str(ix)).output.splitlines()
    assert out[0] == (
        f"Showing results for {word} (no pages match {typed}); "
        f"--exact searches for {typed} as typed."
    )
    assert out[1].endswith(f"match {word!r}.")
    data = json.loads(run("search", typed, "--json", "--index", str(ix)).output)
    assert (data["query"], data["corrected_from"]) == (word, typed)
    assert [h["id"] for h in data["hits"]] == [h.id for h in right.hits]


@pytest.mark.parametrize(("word", "neighbour"), [("beskrev", "beskriv"), ("county", "countries")])
def test_a_correct_rare_word_is_never_corrected(ix: Path, word: str, neighbour: str) -> None:
    """`word` is on one page; a word one edit away in the index is on several."""
    results = search(ix, word)
    assert (results.query, results.corrected_from, results.suggestion) == (word, None, None)
    assert results.total_pages == 1 < search(ix, neighbour).total_pages
    assert pages_of(results) == pages_of(search(ix, word, exact=True))


def test_no_correction_for_a_phrase_or_wrong_field_syntax(ix: Path) -> None:
    phrase = search(ix, 'tigeri "och tiggeri"')
    assert (phrase.total, phrase.corrected_from) == (0, None)
    assert search(ix, '"tigeri"').total == 0
    result = run("search", "titel:tigeri", "--index", str(ix))
    assert result.exit_code == ExitCode.BAD_QUERY and "Showing results" not in result.output
    assert result.stderr.startswith("pubsearch: unknown field 'titel' at position 1")


def test_five_words_one_absent_ranks_pages_with_four(ix: Path) -> None:
    words = FIVE.split()
    strict = search(ix, FIVE, limit=50, pages=1000, exact=True)
    results = search(ix, FIVE, limit=50, pages=1000)
    assert 0 < strict.total_pages < RELAX_BELOW
    assert results.relaxed == tuple(words) and results.strict_pages == strict.total_pages
    ranked = [(h.id, p.page, p.missing) for h in results.hits for p in h.pages]
    assert len(ranked) == results.total_pages > strict.total_pages
    full = {(pub, page) for pub, page, missing in ranked if not missing}
    assert full == {(h.id, p.page) for h in strict.hits for p in h.pages}
    for pub, page, missing in ranked:  # each page lacks exactly the words it says
        assert missing == tuple(w for w in words if page not in pages_with(ix, w, pub))
        assert len(missing) <= 1
    tiers = [len(h.missing) for h in results.hits]  # by the best page of each publication
    assert tiers == sorted(tiers) and tiers[0] == 0 and tiers[-1] == 1
    assert [h.id for h in results.hits[: strict.total]] == [h.id for h in strict.hits]
    for hit in results.hits:  # within a publication too, full pages first
        lacking = [len(p.missing) for p in hit.pages]
        assert lacking == sorted(lacking)
    text = run("search", FIVE, "--index", str(ix), "--pages", "20", "--limit", "20").output
    assert "[missing: stöld]" in text and "[missing: kartläggning]" in text
    assert text.splitlines()[0] == (
        f"{strict.total_pages} pages have every word; after them come pages that lack some "
        "of the words (--exact: only pages with every word)."
    )
    data = json.loads(run("search", FIVE, "--json", "--index", str(ix), "--pages", "20").output)
    assert data["relaxed"] == words and data["strict_pages"] == strict.total_pages
    assert {tuple(p["missing"]) for h in data["hits"] for p in h["pages"]} == {
        (),
        ("stöld",),
        ("kartläggning",),
    }


@pytest.mark.parametrize(
    "text",
    [
        "människohandel AND barn AND tiggeri AND stöld AND kartläggning",
        "+människohandel barn tiggeri stöld kartläggning",
        '"människohandel" barn tiggeri stöld kartläggning',
    ],
)
def test_a_strict_query_stays_strict(ix: Path, text: str) -> None:
    results = search(ix, text, limit=50, pages=1000)
    assert results.relaxed == () and results.strict_pages is None
    assert all(not p.missing for h in results.hits for p in h.pages)
    assert pages_of(results) == pages_of(search(ix, FIVE, limit=50, pages=1000, exact=True))


def test_they_honour_filters_facets_paging_and_sort(ix: Path) -> None:
    reports = Filters(types=("report",))
    fixed = search(ix, "tigeri", reports)
    right = search(ix, "tiggeri", reports, exact=True)
    assert fixed.corrected_from == "tigeri" and pages_of(fixed) == pages_of(right)
    assert fixed.facets["type"] == {"report": right.total}
    whole = search(ix, FIVE, limit=50)
    ids = [h.id for h in whole.hits]
    paged = [h.id for start in range(0, len(ids), 2)
             for h in search(ix, FIVE, limit=2, offset=start).hits]  # fmt: skip
    assert paged == ids and whole.total == len(ids)
    assert sum(whole.facets["type"].values()) == whole.total  # the added pages' publications too
    only_2016 = search(ix, FIVE, Filters(years=(2016, 2016)), limit=50)
    assert only_2016.relaxed and {h.year for h in only_2016.hits} == {2016}
    dated = search(ix, FIVE, limit=50, sort="date")
    keys = [(len(h.missing), -(h.year or 0)) for h in dated.hits]
    assert keys == sorted(keys) and sorted(h.id for h in dated.hits) == sorted(ids)


def test_export_has_a_missing_column(ix: Path) -> None:
    rows = list(export_pages(ix, FIVE).rows)
    results = search(ix, FIVE, limit=50, pages=1000)
    assert len(rows) == results.total_pages
    shown = {(h.id, p.page): list(p.missing) for h in results.hits for p in h.pages}
    assert {(r["id"], r["page"]): r["missing"] for r in rows} == shown
    lacking = [len(r["missing"]) for r in rows]
    assert lacking == sorted(lacking)  # every page with all the words first
    result = run("search", FIVE, "--format", "csv", "--index", str(ix))
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["missing"] for r in table] == ["; ".join(r["missing"]) for r in rows]
    assert list(table[0])[-1] == "missing"
    strict = run("search", FIVE, "--format", "jsonl", "--exact", "--index", str(ix)).stdout
    assert len(strict.splitlines()) == search(ix, FIVE, exact=True).total_pages
    fixed = run("search", "tigeri", "--format", "jsonl", "--index", str(ix))
    assert fixed.stderr == (
        "pubsearch: showing results for tiggeri (no pages match tigeri); "
        "--exact searches for tigeri as typed\n"
    )
    expected = [(r["id"], r["page"]) for r in export_pages(ix, "tiggeri", exact=True).rows]
    assert [(json.loads(x)["id"], json.loads(x)["page"]) for x in fixed.stdout.splitlines()] == (
        expected
    )


def _write_pdf(path: Path, pages: list[str]) -> None:
    pdf = FPDF(format="A4")
    pdf.set_title("Kommunens handlingar")
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for n, line in enumerate(text.split("\n")):
            pdf.text(15, 20 + 6 * n, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Swedish index: legal terms, and pages with three or four of four words."""
    root = tmp_path_factory.mktemp("relax")
    _write_pdf(root / "docs" / "lag.pdf", [
        "Handlingar ska delges enligt rättegångsbalken och delgivningsförordningen.\n"
        "Rätten prövar om delgivningen har skett på rätt sätt enligt lagen.",
        "Tiggeri och stöld bland barn utreds av polisen i flera län under året.",
        "Tiggeri och stöld bland barn är vanligt i rapporterna från kommunerna.",
    ])  # fmt: skip
    index_dir = root / "ix"
    pipeline.index(IndexSettings(index_dir=index_dir, paths=(root / "docs",)))
    return index_dir


def test_a_slip_in_one_word_of_several_is_corrected(small: Path) -> None:
    typed = "rättegångsbalken delgivningsförordnig"
    results = search(small, typed)
    assert results.corrected_from == typed
    assert results.query == "rättegångsbalken delgivningsförordningen"
    assert pages_of(results) == [("lag", (1,))]


def test_saved_queries_rerun_exactly_as_saved(small: Path) -> None:
    assert search(small, "tigeri").corrected_from == "tigeri"
    saved.add(small, "typo", "tigeri")
    saved.add(small, "most", "tiggeri stöld barn polisen")
    saved.add(small, "every", "tiggeri stöld barn polisen", exact=True)
    runs = {r.name: r for r in saved.run_saved(small)}
    assert runs["typo"].hits == ()  # never replaced by a correction
    assert [(h["page"], h["missing"]) for h in runs["most"].hits] == [(2, []), (3, ["polisen"])]
    assert [(h["page"], h["missing"]) for h in runs["every"].hits] == [(2, [])]
    out = run("saved", "list", "--index", str(small), "--json").output
    assert json.loads(out)["every"] == "tiggeri stöld barn polisen"
