"""One request parser for both edges: the same value gets the same answer from
``pubsearch search`` and from the web page (exit code 3 / HTTP 400, one message)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape
from starlette.testclient import TestClient

from indexer.model import IndexReport
from search.cli.main import cli
from search.errors import BadOptionError, ExitCode
from search.query import syntax as q
from search.query.request import SearchRequest, parse_request
from search.serve.web import create_app

KNOWN = "ar, bg, da, de, el, en, es, fi, fr, hu, it, nl, no, pt, ro, ru, sv, ta, tr, und"


@pytest.fixture(scope="module")
def edges(corpus_index: tuple[Path, IndexReport]) -> tuple[Path, TestClient]:
    """The corpus index and the web app over it."""
    ix = corpus_index[0]
    return ix, TestClient(create_app(ix), base_url="http://127.0.0.1")


BAD = [
    (["--lang", "xx"], {"lang": "xx"}, f"--lang: unknown language code 'xx' (one of {KNOWN})"),
    (
        ["--type", "<b>"],
        {"type": "<b>"},
        "--type: not a publication type: '<b>' (lower-case letters, digits, - and _)",
    ),
    (
        ["--year", "soon"],
        {"year": "soon"},
        "--year: expected 2016, 2015..2017, 2015.. or ..2017, not 'soon'",
    ),
    (["--page", "0"], {"p": "0"}, "--page: expected a whole number from 1 to 1000, not '0'"),
    (["--page", "x"], {"p": "x"}, "--page: expected a whole number from 1 to 1000, not 'x'"),
    (["--sort", "random"], {"sort": "random"}, "--sort: expected relevance or date, not 'random'"),
]


@pytest.mark.parametrize(("options", "params", "message"), BAD)
def test_a_bad_value_gets_one_message_from_both_edges(
    edges: tuple[Path, TestClient], options: list[str], params: dict[str, str], message: str
) -> None:
    ix, client = edges
    result = CliRunner().invoke(cli, ["search", "barn", *options, "--index", str(ix)])
    assert result.exit_code == ExitCode.BAD_QUERY
    assert result.stderr == f"pubsearch: {message}\n"
    page = client.get("/", params={"q": "barn", **params})
    assert page.status_code == 400
    assert f'id="error-message">{escape(message)}</' in page.text
    api = client.get("/api/search", params={"q": "barn", **params})
    assert api.status_code == 400 and api.json() == {"error": message, "status": 400}


def test_good_values_give_the_same_results_from_both_edges(edges: tuple[Path, TestClient]) -> None:
    ix, client = edges
    options = ["--lang", "sv", "--type", "report,manual", "--year", "2015..2017"]
    options += ["--sort", "date", "--limit", "2", "--page", "2"]
    result = CliRunner().invoke(cli, ["search", "barn", *options, "--json", "--index", str(ix)])
    assert result.exit_code == 0, result.output
    params = {"q": "barn", "lang": "sv", "type": "report,manual", "year": "2015..2017"}
    api = client.get("/api/search", params={**params, "sort": "date", "limit": "2", "p": "2"})
    assert api.status_code == 200
    data = json.loads(result.output)
    assert api.json() == data
    assert data["offset"] == 2 and len(data["hits"]) == 2 and data["total"] > 4
    first = json.loads(
        CliRunner()
        .invoke(cli, ["search", "barn", *options[:-1], "1", "--json", "--index", str(ix)])
        .output
    )
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in data["hits"]}


def test_the_cli_now_refuses_an_unknown_language_the_web_refuses() -> None:
    with pytest.raises(BadOptionError, match="--lang: unknown language code 'xx'"):
        parse_request(text="barn", languages=["sv,xx"])


def test_a_request_is_built_from_raw_strings() -> None:
    request = parse_request(
        text="barn",
        languages=["sv, en", "bg"],
        types=("manual",),
        years="2015..",
        sort="",
        page="3",
        limit="20",
    )
    assert request == SearchRequest(
        text="barn",
        languages=("sv", "en", "bg"),
        types=("manual",),
        years=(2015, None),
        page=3,
        limit=20,
    )
    assert request.offset == 40
    assert request.filters(run=7) == q.Filters(
        languages=("sv", "en", "bg"), types=("manual",), years=(2015, None), run=7
    )
    assert parse_request(limit="", page=None) == SearchRequest()
    with pytest.raises(BadOptionError, match=r"--limit: .* from 1 to 100, not '101'"):
        parse_request(limit="101", max_limit=100)
    with pytest.raises(BadOptionError, match="--page"):
        parse_request(page="²")  # a digit to str.isdigit, not a number
