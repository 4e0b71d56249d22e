"""Lists of names to screen (``pubsearch screen LIST``), read as a stream.

A list is a text file of one name per line, or a CSV file with a column of names
(``name``, or ``full_name``, ``fullname``, ``person``, ``entity``, ``namn``, ``имя``,
``име``; any case) and optional ``id`` and ``notes`` columns that the results carry along.
A file whose name ends in ``.csv``, or whose first line holds a comma and one of those
column names, is read as CSV. Lines are read one at a time, so a list of 100,000 names
takes no more memory than one of ten.

What cannot be a name is skipped with its line number and reason (:class:`Skipped`): a
line that is not UTF-8, a name with fewer than two letters, a line of more than
:data:`MAX_NAME_CHARS` characters (blank lines and ``#`` comments are passed over). What
makes the whole list unreadable raises :class:`~search.errors.NameListError` with one line
that says what and where: an empty file, a CSV without a name column (naming the columns it
has), a list with no name at all (say, a Latin-1 file: every line skipped).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.errors import NameListError

__all__ = ["MAX_NAME_CHARS", "ListedName", "Skipped", "read_names"]

#: A longer line is not a name (a pasted paragraph, a broken CSV quote).
MAX_NAME_CHARS = 200
NOT_UTF8 = "not UTF-8 (save the list as UTF-8)"
NAME_COLUMNS = ("name", "full_name", "fullname", "full name", "person", "entity", "namn",
                "имя", "име")  # fmt: skip
ID_COLUMNS = ("id", "ref", "reference")
NOTES_COLUMNS = ("notes", "note", "comment", "comments")


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedName:
    """One name of the list: its `line` (1-based, in the file), the `name`, and the `id`
    and `notes` columns of a CSV list (empty otherwise)."""

    line: int
    name: str
    id: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """A line of the list that is not screened, and why."""

    line: int
    reason: str


def _lines(source: Path | str, data: bytes | None) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of each line, decoded as UTF-8 (text None: a line that is not)."""
    with io.BytesIO(data) if data is not None else Path(source).open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
            yield number, text.rstrip("\r\n")


def _check(number: int, name: str) -> ListedName | Skipped:
    name = " ".join(name.split())
    if len(name) > MAX_NAME_CHARS:
        return Skipped(line=number, reason=f"longer than {MAX_NAME_CHARS} characters")
    if sum(c.isalpha() for c in name) < 2:
        return Skipped(line=number, reason=f"not a name: {name!r}" if name else "no name")
    return ListedName(line=number, name=name)


def _is_csv(source: Path | str, first: str) -> bool:
    if str(source).lower().endswith(".csv"):
        return True
    columns = [c.strip().lower() for c in first.split(",")]
    return len(columns) > 1 and any(c in NAME_COLUMNS for c in columns)


def _column(header: list[str], wanted: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(w) for w in wanted if w in lowered), None)


def read_names(source: Path | str, data: bytes | None = None) -> Iterator[ListedName | Skipped]:
    """The names of the list at `source` (or in `data`, named `source`, as the web page
    passes a pasted list), one at a time, with the lines skipped and why."""
    lines = _lines(source, data)
    first = next(lines, None)
    if first is None:
        raise NameListError(f"{source}: the list is empty (one name per line, or a CSV file)")
    found = 0
    if _is_csv(source, first[1] or ""):
        if first[1] is None:
            raise NameListError(f"{source}: line 1 is not UTF-8; save the list as UTF-8")
        rows = csv.reader(
            text if text is not None else "\ufffd" for _, text in _chain(first, lines)
        )
        header = next(rows)
        name_at = _column(header, NAME_COLUMNS)
        if name_at is None:
            has = ", ".join(repr(h) for h in header) or "none"
            raise NameListError(
                f"{source}: no name column (it has {has}); call the column of names 'name'"
            )
        id_at, notes_at = _column(header, ID_COLUMNS), _column(header, NOTES_COLUMNS)
        for row in rows:
            number = rows.line_num
            if not row or row[0].startswith("#"):
                continue
            if "\ufffd" in "".join(row):
                yield Skipped(line=number, reason=NOT_UTF8)
                continue
            checked = _check(number, row[name_at] if name_at < len(row) else "")
            if isinstance(checked, ListedName):
                found += 1
                checked = ListedName(
                    line=number,
                    name=checked.name,
                    id=row[id_at].strip() if id_at is not None and id_at < len(row) else "",
                    notes=row[notes_at].strip()
                    if notes_at is not None and notes_at < len(row)
                    else "",
                )
            yield checked
    else:
        for number, text in _chain(first, lines):
            if text is None:
                yield Skipped(line=number, reason=NOT_UTF8)
                continue
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            checked = _check(number, text)
            found += isinstance(checked, ListedName)
            yield checked
    if not found:
        raise NameListError(f"{source}: the list holds no name to screen")


def _chain(
    first: tuple[int, str | None], rest: Iterator[tuple[int, str | None]]
) -> Iterator[tuple[int, str | None]]:
    yield first
    yield from rest
