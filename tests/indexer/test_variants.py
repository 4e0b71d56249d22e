"""Index-time lookup terms (indexer.index.variants) and the query-time lookups over them: they
find exactly what a scan of the whole term dictionary finds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tantivy

from indexer.index import schema as s
from indexer.index import variants as v
from indexer.model import NEUTRAL, IndexReport
from search.query import compile as qb
from search.query.expansions import MAX_VARIANTS, Terms, inflection_variants


@pytest.fixture(scope="module")
def searcher(corpus_index: tuple[Path, IndexReport]) -> tantivy.Searcher:
    return s.open_index(corpus_index[0]).searcher()


def test_lookup_terms_of_a_swedish_field() -> None:
    terms = ["förordning", "människohandelsoff", "barn", "offer"]
    assert list(v.lookup_terms("text_sv", "sv", terms)) == [
        "text_sv:f:forordning:förordning",
        "text_sv:r:gnindroröf",
        "text_sv:f:manniskohandelsoff:människohandelsoff",
        "text_sv:r:ffoslednahoksinnäm",
    ]
    assert [v.term_of(t) for t in v.lookup_terms("text_sv", "sv", terms)] == [
        "förordning",
        "förordning",
        "människohandelsoff",
        "människohandelsoff",
    ]
    # English does not compound; Russian is not folded; Bulgarian gets neither
    assert list(v.lookup_terms("text_en", "en", ["café", "caseworker"])) == ["text_en:f:cafe:café"]
    assert list(v.lookup_terms("text_ru", "ru", ["жёлт"])) == []
    assert not v.wanted("bg") and v.wanted("und")


def test_lookup_text_analyzes_each_field_with_its_language() -> None:
    text = v.lookup_text([("meta_sv", "sv", "Förordningen"), ("text_ro", "ro", "Protecție")])
    assert text.split() == [
        "meta_sv:f:forordning:förordning",
        "meta_sv:r:gnindroröf",
        "n:forordningen:meta_sv:förordning:Förordningen",  # a capitalized word: a name key
        "text_ro:f:protect:protecț",
        "n:protektie:text_ro:protecț:Protecție",
    ]
    assert v.lookup_text([("text_sv", "sv", "Förordningen")], NEUTRAL) == ""
    # languages with neither folding nor compounds still get their names' keys
    bulgarian = v.lookup_text([("text_bg", "bg", "Костадинова и учител")])
    assert bulgarian == "n:kostadinova:text_bg:костадинова:Костадинова"


def test_word_lookups_only_where_the_folded_lookups_miss() -> None:
    ro, sv = s.analyzer("ro"), s.analyzer("sv")
    # "situațiile" stems to "situ", the plain "situatiile" to "situat": no folded lookup
    # term leads from one to the other
    assert list(v.word_lookups("text_ro", ro, "Situațiile financiare")) == [
        "text_ro:w:situatiile:situ"
    ]
    assert v.term_of("text_ro:w:situatiile:situ") == "situ"
    # "protecție" -> "protecț" folds to the plain word's stem: the folded lookup reaches it
    assert list(v.word_lookups("text_ro", ro, "Protecție")) == []
    assert list(v.word_lookups("text_sv", sv, "Förordningen om brottsoffer")) == []


def scan(searcher: tantivy.Searcher, field: str) -> list[tuple[str, int]]:
    """Every term of `field`: what the expansion read per query before lookup terms."""
    return searcher.terms_with_prefix(field, "", limit=2_000_000)


def scanned_folded(searcher: tantivy.Searcher, field: str, word: str, token: str) -> list[str]:
    plain_word, plain_token = v.fold(word), v.fold(token)
    shortest = max(4, len(plain_token))
    found = [
        (n, t)
        for t, n in scan(searcher, field)
        if t != token
        and (
            v.fold(t) == plain_token
            or (v.fold(t) != t and len(v.fold(t)) >= shortest and plain_word.startswith(v.fold(t)))
        )
    ]
    return [t for _, t in sorted(found, reverse=True)[:MAX_VARIANTS]]


def scanned_compounds(searcher: tantivy.Searcher, field: str, token: str) -> list[str]:
    rx = re.compile(".{3,}" + re.escape(token))
    found = [(n, t) for t, n in scan(searcher, field) if t != token and rx.fullmatch(t)]
    return [t for _, t in sorted(found, reverse=True)[:MAX_VARIANTS]]


WORDS = [
    "forordning",
    "offer",
    "handel",
    "barn",
    "skydd",
    "stod",
    "atgarder",
    "protectie",
    "declaratie",
    "victimele",
    "traficul",
    "stat",
    "arbete",
    "sakerhet",
    "lag",
]


@pytest.mark.parametrize("word", WORDS)
def test_lookups_find_what_a_scan_of_the_vocabulary_finds(
    searcher: tantivy.Searcher, word: str
) -> None:
    terms = Terms(searcher)
    checked = 0
    for code, spec in s.LANGUAGES.items():
        if searcher.doc_freq(s.F_LANG, code) == 0:
            continue
        tokens = qb.analyzed(code, word)
        if len(tokens) != 1:
            continue
        token = tokens[0][1]
        for field in (spec.text_field, spec.meta_field):
            if code in v.LATIN:
                assert terms.folded(field, word, token) == scanned_folded(
                    searcher, field, word, token
                )
            if code in v.COMPOUNDING:
                assert terms.compounds(field, token) == scanned_compounds(searcher, field, token)
            checked += 1
    assert checked


def test_some_lookups_find_something(searcher: tantivy.Searcher) -> None:
    terms = Terms(searcher)
    assert "förordning" in terms.folded("text_sv", "forordning", "forordning")
    assert "människohandelsoff" in terms.compounds("text_sv", "off")
    assert "skyddet" in inflection_variants(searcher, "text_sv", "sv", "skydd")
