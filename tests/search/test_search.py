"""Searching the bundled corpus, indexed for real in a temp dir."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tantivy

from indexer.index import schema
from indexer.model import IndexReport
from search.errors import QuerySyntaxError
from search.query.syntax import Filters
from search.results.answer import search
from search.results.hits import SearchResults


def page_text(index_dir: Path, pub_id: str, page: int) -> str:
    index = schema.open_index(index_dir)
    searcher = index.searcher()
    query = tantivy.Query.boolean_query([
        (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, schema.F_ID, pub_id)),
        (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, schema.F_PAGE, page)),
    ])  # fmt: skip
    ((_, address),) = searcher.search(query, 1).hits
    doc = searcher.doc(address)
    return str(doc.get_first(schema.text_field(str(doc.get_first(schema.F_LANG)))) or "")


def pages_of(results: SearchResults) -> set[tuple[str, int]]:
    return {(h.id, p.page) for h in results.hits for p in h.pages}


def test_corpus_report(corpus_index: tuple[Path, IndexReport]) -> None:
    report = corpus_index[1]
    assert report.ok and len(report.files) == 9
    assert report.pages == 62 and report.pages_without_text == 0


def test_swedish_inflection_finds_base_form(ix: Path) -> None:
    results = search(ix, "barnen", limit=20, pages=100)
    assert results.total == 7  # six reports and manuals, and the film by its title
    assert "film-sexuell-exploatering-barn" in {h.id for h in results.hits}
    found = pages_of(results)
    assert ("kan-det-vara-manniskohandel-2015", 2) in found
    for pub_id, page in found:
        assert re.search(r"\bbarn", page_text(ix, pub_id, page), re.I), (pub_id, page)


def test_russian_inflection_across_languages(ix: Path) -> None:
    results = search(ix, "жертвам")
    assert [(h.id, [p.page for p in h.pages]) for h in results.hits] == [
        ("regional-coordinator-2017", [7])
    ]
    assert "жертвам" not in page_text(ix, "regional-coordinator-2017", 7)
    assert "<b>жертвы</b>" in results.hits[0].pages[0].snippet.tagged()


def test_english_singular_finds_plural(ix: Path) -> None:
    results = search(ix, "victim", pages=100)
    assert {h.id for h in results.hits} == {"nrm-sweden-2016", "regional-coordinator-2017"}
    brochure = next(h for h in results.hits if h.id == "regional-coordinator-2017")
    assert 3 in [p.page for p in brochure.pages]  # the English page says "victims"


def test_bulgarian_page(ix: Path) -> None:
    results = search(ix, "помощ", filters=Filters(languages=("bg",)))
    assert pages_of(results) == {("regional-coordinator-2017", 6)}


def test_romani_page_found_by_its_own_words(ix: Path) -> None:
    results = search(ix, "manušengo", filters=Filters(languages=("und",)))
    assert pages_of(results) == {("regional-coordinator-2017", 5)}


def test_phrase_with_stop_word(ix: Path) -> None:
    results = search(ix, '"skydd och stöd"', limit=20, pages=100)
    assert results.total >= 2
    for hit in results.hits:
        for page in hit.pages:  # the phrase is on the page, or the whole title matches
            text = " ".join(page_text(ix, hit.id, page.page).lower().split())
            assert "skydd och stöd" in text or "skydd och stöd" in (hit.subtitle or "").lower()
    # the stop word "och" still counts: the words in another order are not the phrase
    assert search(ix, '"stöd och skydd"').total < results.total


def test_all_words_must_match(ix: Path) -> None:
    both = pages_of(search(ix, "tiggeri tvångsarbete", limit=20, pages=100))
    one = pages_of(search(ix, "tiggeri", limit=20, pages=100))
    either = pages_of(search(ix, "tiggeri OR tvångsarbete", limit=20, pages=100))
    assert both < one < either


def test_exclusion(ix: Path) -> None:
    without = search(ix, "barn -tiggeri", limit=20, pages=100)
    for pub_id, page in pages_of(without):
        assert not re.search(r"\btiggeri", page_text(ix, pub_id, page).lower())
    assert pages_of(without) and pages_of(without) < pages_of(
        search(ix, "barn", limit=20, pages=99)
    )


def test_title_match_ranks_first(ix: Path) -> None:
    results = search(ix, "kartläggning")
    assert results.hits[0].id == "barn-kartlaggning-2015"


def test_field_queries(ix: Path) -> None:
    assert [h.id for h in search(ix, "type:film").hits] == ["film-sexuell-exploatering-barn"]
    assert search(ix, "type:film").hits[0].pages == ()
    assert {h.id for h in search(ix, "author:unicef").hits} == {"kan-det-vara-manniskohandel-2015"}
    assert {h.year for h in search(ix, "year:[2016 TO 2017]", limit=50).hits} == {2016, 2017}
    assert {h.id for h in search(ix, 'title:"nationell kartläggning"').hits} == {
        "barn-kartlaggning-2015"
    }
    ids = {h.id for h in search(ix, "lang:ru").hits}
    assert ids == {"regional-coordinator-2017"}


def test_filters(ix: Path) -> None:
    results = search(ix, "människohandel", Filters(types=("manual",), years=(2016, 2016)), limit=20)
    assert {h.id for h in results.hits} == {"manual-misstanke-2016"}
    results = search(ix, "trafficking", Filters(languages=("en",)), limit=20, pages=99)
    assert {p.language for h in results.hits for p in h.pages} == {"en"}


def test_limit_and_pages(ix: Path) -> None:
    results = search(ix, "människohandel", limit=2, pages=1)
    assert len(results.hits) == 2 and results.total > 2
    assert all(len(h.pages) == 1 for h in results.hits)
    assert results.hits[0].score >= results.hits[1].score


def test_no_hits(ix: Path) -> None:
    results = search(ix, "xylofonorkester")
    assert results.total == 0 and results.hits == ()


def test_long_russian_word_is_searchable(ix: Path) -> None:
    results = search(ix, "высококвалифицированные")
    assert pages_of(results) == {("regional-coordinator-2017", 7)}


def test_bad_query_raises_project_error(ix: Path) -> None:
    with pytest.raises(QuerySyntaxError):
        search(ix, '"unclosed')
