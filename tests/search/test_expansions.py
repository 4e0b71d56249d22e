"""Index-aware query expansion: definite forms, Bulgarian articles, compounds, diacritics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tantivy

from indexer import pipeline
from indexer.index import schema
from indexer.model import IndexSettings
from search.query import expansions as expand
from search.query.compile import Options, _Builder, build
from search.query.expansions import ENDINGS, Terms, compoundable, foldable, inflection_variants
from search.query.syntax import parse
from search.reader import IndexReader
from search.results.answer import search
from search.results.hits import SearchResults
from tests.support import DEJAVU, real_pdf, unicode_pdf


def pages(results: SearchResults) -> set[tuple[str, int]]:
    return {(h.id, p.page) for h in results.hits for p in h.pages}


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


@pytest.mark.skipif(not DEJAVU.is_file(), reason="needs fonts-dejavu-core for ș/ț")
def test_plain_spelling_reaches_a_stem_the_stemmer_reads_differently(tmp_path: Path) -> None:
    # Snowball Romanian: "situațiile" -> "situ", but "situatiile" -> "situat"; no folded
    # lookup bridges the two, the word lookup term does
    text = (
        "Ordinul privind situațiile financiare anuale ale entităților publice.\n"
        "Situațiile financiare se depun la organul fiscal competent în termen.\n"
        "Entitățile care au obligația de a întocmi situațiile financiare anuale."
    )
    ix = tmp_path / "ix"
    report = pipeline.index(
        IndexSettings(index_dir=ix, paths=[unicode_pdf(tmp_path / "omfp.pdf", text)])
    )
    assert report.ok
    searcher = schema.open_index(ix).searcher()
    assert searcher.doc_freq(schema.F_LANG, "ro") == 1
    assert Terms(searcher).folded("text_ro", "situatiile", "situat") == ["situ"]
    found = search(ix, "situatiile financiare", pages=10, exact=True)  # no correction
    assert pages(found) == {("omfp", 1)}


def test_a_page_with_the_word_and_its_compounds_ranks_above_the_word_alone(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    # "offer" once on each page, pages of the same length; "both" also has a compound of
    # it: the forms of one word count together, so it scores higher
    common = (
        "Polisen och socialtjänsten arbetar tillsammans i varje ärende.\n"
        "Myndigheterna ska samverka och dokumentera alla åtgärder noga.\n"
    )
    alone = make_pdf([common + "Ett offer fick stöd av kommunen direkt."], name="alone.pdf")
    both = make_pdf([common + "Ett offer fick stöd av kommunen som brottsoffer."], name="both.pdf")
    # pages without the word, so that it is rarer than the compound's weight makes up for
    # (the compound alone never outscores the word)
    others = make_pdf([common + f"Ärende {n} avslutades utan anmärkning." for n in range(8)])
    ix = tmp_path / "ix"
    assert pipeline.index(IndexSettings(index_dir=ix, paths=[alone, both, others])).ok
    index = schema.open_index(ix)
    searcher = index.searcher()
    assert searcher.doc_freq(schema.F_LANG, "sv") == 10
    query = build(parse("offer"), index.schema, searcher=searcher)
    scores = {
        str(searcher.doc(address).get_first(schema.F_ID)): score
        for score, address in searcher.search(query, 10).hits
    }
    assert scores["both"] > scores["alone"] > 0


@pytest.mark.parametrize("text", ["barn", "skyddet", "offer", "forordning", "жертвам", "помощ"])
def test_terms_no_document_holds_are_left_out_with_the_same_scores(
    ix: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = IndexReader(ix).view()
    searcher = view.searcher

    def built() -> tantivy.Query:
        return build(parse(text), view.schema, options=Options(), searcher=searcher)

    pruned = built()
    monkeypatch.setattr(_Builder, "holds", lambda *_: True)
    whole = built()
    # each term query costs a lookup in every segment: the pruned one has far fewer
    assert repr(pruned).count("TermQuery(") < repr(whole).count("TermQuery(") / 2
    assert searcher.search(pruned, 100).hits == searcher.search(whole, 100).hits


def test_a_word_no_document_holds_matches_nothing(ix: Path) -> None:
    view = IndexReader(ix).view()
    query = build(parse("barn xyzzyq"), view.schema, searcher=view.searcher)
    assert not view.searcher.search(query, 10).hits
    assert search(ix, "barn OR xyzzyq").total == search(ix, "barn").total > 0


@pytest.mark.parametrize("language, token", [("sv", "skydd"), ("sv", "barnen"), ("sv", "barn")])
def test_inflection_variants_read_at_once_or_one_by_one_agree(
    ix: Path, language: str, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = IndexReader(ix).view().searcher
    field = schema.text_field(language)
    at_once = inflection_variants(searcher, field, language, token)
    monkeypatch.setattr(expand, "MAX_PREFIX", 0)  # every prefix starts too many terms
    assert inflection_variants(searcher, field, language, token) == at_once
    assert at_once
