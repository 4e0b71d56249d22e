"""The evaluation set itself: well-formed, parseable, covering what it promises."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from search.query.syntax import parse

sys.path.insert(0, str(Path(__file__).parent / "eval"))
import run_eval

QUERIES = run_eval.load_queries(sorted((Path(__file__).parent / "eval").glob("queries-*.toml")))
KINDS = {"word", "stemming", "phrase", "multiword", "hyphenation", "compound", "no-diacritics",
         "ligature", "metadata", "encrypted", "scanned", "misspelled", "most-words",
         "name"}  # fmt: skip


def test_size_and_coverage() -> None:
    assert len(QUERIES) >= 80
    languages = Counter(q.language for q in QUERIES)
    assert set(languages) == {"sv", "en", "ro", "ru", "bg"} and min(languages.values()) >= 10
    assert {q.kind for q in QUERIES} == KINDS
    kinds = Counter(q.kind for q in QUERIES)
    assert kinds["misspelled"] >= 10 and kinds["most-words"] >= 10 and kinds["name"] >= 25
    assert all(len(q.text.split()) >= 3 for q in QUERIES if q.kind == "most-words")


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.id)
def test_query_is_well_formed(query: run_eval.Query) -> None:
    parse(query.text)  # raises on a query the engine would reject
    assert query.all or query.any or query.publications or query.pages
    for rx in (*query.all, *query.any):
        re.compile(rx)
    assert all(re.fullmatch(r"[^#\s]+#\d+", p) for p in query.pages)


def test_judge_applies_every_rule_part() -> None:
    pages = [
        run_eval.PageText("a", 1, "corpus", "Barnen får skydd och stöd."),
        run_eval.PageText("a", 2, "corpus", "Om tiggeri."),
        run_eval.PageText("b", 1, "lang-sv", "Barn i skyddat boende."),
    ]
    query = run_eval.Query("t", "barnen", "sv", "stemming", all=(r"\bbarn",), folders=("corpus",))
    assert run_eval.judge(query, pages) == {("a", 1)}
    query = run_eval.Query("t", "x", "sv", "word", any=("tiggeri", "boende"))
    assert run_eval.judge(query, pages) == {("a", 2), ("b", 1)}
    query = run_eval.Query("t", "x", "sv", "metadata", publications=("a",))
    assert run_eval.judge(query, pages) == {("a", 1), ("a", 2)}
    query = run_eval.Query("t", "x", "sv", "scanned", pages=("c#3",))
    assert run_eval.judge(query, pages) == {("c", 3)}
