"""``pubsearch screen``: lists of names against every page, tiers, outputs, exit codes,
watchlists and lists that cannot be read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import api
from search.errors import NameListError
from search.query.name_list import ListedName, Skipped, read_names
from search.query.names import surname_forms as other_forms
from search.results.screening import NameResult, distance, name_words
from tests.support import run


def screen(index: Path, listing: Path, *args: str) -> tuple[int, str]:
    result = run("screen", str(listing), "--index", str(index), *args)
    return result.exit_code, result.output


def names_file(tmp_path: Path, text: str, name: str = "names.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tiers_rank_as_printed_then_other_script_then_other_form(
    names_index: Path, tmp_path: Path
) -> None:
    listing = names_file(tmp_path, "Volkov\nVolkova\n")
    results = [r for r in api.screen(names_index, api.ScreenRequest(source=listing))]
    volkov, volkova = results
    assert isinstance(volkov, NameResult) and isinstance(volkova, NameResult)
    assert [(h.tier, h.form, h.id) for h in volkov.hits] == [
        ("as-printed", "Volkov", "latin"),
        ("other-script", "Волков", "prosecutor"),
        ("other-form", "Волкова", "wife"),  # never silently the same person
    ]
    assert (volkova.hits[0].tier, volkova.hits[0].form, volkova.hits[0].id) == (
        "other-script", "Волкова", "wife"
    )  # fmt: skip
    # one edit away (in spelling or in key), yet another form of the surname: labelled so
    assert {(h.tier, h.form, h.id) for h in volkova.hits[1:]} == {
        ("other-form", "Volkov", "latin"),
        ("other-form", "Волков", "prosecutor"),
    }
    assert "<b>Волков</b>" in volkov.hits[1].snippet


def test_the_table_the_exit_code_and_the_cap(names_index: Path, tmp_path: Path) -> None:
    code, out = screen(
        names_index, names_file(tmp_path, "Volkov\nZzyzx Qwerty\nA\n"), "--max-pages", "1"
    )
    assert code == 0
    assert out.splitlines() == [
        "Volkov: 1 pages, 2 more",
        "  as-printed   Volkov  latin p. 1 [en]",
        "Zzyzx Qwerty: no pages",
        "line 3: skipped: not a name: 'A'",
    ]


def test_nothing_matched_has_its_own_exit_code(names_index: Path, tmp_path: Path) -> None:
    code, out = screen(names_index, names_file(tmp_path, "Zzyzx Qwerty\n"))
    assert (code, out) == (11, "Zzyzx Qwerty: no pages\n")


def test_csv_passes_the_list_columns_through(names_index: Path, tmp_path: Path) -> None:
    listing = names_file(tmp_path, "id,name,notes\nc-1,Volkov,case 12\n", "list.csv")
    code, out = screen(names_index, listing, "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and lines[0].split(",")[:8] == [
        "line", "name", "list_id", "notes", "tier", "form", "detail", "id"
    ]  # fmt: skip
    assert lines[1].startswith("2,Volkov,c-1,case 12,as-printed,Volkov,,latin,")
    assert lines[2].startswith("2,Volkov,c-1,case 12,other-script,Волков,,prosecutor,")


def test_jsonl_and_html(names_index: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    code, out = screen(
        names_index, names_file(tmp_path, "Вашингтон\n"), "--format", "jsonl", "--html", str(report)
    )
    (line,) = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and line["name"] == "Вашингтон" and line["more"] == 0
    (hit,) = line["hits"]
    assert (hit["tier"], hit["form"], hit["id"], hit["page"]) == (
        "other-script", "Washington", "latin", 1
    )  # fmt: skip
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert 'href="http://127.0.0.1:8000/page/latin/1?q=Washington"' in page
    assert "<b>Washington</b>" in page and "<script" not in page


def test_a_watchlist_reports_only_what_is_new(names_index: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    shutil.copytree(names_index, index)
    first = names_file(tmp_path, "Volkov\n")
    assert screen(index, first, "--watch", "case-12")[1].splitlines()[0] == "Volkov: 3 pages"
    code, again = screen(index, first, "--watch", "case-12")
    assert (code, again) == (11, "Volkov: no pages (3 reported before)\n")
    # a name added to the list is reported in full
    both = names_file(tmp_path, "Volkov\nVolkova\n")
    assert screen(index, both, "--watch", "case-12")[1].splitlines()[1] == "Volkova: 3 pages"
    assert screen(index, both, "--watch", "case/..")[0] == 3  # not a watchlist name


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "names.txt", "the list is empty (one name per line, or a CSV file)"),
        (
            b"a,b\n1,2\n",
            "list.csv",
            "no name column (it has 'a', 'b'); call the column of names 'name'",
        ),
        (b"A\n\n# only a comment\n", "names.txt", "the list holds no name to screen"),
        (b"\xe5sa\n", "names.txt", "the list holds no name to screen"),
    ],
)
def test_a_list_that_cannot_be_read_is_one_line_and_exit_12(
    names_index: Path, tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("screen", str(path), "--index", str(names_index))
    assert result.exit_code == 12
    assert result.output.endswith(f"pubsearch: {path}: {message}\n")


def test_lines_that_are_no_names_are_skipped_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_bytes(b"Volkov V. L.\n" + b"x" * 10_000 + b"\nB\n\xff\xfe\nIvanova\n")
    assert list(read_names(path)) == [
        ListedName(line=1, name="Volkov V. L."),
        Skipped(line=2, reason="longer than 200 characters"),
        Skipped(line=3, reason="not a name: 'B'"),
        Skipped(line=4, reason="not UTF-8 (save the list as UTF-8)"),
        ListedName(line=5, name="Ivanova"),
    ]


def test_name_helpers() -> None:
    assert name_words("Volkov V. L.") == ["Volkov"] and name_words("V.L. Волков") == ["Волков"]
    assert other_forms("Volkov") == ["Volkova"] and other_forms("Петрова") == ["Петров"]
    assert other_forms("Ivanovski") == ["Ivanovska"]
    assert distance("Volkov", "Volkow") == 1 and distance("Volkov", "Volvo") == 2


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_as_a_list_or_refused_with_our_error(data: bytes) -> None:
    try:
        items = list(read_names("list.txt", data))
    except NameListError as exc:
        assert str(exc).startswith("list.txt: ") and "\n" not in str(exc)
        return
    assert any(isinstance(item, ListedName) for item in items)
    assert all(isinstance(item, ListedName | Skipped) for item in items)
