"""Query parsing: exact trees, and that any input either parses or fails our way."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.model import IndexReport
from search.errors import BadOptionError, QuerySyntaxError, UnknownFieldError
from search.query.syntax import And, Filters, Not, Or, Phrase, Word, YearRange, parse, parse_years
from search.results.answer import search


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("barn", Word("barn")),
        ("barn skydd", And((Word("barn"), Word("skydd")))),
        ('"skydd och stöd"', Phrase("skydd och stöd")),
        ("a OR b c", And((Or((Word("a"), Word("b"))), Word("c")))),
        ("a -b", And((Word("a"), Not(Word("b"))))),
        ("a AND NOT b", And((Word("a"), Not(Word("b"))))),
        ("(a OR b) c", And((Or((Word("a"), Word("b"))), Word("c")))),
        ("title:barn", Word("barn", "title")),
        ('author:"Länsstyrelsen Stockholm"', Phrase("Länsstyrelsen Stockholm", "author")),
        ("Type:Manual", Word("Manual", "type")),
        ("year:2016", YearRange(2016, 2016)),
        ("year:[2015 TO 2017]", YearRange(2015, 2017)),
        ("year:[2015 TO *]", YearRange(2015, None)),
        ("EU-medborgare", Word("EU-medborgare")),
        ("10:30", Word("10:30")),
    ],
)
def test_parse(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", QuerySyntaxError, "empty query"),
        ('"unclosed', QuerySyntaxError, 'unclosed quote at position 1: "unclosed'),
        ("a OR", QuerySyntaxError, "OR at position 3 has nothing after it"),
        ("OR a", QuerySyntaxError, "OR at position 1 needs a term before it"),
        ("(a", QuerySyntaxError, "unclosed '(' at position 1"),
        ("a)", QuerySyntaxError, "unexpected ')' at position 2"),
        ("a OR -b", QuerySyntaxError, "an excluded term (-word) cannot be part of OR"),
        ("colour:red", UnknownFieldError, "unknown field 'colour' at position 1"),
        ("year:[2015 TO]", QuerySyntaxError, "bad range [2015 TO]; write year:[2015 TO 2017]"),
        ('""', QuerySyntaxError, 'empty phrase "" at position 1'),
    ],
)
def test_parse_errors(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        parse(text)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "years"),
    [("2016", (2016, 2016)), ("2015..2017", (2015, 2017)), ("2015..", (2015, None)),
     ("..2017", (None, 2017))],
)  # fmt: skip
def test_parse_years(text: str, years: tuple[int | None, int | None]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["", "16", "2015-2017", "x..2017", "2017..2015", ".."])
def test_parse_years_errors(text: str) -> None:
    with pytest.raises(BadOptionError):
        parse_years(text)


QUERY_PIECES = st.sampled_from(
    ["barn", "жертвам", "OR", "AND", "NOT", "-", '"', "(", ")", "title:", "year:", "lang:sv",
     "year:[2015 TO 2017]", "[", "]", "*", ":", "type:film", " ", "EU-medborgare", "ș", "\t"]
)  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(st.text(max_size=40), st.lists(QUERY_PIECES, max_size=8).map(" ".join)),
    lang=st.sampled_from([(), ("sv",), ("xx",)]),
    year=st.sampled_from([None, (2016, 2016), (None, 2015)]),
    limit=st.integers(1, 5),
    pages=st.integers(0, 3),
)
def test_any_query_returns_results_or_our_error(
    corpus_index: tuple[Path, IndexReport],
    text: str, lang: tuple[str, ...], year: tuple[int | None, int | None] | None,
    limit: int, pages: int,
) -> None:  # fmt: skip
    try:
        results = search(
            corpus_index[0], text, Filters(languages=lang, years=year), limit=limit, pages=pages
        )
    except QuerySyntaxError:
        return
    assert len(results.hits) <= limit and results.total >= len(results.hits)
    assert all(len(h.pages) <= pages for h in results.hits)
