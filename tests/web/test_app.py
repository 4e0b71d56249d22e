"""The web page (`pubsearch serve`) at the HTTP level: every route and error, through
Starlette's test client over real indexes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from indexer import pipeline
from indexer.model import IndexSettings
from indexer.planning.catalog import load_catalog
from search.cli.main import cli
from search.errors import ExitCode
from search.query import syntax as q
from search.results.answer import search
from search.results.snippets import Snippet
from search.serve.web import create_app
from search.serve.web.app import SECURITY_HEADERS, parse_form
from search.serve.web.filters import highlighted
from search.serve.web.i18n import TEXTS, from_accept_language
from tests.support import CATALOG

SV, EN = TEXTS["sv"], TEXTS["en"]
HIT_IDS = re.compile(r'<li class="hit" id="hit-[^"]+" data-id="([^"]+)"')


@pytest.fixture(scope="module")
def client(ix: Path) -> TestClient:
    return TestClient(create_app(ix), base_url="http://127.0.0.1")


def hit_ids(body: str) -> list[str]:
    return HIT_IDS.findall(body)


# ---------------------------------------------------------------- the search page


def test_empty_query_lists_every_publication_newest_first(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    entries = load_catalog(CATALOG)
    years = {e.id: e.year or 0 for e in entries}
    ids = hit_ids(response.text)
    assert sorted(ids) == sorted(e.id for e in entries)
    assert [years[i] for i in ids] == sorted(years.values(), reverse=True)
    assert SV["listing"].format(total=len(entries)) in response.text


def test_search_shows_metadata_pages_snippets_and_links(client: TestClient, ix: Path) -> None:
    response = client.get("/", params={"q": "barnen skydd"})
    assert response.status_code == 200
    expected = search(ix, "barnen skydd", limit=10)
    assert hit_ids(response.text) == [h.id for h in expected.hits]
    top = expected.hits[0]
    body = response.text
    for label in (SV["authors"], SV["published"], SV["languages"]):
        assert f"<dt>{label}</dt>" in body
    assert f"<dd>{', '.join(top.authors)}</dd>" in body and f"<dd>{top.year}</dd>" in body
    assert top.description and top.description in body and top.subtitle in body
    for page in top.pages:
        assert f'href="/pdf/{top.id}#page={page.page}"' in body
        assert f'href="/page/{top.id}/{page.page}?q=barnen+skydd"' in body
    assert "<mark>barnen</mark>" in body or "<mark>barnet</mark>" in body
    assert "<b>" not in body  # the index's marks are turned into <mark>
    summary = SV["found"].format(total=expected.total, pages=expected.total_pages)
    assert summary in body


def test_type_filter_and_selected_option(client: TestClient, ix: Path) -> None:
    response = client.get("/", params={"q": "människohandel", "type": "manual"})
    ids = hit_ids(response.text)
    types = {e.id: e.type for e in load_catalog(CATALOG)}
    assert ids and all(types[i] == "manual" for i in ids)
    assert '<option value="manual" selected>' in response.text
    everything = hit_ids(client.get("/", params={"q": "människohandel"}).text)
    assert set(ids) < set(everything)


def test_facets_have_the_cli_counts_and_filter(client: TestClient, ix: Path) -> None:
    expected = search(ix, "människohandel").facets
    body = client.get("/", params={"q": "människohandel"}).text
    for key, name in (("lang", "language"), ("year", "year")):
        section = body.split(f'id="facet-{key}"')[1].split("</section>")[0]
        counts = dict(re.findall(rf'href="[^"]*{key}=(\w+)[^"]*">.*?"count">(\d+)<', section, re.S))
        assert {k: int(v) for k, v in counts.items()} == expected[name]
    rare = min(expected["language"], key=lambda code: expected["language"][code])
    filtered = client.get("/", params={"q": "människohandel", "lang": rare})
    ids = hit_ids(filtered.text)
    only = search(ix, "människohandel", q.Filters(languages=(rare,)))
    assert ids == [h.id for h in only.hits] and len(ids) == expected["language"][rare]
    assert 'class="active"' in filtered.text  # the chosen value, with a link that removes it
    by_year = hit_ids(client.get("/", params={"q": "människohandel", "year": "2015"}).text)
    years = {e.id: e.year for e in load_catalog(CATALOG)}
    assert by_year and all(years[i] == 2015 for i in by_year)


def test_paging_through_results(client: TestClient) -> None:
    all_ids = hit_ids(client.get("/", params={"q": "människohandel"}).text)
    assert len(all_ids) > 4
    first = client.get("/", params={"q": "människohandel", "limit": "2"}).text
    second = client.get("/", params={"q": "människohandel", "limit": "2", "p": "2"}).text
    assert hit_ids(first) == all_ids[:2] and hit_ids(second) == all_ids[2:4]
    assert 'id="next" href="/?q=m%C3%A4nniskohandel&amp;p=2&amp;limit=2"' in first
    assert 'id="prev"' not in first and 'id="prev"' in second
    assert '<ol class="hits" start="3">' in second
    past_end = client.get("/", params={"q": "människohandel", "p": "99"})
    assert past_end.status_code == 200 and hit_ids(past_end.text) == []


def test_catalog_entry_without_pdf_appears_for_metadata(client: TestClient) -> None:
    body = client.get("/", params={"q": "film"}).text
    assert "film-sexuell-exploatering-barn" in hit_ids(body)
    entry = body.split('data-id="film-sexuell-exploatering-barn"')[1].split('<li class="hit"')[0]
    assert SV["no_pdf"] in entry and "/pdf/" not in entry


def test_suggestion_links_to_the_corrected_search(client: TestClient) -> None:
    body = client.get("/", params={"q": "människohandl", "exact": "1"}).text
    assert hit_ids(body) == []
    link = '<a id="suggestion" href="/?q=m%C3%A4nniskohandel&amp;exact=1">'
    assert f"{SV['did_you_mean']}: {link}" in body


def test_results_for_the_correction_link_to_the_query_as_typed(
    client: TestClient, ix: Path
) -> None:
    body = client.get("/", params={"q": "tigeri", "ui": "en"}).text
    expected = [h.id for h in search(ix, "tiggeri", exact=True).hits]
    assert hit_ids(body) == expected and expected
    notice = body.split('id="corrected">')[1].split("</p>")[0]
    assert notice == (
        f"{EN['showing_for']} <strong>tiggeri</strong> (no pages match tigeri). "
        '<a id="exact" href="/?q=tigeri&amp;ui=en&amp;exact=1">Search for tigeri as typed</a>'
    )
    assert "/page/barn-polisarenden-2017/6?q=tiggeri&amp;ui=en" in body  # highlights the correction
    exact = client.get("/", params={"q": "tigeri", "exact": "1"}).text
    assert hit_ids(exact) == [] and 'id="corrected"' not in exact
    assert client.get("/", params={"q": "tigeri", "exact": "yes"}).status_code == 400


def test_pages_with_most_of_the_words_say_what_they_lack(client: TestClient, ix: Path) -> None:
    text = "barn tiggeri polisen stöld zebra"
    body = client.get("/", params={"q": text}).text
    assert hit_ids(body) == [h.id for h in search(ix, text).hits] and hit_ids(body)
    assert f"{SV['missing'].format(words='zebra')}</span>" in body
    assert SV["relaxed"].format(n=0) in body and 'id="all-words" href="/?q=' in body
    english = client.get("/", params={"q": text, "ui": "en"}).text
    assert '<span class="missing">missing: zebra</span>' in english
    assert hit_ids(client.get("/", params={"q": text, "exact": "1"}).text) == []


def test_bad_query_is_a_400_page_that_keeps_the_query(client: TestClient) -> None:
    response = client.get("/", params={"q": '"unclosed'})
    assert response.status_code == 400
    assert SV["error_400"] in response.text
    assert 'id="error-message">unclosed quote at position 1' in response.text
    assert 'value="&#34;unclosed"' in response.text  # escaped, in the form to fix it


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lang": "xx"}, "--lang: unknown language code &#39;xx&#39;"),
        ({"type": "<b>"}, "--type: not a publication type: &#39;&lt;b&gt;&#39;"),
        ({"year": "soon"}, "--year: expected 2016, 2015..2017"),
        ({"p": "0"}, "--page: expected a whole number from 1 to 1000"),
        ({"limit": "many"}, "--limit: expected a whole number from 1 to 100,"),
        ({"sort": "random"}, "--sort: expected relevance or date"),
        ({"ui": "de"}, "ui: expected one of sv, en"),
        ({"q": "x" * 1001}, "q: the query is longer than 1000 characters"),
    ],
)
def test_bad_parameters_are_400(client: TestClient, params: dict[str, str], message: str) -> None:
    response = client.get("/", params=params)
    assert response.status_code == 400
    assert f'id="error-message">{message}' in response.text


# ---------------------------------------------------------------- interface language


def test_swedish_by_default_english_by_switch_or_header(client: TestClient) -> None:
    swedish = client.get("/", params={"q": "skydd"}).text
    assert '<html lang="sv">' in swedish and f">{SV['submit']}</button>" in swedish
    assert 'id="ui-switch" hreflang="en" href="/?q=skydd&amp;ui=en"' in swedish
    english = client.get("/", params={"q": "skydd", "ui": "en"}).text
    assert '<html lang="en">' in english and f">{EN['submit']}</button>" in english
    assert '<input type="hidden" name="ui" value="en">' in english  # kept by the next search
    assert "?q=skydd&amp;ui=en" in english  # and by links
    by_header = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,sv;q=0.5"}).text
    assert '<html lang="en">' in by_header
    overridden = client.get("/?ui=sv", headers={"Accept-Language": "en"}).text
    assert '<html lang="sv">' in overridden


def test_accept_language_weights() -> None:
    assert from_accept_language("sv-SE,sv;q=0.9,en;q=0.8") == "sv"
    assert from_accept_language("de-DE, en;q=0.3, sv;q=0.7") == "sv"
    assert from_accept_language("fr, de") is None
    assert from_accept_language("en;q=0, sv;q=0.1") == "sv"
    assert from_accept_language("garbage;;;,") is None and from_accept_language(None) is None


def test_both_interface_languages_have_every_string() -> None:
    assert SV.keys() == EN.keys()


# ---------------------------------------------------------------- page view and PDF


def test_page_view_highlights_the_query(client: TestClient) -> None:
    response = client.get("/page/regional-coordinator-2017/7", params={"q": "жертвам"})
    assert response.status_code == 200
    body = response.text
    assert "<mark>жертвы</mark>" in body and SV["page_of"].format(page=7, count=8) in body
    assert 'href="/pdf/regional-coordinator-2017#page=7"' in body
    assert 'href="/page/regional-coordinator-2017/6?q=' in body
    assert 'href="/page/regional-coordinator-2017/8?q=' in body
    plain = client.get("/page/regional-coordinator-2017/7").text
    assert "<mark>" not in plain and "жертвы" in plain


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/page/no-such-id/1", 404, "no publication &#39;no-such-id&#39; in the index"),
        ("/page/nrm-sweden-2016/999", 404, "nrm-sweden-2016 has no page 999"),
        ("/page/nrm-sweden-2016/0", 400, "page: expected a page number from 1"),
        ("/page/nrm-sweden-2016/two", 400, "page: expected a page number from 1"),
        ("/pdf/no-such-id", 404, "no indexed PDF for &#39;no-such-id&#39;"),
        ("/pdf/film-sexuell-exploatering-barn", 404, "no indexed PDF for"),
        ("/pdf/..%2F..%2Fcorpus%2Fcatalog.toml", 404, "no such page"),
        ("/pdf/%2E%2E", 404, "no indexed PDF for &#39;..&#39;"),
        ("/pdf/", 404, "no such page: /pdf/"),
        ("/static/", 404, "no such page"),
        ("/corpus/pdf/nrm-sweden-2016.pdf", 404, "no such page"),
    ],
)
def test_unknown_ids_and_paths_are_404(client: TestClient, url: str, status: int,
                                       message: str) -> None:  # fmt: skip
    response = client.get(url)
    assert response.status_code == status
    assert message in response.text and "<!doctype html>" in response.text


def test_pdf_is_served_by_id_inline(client: TestClient) -> None:
    response = client.get("/pdf/nrm-sweden-2016")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.content == (CATALOG.parent / "pdf" / "nrm-sweden-2016.pdf").read_bytes()


def test_pdf_moved_since_indexing_is_404(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(["Moved away later"], name="docs/moved.pdf")
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[pdf.parent]))
    pdf.unlink()
    response = TestClient(create_app(tmp_path / "ix"), base_url="http://127.0.0.1").get(
        "/pdf/moved"
    )
    assert response.status_code == 404 and str(pdf) not in response.text


def test_read_only_and_security_headers(client: TestClient) -> None:
    response = client.get("/")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert client.post("/", data={"q": "x"}).status_code == 405
    assert client.post("/api/search").status_code == 405


def test_missing_index_is_503(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "nothing"), base_url="http://127.0.0.1")
    response = client.get("/", params={"q": "skydd"})
    assert response.status_code == 503 and "run `pubsearch index` first" in response.text
    api = client.get("/api/search", params={"q": "skydd"})
    assert api.status_code == 503 and api.json()["status"] == 503


# ---------------------------------------------------------------- the JSON API


def test_api_returns_the_cli_json(client: TestClient, ix: Path) -> None:
    api = client.get("/api/search", params={"q": "barnen skydd", "type": "report", "limit": "2"})
    assert api.status_code == 200 and api.headers["content-type"] == "application/json"
    result = CliRunner().invoke(
        cli, ["search", "barnen skydd", "--type", "report", "--limit", "2", "--json",
              "--index", str(ix)],
    )  # fmt: skip
    assert result.exit_code == 0
    assert api.json() == json.loads(result.output)


def test_api_empty_query_lists_and_errors_are_json(client: TestClient) -> None:
    listing = client.get("/api/search", params={"limit": "3"}).json()
    assert listing["query"] == "" and listing["total"] == len(load_catalog(CATALOG))
    assert len(listing["hits"]) == 3 and listing["facets"]["type"]
    bad = client.get("/api/search", params={"q": "(skydd"})
    assert bad.status_code == 400 and bad.json() == {
        "error": "unclosed '(' at position 1",
        "status": 400,
    }
    assert client.get("/api/search", params={"lang": "zz"}).status_code == 400


# ---------------------------------------------------------------- escaping


def test_highlighted_escapes_everything_but_its_own_marks() -> None:
    assert str(highlighted(Snippet(text="a b&c d", marks=((2, 5),)))) == "a <mark>b&amp;c</mark> d"
    assert str(highlighted(Snippet(text="<script>x"))) == "&lt;script&gt;x"
    # markup in the text, marked or not, comes out as text
    assert str(highlighted(Snippet(text="<script>alert(1)</script>x", marks=((25, 26),)))) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>"
    )
    assert str(highlighted(Snippet(text="<b>x</b>", marks=((0, 8),)))) == (
        "<mark>&lt;b&gt;x&lt;/b&gt;</mark>"
    )
    assert str(highlighted(Snippet(text='<img src=x onerror="y">'))) == (
        "&lt;img src=x onerror=&#34;y&#34;&gt;"
    )


def test_script_in_pdf_text_and_title_is_shown_as_text(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = make_pdf(
        ['Trafficking report <script>alert("pwned")</script> with <img src=x onerror=alert(2)>'],
        name="docs/evil.pdf",
        title='<script>alert("title")</script>',
    )
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[pdf.parent]))
    client = TestClient(create_app(tmp_path / "ix"), base_url="http://127.0.0.1")
    for response in (
        client.get("/", params={"q": "trafficking"}),
        client.get("/", params={"q": "pwned"}),
        client.get("/"),
        client.get("/page/evil/1", params={"q": "script"}),
    ):
        assert response.status_code == 200
        body = response.text
        assert "<script>alert" not in body and "<img src=x" not in body
        assert body.count("<script") == 1  # our own /static/app.js, nothing else
    body = client.get("/", params={"q": "pwned"}).text
    assert "&lt;script&gt;alert(&#34;" in body or "&lt;script&gt;alert(&quot;" in body


def test_form_values_are_validated_once() -> None:
    form = parse_form({"q": " skydd ", "type": "manual", "year": "2015..2016", "p": "2"})
    assert form.filters == q.Filters(types=("manual",), years=(2015, 2016))
    assert form.url(p=3) == "/?q=skydd&type=manual&year=2015..2016&p=3"


def test_serve_without_an_index_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == ExitCode.NO_INDEX
    assert result.output.strip().count("\n") == 0 and "no index" in result.output


def test_the_screening_page_lists_each_name_with_links_to_the_page_view(
    names_index: Path,
) -> None:
    client = TestClient(create_app(names_index), base_url="http://127.0.0.1")
    response = client.get("/screen", params={"names": "Volkov\nA\nZzyzx Qwerty", "ui": "en"})
    assert response.status_code == 200
    body = response.text
    assert "<h2>Volkov</h2>" in body and "<h2>Zzyzx Qwerty</h2>" in body
    assert 'href="/page/prosecutor/1?q=%D0%92%D0%BE%D0%BB%D0%BA%D0%BE%D0%B2&amp;ui=en"' in body
    assert '<td class="tier">other script</td>' in body
    assert "<mark>Волков</mark>" in body
    assert "Line 2 skipped: not a name: &#39;A&#39;" in body
    empty = client.get("/screen")
    assert empty.status_code == 200 and "<textarea" in empty.text
    too_long = client.get("/screen", params={"names": "x" * 20_001})
    assert too_long.status_code == 400
