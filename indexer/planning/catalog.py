"""The corpus catalog (``corpus/catalog.toml``) -> :class:`~indexer.model.CatalogEntry` records.

A catalog lists publications with their metadata and, for those with a PDF, the file name
relative to the catalog's ``pdf/`` folder.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

from indexer.errors import CatalogError
from indexer.model import CatalogEntry

__all__ = ["CATALOG_ENV", "CatalogEntry", "default_catalog", "iter_pdfs", "load_catalog"]

CATALOG_ENV = "PUBSEARCH_CATALOG"
_REQUIRED = ("id", "title")


def default_catalog() -> Path:
    """``$PUBSEARCH_CATALOG``, else ``corpus/catalog.toml`` in the current folder, else the
    one bundled beside the installed packages."""
    env = os.environ.get(CATALOG_ENV)
    if env:
        return Path(env)
    local = Path("corpus") / "catalog.toml"
    if local.is_file():
        return local
    return Path(__file__).resolve().parent.parent / "corpus" / "catalog.toml"


def _entry(raw: object, folder: Path, where: str) -> CatalogEntry:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a table of fields")
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CatalogError(f"{where}: missing or empty `{key}`")
    year = raw.get("year")
    if year is not None and not isinstance(year, int):
        raise CatalogError(f"{where} ({raw['id']}): `year` must be an integer")
    file = raw.get("file")
    return CatalogEntry(
        id=raw["id"].strip(),
        title=raw["title"].strip(),
        subtitle=raw.get("subtitle") or None,
        authors=tuple(raw.get("authors") or ()),
        year=year,
        type=(raw.get("type") or None),
        languages=tuple(raw.get("languages") or ()),
        description=" ".join(str(raw.get("description") or "").split()) or None,
        pdf=folder / "pdf" / file if file else None,
    )


def load_catalog(path: Path) -> list[CatalogEntry]:
    """Read and validate a catalog file; ids must be unique."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: catalog not found (give PDF paths or --catalog)") from exc
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read catalog: {exc}") from exc
    raw_entries = data.get("publication")
    if not isinstance(raw_entries, list):
        raise CatalogError(f"{path}: no [[publication]] entries")
    entries = [
        _entry(raw, path.parent, f"{path}: publication #{n}")
        for n, raw in enumerate(raw_entries, start=1)
    ]
    seen: set[str] = set()
    files: dict[Path, CatalogEntry] = {}
    for entry in entries:
        if entry.id in seen:
            raise CatalogError(f"{path}: duplicate publication id {entry.id!r}")
        seen.add(entry.id)
        if entry.pdf is not None:
            other = files.setdefault(entry.pdf.resolve(), entry)
            if other is not entry:
                raise CatalogError(
                    f"{path}: publications {other.id!r} and {entry.id!r} name the same PDF "
                    f"{entry.pdf.name}"
                )
    return entries


def iter_pdfs(path: Path) -> Iterator[Path]:
    """`path` itself if it is a file, else every ``*.pdf`` (any case) below it, sorted."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
    else:
        yield path
