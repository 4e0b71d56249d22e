"""Analyst features: facets, sort, fuzzy, did-you-mean, prefix, similar, show/open, export,
what's new and saved queries, on real indexes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tantivy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import pipeline
from indexer.model import IndexReport, IndexSettings
from search import saved
from search.errors import BadOptionError, ExitCode, NotFoundError, QuerySyntaxError
from search.query.compile import Options, restrict
from search.query.syntax import Filters, Prefix, parse
from search.reader import IndexReader
from search.results.aggregations import PUBLICATION_AGGS, aggregate, facets
from search.results.answer import search
from search.results.export import export_pages
from search.results.hits import browse
from search.results.pages import page_url, show_page
from search.results.planner import plan
from search.results.similar import similar
from tests.support import run


def test_facets_count_publications_by_the_index(ix: Path) -> None:
    facets = search(ix, "barn").facets
    assert facets["type"] == {"report": 3, "manual": 2, "brochure": 1, "film": 1}
    assert facets["year"] == {"2016": 3, "2015": 2, "2017": 1}
    assert facets["language"]["sv"] == 6
    assert facets["author"]["Länsstyrelsen Stockholm"] == 5
    assert search(ix, "жертвам").facets["language"] == {"ru": 1}


@pytest.mark.parametrize(
    "text, filters",
    [
        ("barn", None),
        ("barn OR skydd", Filters(types=("report",))),
        ("tigeri", None),  # answered by its correction
        ("människohandel barn tiggeri stöld kartläggning", None),  # with pages lacking words
    ],
)
def test_facets_counted_with_the_publications_equal_separate_aggregations(
    ix: Path, text: str, filters: Filters | None
) -> None:
    view = IndexReader(ix).view()
    searcher = view.searcher
    answer = plan(searcher, view.schema, text, filters, Options(analysis=view.analysis))
    results = search(view, text, filters)
    assert results.facets == facets(searcher, answer.query)
    alone = searcher.aggregate(answer.query, PUBLICATION_AGGS)
    assert results.total == len(alone["pubs"]["buckets"]) > 0
    together, _ = aggregate(searcher, answer.query, PUBLICATION_AGGS, with_facets=True)
    assert together["pubs"] == alone["pubs"]
    everything = restrict(tantivy.Query.all_query(), view.schema, filters)
    assert browse(view, filters).facets == facets(searcher, everything)


def test_sort_by_date(ix: Path) -> None:
    years = [h.year for h in search(ix, "barn", limit=20, sort="date").hits]
    assert years == sorted(years, key=lambda y: -(y or 0))
    with pytest.raises(BadOptionError):
        search(ix, "barn", sort="size")


def test_prefix(ix: Path) -> None:
    assert parse("traffick*") == Prefix("traffick")
    assert {h.id for h in search(ix, "traffick*").hits} == {
        "nrm-sweden-2016", "regional-coordinator-2017",
    }  # fmt: skip
    with pytest.raises(QuerySyntaxError):
        parse("t*")


def test_fuzzy_and_did_you_mean(ix: Path) -> None:
    assert search(ix, "victms", exact=True).total == 0
    assert search(ix, "victms", exact=True).suggestion == "victims"
    assert search(ix, "människohandl", exact=True).suggestion == "människohandel"
    assert search(ix, "victms", options=Options(fuzzy=True)).total == 2
    assert search(ix, "barn").suggestion is None


def test_show_page_highlights_the_query(ix: Path) -> None:
    view = show_page(ix, "regional-coordinator-2017", 7, query="жертвам")
    assert (view.language, view.page_count) == ("ru", 8)
    assert "<b>жертвы</b>" in view.html
    assert "<b>" not in show_page(ix, "regional-coordinator-2017", 7).html
    with pytest.raises(NotFoundError, match="has no page 99"):
        show_page(ix, "regional-coordinator-2017", 99)
    with pytest.raises(NotFoundError, match="no publication 'nope'"):
        show_page(ix, "nope", 1)


def test_open_url(ix: Path) -> None:
    url = page_url(ix, "nrm-sweden-2016", 3)
    assert url.startswith("file:///") and url.endswith("/corpus/pdf/nrm-sweden-2016.pdf#page=3")
    result = run("open", "nrm-sweden-2016", "--page", "3", "--print", "--index", str(ix))
    assert result.output.strip() == url


def test_similar(ix: Path) -> None:
    results = similar(ix, "barn-kartlaggning-2015", limit=3)
    ids = [h.id for h in results.hits]
    assert "barn-kartlaggning-2015" not in ids and ids[0] == "barn-polisarenden-2017"
    page = similar(ix, "regional-coordinator-2017#3", limit=3)
    assert page.hits[0].id == "nrm-sweden-2016"  # the English page is most like the English manual


def test_export_every_page_with_a_citation(ix: Path) -> None:
    rows = list(export_pages(ix, "tiggeri").rows)
    assert len(rows) == search(ix, "tiggeri").total_pages
    assert set(rows[0]) == {"id", "title", "year", "path", "sha256", "page", "language",
                            "score", "snippet", "missing"}  # fmt: skip
    assert all(len(r["sha256"]) == 64 and r["page"] >= 1 for r in rows)
    out = run("search", "tiggeri", "--format", "csv", "--index", str(ix)).output
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], int(r["page"])) for r in table] == [(r["id"], r["page"]) for r in rows]
    lines = run("search", "tiggeri", "--format", "jsonl", "--index", str(ix)).output.splitlines()
    assert [json.loads(line)["page"] for line in lines] == [r["page"] for r in rows]


def test_json_has_facets_and_suggestion(ix: Path) -> None:
    data = json.loads(run("search", "victms", "--json", "--exact", "--index", str(ix)).output)
    assert data["suggestion"] == "victims" and data["total"] == 0
    assert set(data["facets"]) == {"type", "year", "language", "author"}


def test_whats_new_and_saved_queries(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    folder = tmp_path / "docs"
    make_pdf(
        ["Tiggeri och tvångsarbete bland barn utreds av polisen i flera län."], name="docs/a.pdf"
    )
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    saved.add(ix, "tiggeri", "tiggeri")
    first = saved.run_saved(ix)
    assert (first[0].new, first[0].previous_run) == (1, "")
    make_pdf(
        ["Polisen fann tiggeri bland EU-medborgare under hela året i staden."], name="docs/b.pdf"
    )
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    new_only = search(
        ix,
        "tiggeri",
        Filters(run=json.loads((ix / "pubsearch.json").read_text())["last_run"]["run"]),
    )
    assert [h.id for h in new_only.hits] == ["b"]
    result = run("search", "tiggeri", "--new", "--json", "--index", str(ix))
    assert [h["id"] for h in json.loads(result.output)["hits"]] == ["b"]
    second = saved.run_saved(ix)[0]
    assert second.new == 1 and [h["id"] for h in second.hits if h["new"]] == ["b"]
    assert saved.saved(ix) == {"tiggeri": "tiggeri"}
    with pytest.raises(BadOptionError):
        saved.run_saved(ix, ["nope"])
    result = run("saved", "run", "nope", "--index", str(ix))
    assert result.exit_code == ExitCode.BAD_QUERY


OPTION_MIX = st.fixed_dictionaries(
    {
        "filters": st.builds(
            Filters,
            languages=st.sampled_from([(), ("sv",), ("ru", "en")]),
            types=st.sampled_from([(), ("manual",), ("film", "report")]),
            years=st.sampled_from([None, (2016, 2016), (2015, None)]),
        ),
        "limit": st.integers(1, 5),
        "pages": st.integers(0, 3),
        "sort": st.sampled_from(["relevance", "date"]),
        "options": st.builds(Options, fuzzy=st.booleans()),
    }
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=30), mix=OPTION_MIX)
def test_any_query_and_option_mix_returns_results_or_our_error(
    corpus_index: tuple[Path, IndexReport], text: str, mix: dict[str, Any]
) -> None:
    try:
        results = search(corpus_index[0], text, **mix)
    except QuerySyntaxError:
        return
    assert len(results.hits) <= int(str(mix["limit"]))
    assert set(results.facets) == {"type", "year", "language", "author"}
