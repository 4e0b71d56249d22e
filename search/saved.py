"""Saved queries and watchlists: re-run them after each index run and see what is new.

Stored beside the index in ``saved.json``: per name, the query, whether it is searched
``exact``, when it last ran, and the pages (``id#page``) it found then. A saved query re-runs
exactly as it was saved: never replaced by a correction; pages lacking some of its words
(``missing``) are among its hits unless it was saved ``exact``.

A watchlist is a list of names screened again and again (``pubsearch screen LIST --watch
NAME``): ``watchlists/NAME.json`` beside the index keeps, per listed name, the pages its runs
reported, so the next run reports only the pages they did not.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.index import schema as s
from search.errors import BadOptionError
from search.query import syntax as q
from search.results.export import export_pages

SAVED_FILE = "saved.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedRun:
    """The outcome of re-running one saved query.

    hits: every matching page (export rows), each with ``"new": True`` when the previous
    run of this query did not find it; previous_run: when that was ('' the first time).
    """

    name: str
    query: str
    previous_run: str
    hits: tuple[dict[str, Any], ...]

    @property
    def new(self) -> int:
        return sum(1 for h in self.hits if h["new"])


def _load(index_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((index_dir / SAVED_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BadOptionError(f"{index_dir / SAVED_FILE}: unreadable ({exc})") from exc
    return data if isinstance(data, dict) else {}


def _store(index_dir: Path, data: dict[str, dict[str, Any]]) -> None:
    tmp = index_dir / (SAVED_FILE + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(index_dir / SAVED_FILE)


def add(index_dir: Path, name: str, query: str, exact: bool = False) -> None:
    """Save `query` as `name` (replacing a query of that name); it must parse. `exact`:
    only pages with every word (see :func:`search.results.planner.plan`)."""
    s.open_index(index_dir)  # a clear error when there is no index
    q.parse(query)
    data = _load(index_dir)
    data[name] = {"query": query, "exact": exact, "last_run": "", "seen": []}
    _store(index_dir, data)


def remove(index_dir: Path, name: str) -> None:
    data = _load(index_dir)
    if data.pop(name, None) is None:
        raise BadOptionError(f"no saved query {name!r} (see `pubsearch saved list`)")
    _store(index_dir, data)


def saved(index_dir: Path) -> dict[str, str]:
    """name -> query text."""
    return {name: str(entry["query"]) for name, entry in _load(index_dir).items()}


def run_saved(index_dir: Path, names: list[str] | None = None) -> list[SavedRun]:
    """Re-run saved queries (all, or `names`), mark hits not seen last time, remember them."""
    data = _load(index_dir)
    unknown = [n for n in names or [] if n not in data]
    if unknown:
        raise BadOptionError(f"no saved query {unknown[0]!r} (see `pubsearch saved list`)")
    runs = []
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for name in names or sorted(data):
        entry = data[name]
        seen = set(entry.get("seen", []))
        hits = []
        exact = bool(entry.get("exact", False))
        for row in export_pages(index_dir, entry["query"], exact=exact, correct=False).rows:
            key = f"{row['id']}#{row['page']}"
            hits.append({**row, "new": key not in seen})
        runs.append(
            SavedRun(
                name=name,
                query=entry["query"],
                previous_run=entry.get("last_run", ""),
                hits=tuple(hits),
            )
        )
        entry["seen"] = sorted(f"{h['id']}#{h['page']}" for h in hits)
        entry["last_run"] = now
    _store(index_dir, data)
    return runs


# ---------------------------------------------------------------- watchlists

WATCH_FOLDER = "watchlists"
_WATCH_NAME = re.compile(r"[\w.-]{1,64}")


def _watch_file(index_dir: Path, watch: str) -> Path:
    if not _WATCH_NAME.fullmatch(watch):
        raise BadOptionError(
            f"--watch: {watch!r} is not a watchlist name (letters, digits, '.', '-', '_')"
        )
    return index_dir / WATCH_FOLDER / f"{watch}.json"


def watch_known(index_dir: Path, watch: str) -> dict[str, list[str]]:
    """The pages the watchlist `watch` reported so far, per listed name (none yet: {})."""
    path = _watch_file(index_dir, watch)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BadOptionError(f"{path}: unreadable ({exc}); remove it to start anew") from exc
    reported = data.get("reported", {}) if isinstance(data, dict) else {}
    return {str(k): [str(x) for x in v] for k, v in reported.items() if isinstance(v, list)}


def watch_update(index_dir: Path, watch: str, reported: dict[str, list[str]]) -> None:
    """Add `reported` (per listed name, the pages this run reported) to the watchlist."""
    path = _watch_file(index_dir, watch)
    known = watch_known(index_dir, watch)
    for name, keys in reported.items():
        known[name] = sorted(set(known.get(name, [])) | set(keys))
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = {"last_run": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "reported": known}
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
