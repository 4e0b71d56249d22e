"""Bugs that lived in the seams between stages, each pinned by the test named after it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import pipeline
from indexer.errors import CatalogError, ExitCode
from indexer.model import IndexSettings
from indexer.planning.catalog import load_catalog
from search.cli.main import cli
from search.results import answer as searcher

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_publication_score_is_its_best_page_not_its_last(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = make_pdf(["Annual report\nzebra zebra zebra zebra", "zebra and many other words here"])
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[pdf]))
    results = searcher.search(tmp_path / "ix", "zebra", pages=2)
    (hit,) = results.hits
    assert [p.page for p in hit.pages] == [1, 2]
    assert hit.pages[0].score > hit.pages[1].score
    assert hit.score == hit.pages[0].score


def test_unknown_publication_id_is_not_a_bad_query(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = make_pdf(["some text"])
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[pdf]))
    code, output = run("show", "no-such-id", "--index", str(tmp_path / "ix"))
    assert code == ExitCode.NOT_FOUND == 9
    assert (
        output == "pubsearch: no publication 'no-such-id' in the index (see `pubsearch search`)\n"
    )


def test_indexing_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("index", str(tmp_path / "no" / "such.pdf"), "--index", str(tmp_path / "ix"))
    assert code == ExitCode.USAGE
    assert output == f"pubsearch: {tmp_path / 'no' / 'such.pdf'}: no such file or folder\n"
    assert not (tmp_path / "ix").exists()


def test_make_test_does_not_export_the_demo_index() -> None:
    probe = "probe:\n\t@printenv PUBSEARCH_INDEX || echo unset\n"
    out = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "-f", "Makefile", "-f", "-", "probe"],
        input=probe,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.stdout == "unset\n"


def test_two_catalog_entries_naming_one_pdf_is_a_catalog_error(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[[publication]]\nid = "a"\ntitle = "A"\nfile = "x.pdf"\n\n'
        '[[publication]]\nid = "b"\ntitle = "B"\nfile = "./x.pdf"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog)
    assert str(info.value) == f"{catalog}: publications 'a' and 'b' name the same PDF x.pdf"


def test_deleting_a_symlink_removes_its_publication(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    target = make_pdf(["linked words"], name="elsewhere/target.pdf")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "link.pdf").symlink_to(target)
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[folder]))
    assert searcher.search(tmp_path / "ix", "linked").total == 1
    (folder / "link.pdf").unlink()
    report = pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[folder]))
    assert report.count("removed") == 1
    assert searcher.search(tmp_path / "ix", "linked").total == 0


def test_json_score_follows_the_ranking(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    one = make_pdf(["zebra zebra zebra zebra", "zebra"], name="one.pdf")
    two = make_pdf(["zebra once among many many other words in a line"], name="two.pdf")
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[one, two]))
    code, output = run("search", "zebra", "--json", "--index", str(tmp_path / "ix"))
    assert code == 0
    scores = [h["score"] for h in json.loads(output)["hits"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
