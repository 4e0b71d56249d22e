"""The long-lived index reader: one index opened once, reloaded when a commit lands, one
searcher per request; and the web server built on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from indexer import pipeline
from indexer.errors import IndexNotFoundError, SchemaVersionError
from indexer.index import schema as s
from indexer.model import STANDARD, IndexSettings
from search.reader import IndexReader, view_of
from search.results.answer import search
from search.serve.web import create_app


@pytest.fixture
def folder(tmp_path: Path, make_pdf: Callable[..., Path]) -> Path:
    make_pdf(["Tiggeri och skydd"], name="docs/first.pdf")
    return tmp_path / "docs"


def test_a_commit_shows_up_in_the_next_view_not_in_the_one_held(
    tmp_path: Path, folder: Path, make_pdf: Callable[..., Path]
) -> None:
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    reader = IndexReader(ix)
    before = reader.view()
    assert search(before, "tiggeri").total == 1 and search(before, "vräkning").total == 0
    make_pdf(["Vräkning och tiggeri"], name="docs/second.pdf")
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    after = reader.view()
    assert after.index is before.index  # the same open index, its reader reloaded
    assert search(after, "vräkning").total == 1 and search(after, "tiggeri").total == 2
    # a view is one commit: what it was handed keeps answering from that commit
    assert (
        search(before, "vräkning").total == 0 and before.searcher.num_docs < after.searcher.num_docs
    )


def test_a_rebuild_is_reloaded_another_schema_is_refused(tmp_path: Path, folder: Path) -> None:
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    reader = IndexReader(ix)
    first = reader.view()
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder], rebuild=True))
    assert search(reader, "tiggeri").total == 1 and reader.view().index is first.index
    meta = s.read_meta(ix)
    (ix / s.META_FILE).write_text(json.dumps({**meta, "schema_version": 0}))  # another pubsearch
    with pytest.raises(SchemaVersionError):
        reader.view()
    s.write_meta(ix)  # and back: the reader answers again
    assert search(reader, "tiggeri").total == 1


def test_view_of_accepts_a_folder_a_reader_or_a_view(tmp_path: Path, folder: Path) -> None:
    ix = tmp_path / "ix"
    with pytest.raises(IndexNotFoundError):
        IndexReader(ix)
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    reader = IndexReader(ix)
    view = reader.view()
    assert view_of(view) is view
    assert view_of(reader).index is view.index
    assert view_of(ix).index is not view.index and view_of(ix).analysis == STANDARD


def test_web_server_finds_what_was_indexed_while_it_runs(
    tmp_path: Path, folder: Path, make_pdf: Callable[..., Path]
) -> None:
    ix = tmp_path / "ix"
    client = TestClient(create_app(ix), base_url="http://127.0.0.1")
    assert client.get("/", params={"q": "vräkning"}).status_code == 503  # no index yet
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    assert client.get("/api/search", params={"q": "vräkning"}).json()["total"] == 0
    make_pdf(["Vräkning och tiggeri"], name="docs/second.pdf")
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    found = client.get("/api/search", params={"q": "vräkning"}).json()
    assert found["total"] == 1 and found["hits"][0]["id"] == "second"
    page = client.get("/", params={"q": "vräkning"})
    assert page.status_code == 200 and 'data-id="second"' in page.text
    assert client.get("/page/second/1", params={"q": "vräkning"}).status_code == 200
