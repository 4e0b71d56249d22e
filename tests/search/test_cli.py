"""The pubsearch command line: output, JSON shape, exit codes, error messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from indexer.index import schema
from indexer.model import IndexReport
from search.cli.main import COMMANDS, cli
from search.errors import ExitCode
from tests.support import CATALOG


def run(*args: str, env: dict[str, str] | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def ix(corpus_index: tuple[Path, IndexReport]) -> str:
    return str(corpus_index[0])


def test_every_command_has_help() -> None:
    listing = run("--help")
    assert listing.exit_code == 0
    for name in COMMANDS:  # loaded only when used: each still shows its help and is listed
        assert f"  {name} " in listing.output, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage: " in result.output, name


def test_search_text_output(ix: str) -> None:
    result = run("search", "жертвам", "--index", ix)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "1 publication (1 page) match 'жертвам'."
    assert (
        lines[2] == "1. Regional coordinator against human trafficking – Help for victims of human"
    )
    assert f"   {CATALOG.parent}/pdf/regional-coordinator-2017.pdf" in lines
    assert "   p. 7 [ru]" in lines
    assert "\x1b[" not in result.output and "<b>" not in result.output  # not a TTY
    assert all(len(line) <= 80 for line in lines)


def test_search_json_shape(ix: str) -> None:
    result = run("search", "barnen skydd", "--index", ix, "--json", "--limit", "2", "--pages", "2")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["query"] == "barnen skydd" and data["total"] == 6 and len(data["hits"]) == 2
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "year", "type", "path", "languages", "score", "pages"}
    assert isinstance(hit["year"], int) and isinstance(hit["score"], float)
    assert hit["path"].startswith(f"{CATALOG.parent}/pdf/") and len(hit["pages"]) == 2
    page = hit["pages"][0]
    assert set(page) == {"page", "language", "score", "ocr", "ocr_confidence", "snippet",
                         "missing", "matched_as", "other_form"}  # fmt: skip
    assert page["ocr"] is False and page["ocr_confidence"] is None
    assert page["page"] >= 1 and page["language"] == "sv" and "<b>" in page["snippet"]


def test_environment_variable_names_the_index(ix: str) -> None:
    result = run("search", "tiggeri", "--json", env={"PUBSEARCH_INDEX": ix})
    assert result.exit_code == 0 and json.loads(result.output)["total"] > 0


def test_empty_result_says_so_and_exits_zero(ix: str) -> None:
    result = run("search", "xylofonorkester", "--index", ix)
    assert (result.exit_code, result.output) == (0, "No publications match 'xylofonorkester'.\n")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "pubsearch: unclosed quote at position 1: \"unclosed\n"),
        ("foo:bar", "pubsearch: unknown field 'foo' at position 1; "
                    "valid fields: title, author, type, lang, year, id\n"),
        ("barn (skydd", "pubsearch: unclosed '(' at position 6\n"),
        ("year:20x6", "pubsearch: year: expected a year of four digits like 2016, not '20x6'\n"),
    ],
)  # fmt: skip
def test_bad_query_one_line_and_exit_code(ix: str, query: str, message: str) -> None:
    result = run("search", query, "--index", ix)
    assert result.exit_code == ExitCode.BAD_QUERY == 3
    assert result.stderr == message and result.stdout == ""


def test_bad_year_option(ix: str) -> None:
    result = run("search", "barn", "--index", ix, "--year", "2017..2015")
    assert result.exit_code == ExitCode.BAD_QUERY
    assert result.stderr == "pubsearch: --year: 2017 is after 2015\n"


def test_missing_index(tmp_path: Path) -> None:
    result = run("search", "barn", "--index", str(tmp_path / "nothing"))
    assert result.exit_code == ExitCode.NO_INDEX == 4
    assert result.stderr == (
        f"pubsearch: no index at {tmp_path / 'nothing'}; build one with "
        f"`pubsearch index --index {tmp_path / 'nothing'}` (or set PUBSEARCH_INDEX)\n"
    )


def test_schema_version_mismatch(tmp_path: Path) -> None:
    schema.create_index(tmp_path)
    (tmp_path / schema.META_FILE).write_text('{"schema_version": 99}')
    result = run("search", "barn", "--index", str(tmp_path))
    assert result.exit_code == ExitCode.NO_INDEX
    assert "rebuild with `pubsearch index --rebuild" in result.stderr


def test_index_catalog_then_search(tmp_path: Path) -> None:
    index_dir = str(tmp_path / "ix")
    result = run("index", "--index", index_dir, "--catalog", str(CATALOG), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["pages_indexed"], summary["failed"]) == (9, 62, [])
    assert "added corpus/pdf/nrm-sweden-2016.pdf: 8 pages [en]" in result.stderr.replace(
        str(CATALOG.parent) + "/", "corpus/"
    )


def test_index_reports_failures_and_goes_on(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    good = make_pdf(["Ett dokument om stöd till barn som utsatts för brott."], name="in/good.pdf")
    bad = good.parent / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not a pdf")
    result = run("index", str(good.parent), "--index", str(tmp_path / "ix"))
    assert result.exit_code == ExitCode.FILES_FAILED == 5
    assert f"FAILED {bad}: corrupt: not a readable PDF" in result.stderr
    assert f"added {good}: 1 pages [und]" in result.stderr  # too short to tell
    assert result.stdout.startswith(
        "1 added, 0 updated, 0 renamed, 0 removed, 0 unchanged, 1 failed; "
        "1 pages indexed (0 without text) in "
    )
    found = run("search", "barn", "--index", str(tmp_path / "ix"), "--json")
    assert [h["path"] for h in json.loads(found.stdout)["hits"]] == [str(good)]


def test_unexpected_errors_have_no_traceback_without_verbose(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text("not json")
    (tmp_path / schema.META_FILE).write_text(json.dumps({"schema_version": schema.SCHEMA_VERSION}))
    result = run("search", "barn", "--index", str(tmp_path))
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.startswith("pubsearch: unexpected error: ")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    verbose = run("--verbose", "search", "barn", "--index", str(tmp_path))
    assert "Traceback" in verbose.stderr


def test_explain(ix: str) -> None:
    result = run("search", "barnen", "--index", ix, "--explain", "--limit", "1")
    assert 'word "barnen" in page text or title:' in result.output
    assert "sv,de,da,no,fi,nl,es,hu: barn" in result.output


class _Tty:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_tty_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from search.cli.main import _use_color

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert _use_color(_Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _use_color(_Tty())
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    assert _use_color(_Tty())


def test_highlight_wrapping_keeps_marks_on_the_right_words() -> None:
    from search.render import BOLD, RESET, wrap_highlighted
    from search.results.snippets import Snippet

    snippet = Snippet(text="ett barn och <b> barnen här", marks=((4, 8), (17, 23)))
    lines = wrap_highlighted(snippet, 20, "  ", True)
    assert lines == [f"  ett {BOLD}barn{RESET} och <b>", f"  {BOLD}barnen{RESET} här"]
    assert wrap_highlighted(Snippet(text="ett barn", marks=((4, 8),)), 20, "", False) == [
        "ett barn"
    ]
