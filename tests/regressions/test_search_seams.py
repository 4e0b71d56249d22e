"""Bugs of the search side that lived in the seams, each pinned by the test named after it:
page hits capped before grouping, two searchers per search, years and ``--explain`` that
disagreed with what is searched, bytes that are not UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tantivy
from click.testing import CliRunner
from starlette.testclient import TestClient

from indexer.errors import ExitCode
from indexer.index import schema as s
from indexer.index.store import Store
from indexer.model import Page, PageQuality, Publication
from search.cli.main import cli
from search.query import compile as qb
from search.results import answer as searcher
from search.serve.web import create_app

ROOT = Path(__file__).resolve().parents[2]
OPEN_INDEX = s.open_index  # the tests' own writer opens the index with it, uncounted


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def publication(pub_id: str, year: int, pages: int) -> Publication:
    return Publication(
        id=pub_id,
        title=f"Publication {pub_id}",
        year=year,
        languages=("en",),
        path=f"{pub_id}.pdf",
        abspath=f"/corpus/{pub_id}.pdf",
        sha256=pub_id,
        page_count=pages,
    )


def write(index_dir: Path, pubs: list[tuple[Publication, list[str]]]) -> None:
    """Publications and the text of their pages, written through the index's one writer."""
    index = OPEN_INDEX(index_dir) if (index_dir / "meta.json").is_file() else None
    store = Store(index or s.create_index(index_dir))
    for pub, texts in pubs:
        pages = [
            Page(number=n, text=text, language="en", quality=PageQuality.OK)
            for n, text in enumerate(texts, start=1)
        ]
        store.add_publication(pub, pages)
    store.close()


# ---------------------------------------------------------------- bug 6


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More matching pages than the first read of page hits (2,000): 42 old publications
    of 50 pages that mention the word often, 6 new ones that mention it once, and one
    with the best page of all and three that mention it once."""
    index_dir = tmp_path_factory.mktemp("many-pages")
    strong = "zebra zebra zebra crossing"
    weak = "a zebra among many other words on a long page of the report about roads"
    pubs = [(publication(f"old-{i:02}", 2010, 50), [strong] * 50) for i in range(42)]
    pubs += [(publication(f"new-{i}", 2020 + i, 1), [weak]) for i in range(6)]
    pubs.append((publication("mixed", 2015, 4), ["zebra zebra zebra zebra"] + [weak] * 3))
    write(index_dir, pubs)
    return index_dir


def test_result_pages_past_the_first_page_hits_are_not_empty(many_pages: Path) -> None:
    first = searcher.search(many_pages, "zebra", limit=10, pages=1)
    assert first.total == 49 and first.total_pages == 42 * 50 + 6 + 4
    seen: list[str] = []
    for offset in range(0, first.total, 10):
        results = searcher.search(many_pages, "zebra", limit=10, pages=1, offset=offset)
        assert len(results.hits) == min(10, first.total - offset)
        seen += [h.id for h in results.hits]
    assert sorted(seen) == sorted({*seen}) and len(seen) == 49
    assert seen[0] == "mixed" and seen[-6:] == [f"new-{i}" for i in range(6)]


def test_sort_by_date_sees_every_matching_publication(many_pages: Path) -> None:
    results = searcher.search(many_pages, "zebra", limit=8, pages=1, sort="date")
    assert [h.id for h in results.hits] == [
        *(f"new-{i}" for i in reversed(range(6))),
        "mixed",
        "old-00",
    ]
    assert [p.page for p in results.hits[0].pages] == [1]
    rest = searcher.search(many_pages, "zebra", limit=8, pages=1, sort="date", offset=44)
    assert [h.id for h in rest.hits] == [f"old-{i}" for i in range(37, 42)]


def test_a_publication_shows_its_pages_past_the_first_page_hits(many_pages: Path) -> None:
    (hit,) = searcher.search(many_pages, "zebra", limit=1, pages=3).hits
    assert (hit.id, hit.matched_pages, len(hit.pages), hit.pages[0].page) == ("mixed", 4, 3, 1)
    (hit,) = searcher.search(many_pages, "zebra", limit=1, pages=3, offset=42).hits
    assert (hit.id, hit.matched_pages, len(hit.pages)) == ("old-41", 50, 3)


# ---------------------------------------------------------------- bug 7


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[tantivy.Index]:
    """Every index the code opens for reading (the real one, counted)."""
    opened: list[tantivy.Index] = []
    real = s.open_index

    def counting(index_dir: Path) -> tantivy.Index:
        index = real(index_dir)
        opened.append(index)
        return index

    monkeypatch.setattr(s, "open_index", counting)
    return opened


def test_hits_and_facets_of_one_search_come_from_one_commit(
    tmp_path: Path, opens: list[tantivy.Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "ix"
    write(index_dir, [(publication("first", 2016, 1), ["zebra crossing"])])
    real_title_query = qb.title_query

    def commit_meanwhile(*args: Any, **kwargs: Any) -> tantivy.Query | None:
        """An index run commits while the search runs (and the reader sees the commit)."""
        write(index_dir, [(publication("second", 2017, 1), ["zebra again"])])
        for index in opens:
            index.reload()
        return real_title_query(*args, **kwargs)

    monkeypatch.setattr(qb, "title_query", commit_meanwhile)
    results = searcher.search(index_dir, "zebra")
    assert len(opens) == 1
    assert results.total == sum(results.facets["year"].values()) == len(results.hits)
    assert {str(h.year) for h in results.hits} == set(results.facets["year"])


def test_the_web_listing_opens_the_index_once_for_the_server(
    tmp_path: Path, opens: list[tantivy.Index]
) -> None:
    index_dir = tmp_path / "ix"
    write(index_dir, [(publication("first", 2016, 1), ["zebra crossing"])])
    client = TestClient(create_app(index_dir), base_url="http://127.0.0.1")
    for url in ("/", "/", "/?q=zebra", "/?q=zebra&page=2"):
        assert client.get(url).status_code == 200
    assert len(opens) == 1


# ---------------------------------------------------------------- bug 10


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> str:
    index_dir = tmp_path_factory.mktemp("small")
    write(index_dir, [(publication("first", 2016, 1), ["zebra crossing"])])
    return str(index_dir)


@pytest.mark.parametrize(
    ("args", "name", "digits"),
    [
        (["year:16"], "year", "16"),
        (["year:[201 TO 2017]"], "year", "201"),
        (["zebra", "--year", "16"], "--year", "16"),
        (["zebra", "--year", "2015..17"], "--year", "17"),
    ],
)
def test_a_year_has_four_digits_in_queries_and_options(
    small: str, args: list[str], name: str, digits: str
) -> None:
    code, output = run("search", *args, "--index", small)
    message = f"pubsearch: {name}: expected a year of four digits like 2016, not '{digits}'\n"
    assert (code, output) == (ExitCode.BAD_QUERY, message)


def test_explain_shows_author_terms_as_searched_not_stemmed(small: str) -> None:
    code, output = run("search", "author:barnen", "--explain", "--index", small)
    assert code == 0
    assert output.splitlines()[:2] == [
        'word "barnen" in authors:',
        "  authors (not stemmed): barnen",
    ]


def test_explain_shows_the_terms_of_the_index_analysis(tmp_path: Path) -> None:
    index_dir = tmp_path / "neutral"
    s.create_index(index_dir, analysis=s.NEUTRAL)
    code, output = run("search", "barnen", "--explain", "--index", str(index_dir))
    assert code == 0
    assert output.splitlines()[:2] == [
        'word "barnen" in page text or title:',
        f"  {','.join(s.LANGUAGES)}: barnen",
    ]


# ---------------------------------------------------------------- bug 13


def pubsearch(*args: bytes) -> subprocess.CompletedProcess[str]:
    """The real command, its arguments as raw bytes (as a Latin-1 terminal sends them)."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    env.pop("PUBSEARCH_INDEX", None)
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"search", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cafe(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    index_dir = tmp_path_factory.mktemp("cafe")
    write(index_dir, [(publication("menu", 2016, 1), ["café au lait"])])
    return os.fsencode(index_dir)


def test_a_query_in_latin1_bytes_is_read_as_meant(cafe: bytes) -> None:
    done = pubsearch(b"search", b"caf\xe9", b"--json", b"--index", cafe)
    assert (done.returncode, done.stderr) == (0, "")
    results = json.loads(done.stdout)
    assert (results["query"], results["corrected_from"], results["total"]) == ("café", None, 1)


def test_language_and_type_in_latin1_bytes_are_read_as_meant(cafe: bytes) -> None:
    # read as meant, and then checked like any value: no such language, no such type
    done = pubsearch(b"search", b"caf\xe9", b"--lang", b"s\xe9", b"--index", cafe)
    assert (done.returncode, done.stdout) == (ExitCode.BAD_QUERY, "")
    assert done.stderr.startswith("pubsearch: --lang: unknown language code 'sé' (one of ")
    assert done.stderr.count("\n") == 1
    done = pubsearch(b"search", b"caf\xe9", b"--type", b"r\xe9", b"--index", cafe)
    assert (done.returncode, done.stdout) == (ExitCode.BAD_QUERY, "")
    assert "'ré'" in done.stderr and done.stderr.count("\n") == 1


def test_indexing_a_pdf_whose_name_is_not_utf8_is_a_clear_usage_error(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = make_pdf(["café au lait"])
    folder = os.fsencode(tmp_path / "latin")
    os.mkdir(folder)
    named = os.path.join(folder, b"caf\xe9.pdf")
    os.rename(pdf, named)
    index_dir = os.fsencode(tmp_path / "ix")
    message = (
        "the file name is not valid UTF-8; nothing indexed "
        "(rename it, e.g. `convmv -f latin1 -t utf-8 --notest FILE`)"
    )
    for given in (named, folder):
        done = pubsearch(b"index", given, b"--index", index_dir)
        assert (done.returncode, done.stdout) == (ExitCode.USAGE, "")
        assert done.stderr == f"pubsearch: {tmp_path}/latin/caf\\xe9.pdf: {message}\n"
        assert not os.path.exists(index_dir)
    missing = os.path.join(folder, b"no-caf\xe9.pdf")
    done = pubsearch(b"index", missing, b"--index", index_dir)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == f"pubsearch: {tmp_path}/latin/no-caf\\xe9.pdf: no such file or folder\n"


def test_an_index_folder_whose_name_is_not_utf8_is_a_clear_error(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = os.fsencode(make_pdf(["café au lait"]))
    index_dir = os.fsencode(tmp_path) + b"/ix\xe9"
    done = pubsearch(b"index", pdf, b"--index", index_dir)
    assert (done.returncode, done.stdout) == (ExitCode.USAGE, "")
    assert done.stderr == (
        f"pubsearch: {tmp_path}/ix\\xe9: the index folder's name is not valid UTF-8; "
        "pass another --index\n"
    )
    assert not os.path.exists(index_dir)
    done = pubsearch(b"search", b"caf\xe9", b"--index", index_dir)
    assert done.returncode == ExitCode.NO_INDEX
    assert done.stderr.startswith(f"pubsearch: no index at {tmp_path}/ix\\xe9; ")


@pytest.fixture
def web(cafe: bytes) -> Iterator[TestClient]:
    yield TestClient(create_app(Path(os.fsdecode(cafe))), base_url="http://127.0.0.1")


def test_a_web_query_in_latin1_percent_bytes_is_read_as_meant(web: TestClient) -> None:
    response = web.get("/api/search?q=caf%E9")
    assert response.status_code == 200
    body = response.json()
    assert (body["query"], body["corrected_from"], body["total"]) == ("café", None, 1)
    bad = web.get("/api/search?q=caf%E9&lang=%FF")  # read as meant, and then unknown
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error.startswith("--lang: ") and "'ÿ'" in error and "\n" not in error
    assert web.get("/?q=caf%E9&lang=%FF").status_code == 400
