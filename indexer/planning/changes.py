"""What a run has to do: sources, the diff against the index, ids, and retry policy.

1. :func:`plan_sources` lists what to index (catalog entries, or PDFs under paths);
2. :func:`diff` compares them with the file records the index holds: new, changed
   (content hash), renamed/moved (same hash, new path), removed, unchanged (size and
   mtime unchanged: not even hashed), each a :class:`~indexer.model.Change`;
3. :class:`RetryPolicy` says which unchanged files are read again, and
   :func:`usable_cache_hit` which cached extractions can be trusted.

Ids: a catalog entry's id is its own, and reserved before any other is given; a PDF
outside the catalog keeps the id its record has, else gets one from its file name, made
distinct by :class:`IdAllocator` when a catalog entry or another publication has it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer.errors import PathNameError, PathNotFoundError, is_utf8, shown
from indexer.extraction.cache import ExtractionCache
from indexer.model import (
    LIMIT_REASONS,
    CatalogEntry,
    Change,
    Extraction,
    FileRecord,
    Limits,
    OcrMode,
    OcrSettings,
    Origin,
    Reason,
    Source,
    Status,
    Step,
)
from indexer.planning.catalog import iter_pdfs, load_catalog


def slugify(text: str) -> str:
    """A lower-case id from a file name: letters and digits joined by single dashes."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "-", text).strip("-") or "document"


def catalog_entries(catalog: Path | None) -> list[CatalogEntry]:
    """The entries of the catalog file `catalog` (none without one)."""
    return load_catalog(catalog) if catalog is not None else []


def plan_sources(paths: Sequence[Path], entries: Sequence[CatalogEntry]) -> list[Source]:
    """What to index: the catalog's `entries` when no path is given; else the PDFs under
    `paths` (files or folders), each linked to its catalog entry when the catalog lists it."""
    if not paths:
        return [Source(path=e.pdf, entry=e) for e in entries]
    by_file = {e.pdf.resolve(): e for e in entries if e.pdf is not None}
    check_paths(paths)
    sources: list[Source] = []
    seen: set[Path] = set()
    for given in paths:
        for pdf in iter_pdfs(given):
            key = Path(os.path.abspath(pdf))
            if key not in seen:
                seen.add(key)
                sources.append(Source(path=pdf, entry=by_file.get(pdf.resolve())))
    return sources


def check_paths(paths: Sequence[Path]) -> None:
    """Raise :class:`~indexer.errors.PathNotFoundError` for the first path that does not
    exist, :class:`~indexer.errors.PathNameError` for the first PDF (given, or found in a
    given folder) whose name is not valid UTF-8: usage errors, before anything is written."""
    for given in paths:
        if not given.exists():
            raise PathNotFoundError(shown(given))
    for given in paths:
        names = iter_pdfs(given) if is_utf8(given) else iter((given,))
        bad = next((pdf for pdf in names if not is_utf8(pdf)), None)
        if bad is not None:
            raise PathNameError(shown(bad))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(slots=True)
class IdAllocator:
    """Publication ids for PDFs outside the catalog: the wanted id, else (when another
    publication or a catalog entry has it) the wanted id with a short hash of the source
    key, longer if need be: the same for the same file and ids, run after run."""

    taken: set[str] = field(default_factory=set)

    def allocate(self, wanted: str, key: str) -> str:
        digest = hashlib.sha1(key.encode()).hexdigest()
        candidates = itertools.chain(
            [wanted],
            (f"{wanted}-{digest[:n]}" for n in range(6, len(digest) + 1, 2)),
            (f"{wanted}-{digest}-{n}" for n in itertools.count(2)),
        )
        candidate = next(c for c in candidates if c not in self.taken)
        self.taken.add(candidate)
        return candidate


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Whether an unchanged file is read again: when OCR can now read pages it was not
    asked to (or could not), when it failed and ``--retry-failed`` is given, or when it
    was encrypted and passwords are given."""

    ocr: OcrSettings
    retry_failed: bool = False
    have_passwords: bool = False

    def __call__(self, record: FileRecord) -> bool:
        if (
            self.ocr.runs
            and record.status is not Status.FAILED
            and (
                (record.needs_ocr > 0 and (record.ocr_mode == OcrMode.OFF or self.retry_failed))
                or (self.ocr.mode is OcrMode.FORCE and record.ocr_mode != OcrMode.FORCE)
            )
        ):
            return True
        return record.status in (Status.FAILED, Status.PARTIAL) and (
            self.retry_failed or (record.reason is Reason.ENCRYPTED and self.have_passwords)
        )


def never(record: FileRecord) -> bool:
    return False


def _in_scope(abspath: str, roots: Sequence[Path]) -> bool:
    return any(abspath == str(r) or abspath.startswith(str(r) + os.sep) for r in roots)


def diff(
    sources: Sequence[Source],
    records: dict[str, FileRecord],
    *,
    paths: Sequence[Path] = (),
    retry: Callable[[FileRecord], bool] = never,
    catalog_ids: Collection[str] = (),
) -> list[Change]:
    """Compare planned sources with the index's file records.

    Unchanged files (same size and mtime) are not hashed. A new path whose content hash
    matches a record whose file is gone is a rename. Records in scope (the catalog's when
    no path is given, else those under `paths`) that no source matches are removed.
    `retry(record)` says whether an unchanged file should be read again.

    Catalog ids (`catalog_ids`, the sources' entries', the catalog records') are reserved
    first: a PDF outside the catalog never gets one, and one indexed under an id that a
    catalog entry has since taken moves to an id of its own (a ``rekey`` step, first).
    """
    records, changes = _rekeyed(sources, records, catalog_ids)
    by_id = {r.id: r for r in records.values() if r.source is Origin.CATALOG}
    ids = IdAllocator({r.id for r in records.values()} | _reserved(sources, records, catalog_ids))
    matched: set[str] = set()
    new: list[_NewFile] = []
    for source in sources:
        prev = records.get(source.key)
        if prev is None and source.entry is not None and source.entry.id in by_id:
            prev = by_id[source.entry.id]  # the catalog moved this entry's file
        if prev is not None:
            matched.add(prev.key)
        change = _known(source, prev, retry)
        if change is not None:
            changes.append(change)
        else:
            assert source.path is not None
            stat = source.path.stat()
            new.append(_NewFile(source, stat.st_size, stat.st_mtime_ns, file_sha256(source.path)))
    changes += _added_or_renamed(new, records, matched, ids)
    changes += _removed(records, matched, paths)
    return changes


@dataclass(frozen=True, slots=True)
class _NewFile:
    """A planned PDF that no record has under its key: added, or a renamed file."""

    source: Source
    size: int
    mtime_ns: int
    sha256: str


def _known(
    source: Source, prev: FileRecord | None, retry: Callable[[FileRecord], bool]
) -> Change | None:
    """The change of a catalog entry without a file, a file that is gone, or a file
    indexed under the same key; None for a file the index has no record of by key."""
    if source.path is None:
        assert source.entry is not None
        if prev is not None and prev.meta_hash == source.meta_hash:
            step = Step.UNCHANGED
        else:
            step = Step.UPDATE if prev else Step.ADD
        return Change(step=step, source=source, record=prev, id=source.entry.id)
    try:
        stat = source.path.stat()
    except OSError:
        pub_id = prev.id if prev else ""
        return Change(step=Step.MISSING, source=source, record=prev, id=pub_id)
    if prev is None or prev.key != source.key:
        return None
    size, mtime = stat.st_size, stat.st_mtime_ns
    same_meta = prev.meta_hash == source.meta_hash
    if prev.size == size and prev.mtime_ns == mtime and same_meta and not retry(prev):
        step, sha = Step.UNCHANGED, prev.sha256
    else:
        sha = file_sha256(source.path)
        same = sha == prev.sha256 and same_meta and not retry(prev)
        step = Step.TOUCH if same else Step.UPDATE
    return Change(
        step=step, source=source, record=prev, id=prev.id, size=size, mtime_ns=mtime, sha256=sha
    )


def _added_or_renamed(
    new: Sequence[_NewFile],
    records: dict[str, FileRecord],
    matched: set[str],
    ids: IdAllocator,
) -> list[Change]:
    """New paths: a rename when the content hash is that of a record whose file is gone
    (outside the catalog), else an addition with an id of its own."""
    gone = {
        r.sha256: r
        for r in records.values()
        if r.key not in matched and r.sha256 and not Path(r.abspath).exists()
    }
    changes = []
    for found in new:
        source = found.source
        moved = gone.pop(found.sha256, None)
        if moved is not None and source.entry is None:
            matched.add(moved.key)
            step, record, pub_id = Step.RENAME, moved, moved.id
        else:
            assert source.path is not None
            wanted = source.entry.id if source.entry else slugify(source.path.stem)
            step, record = Step.ADD, None
            pub_id = wanted if source.entry else ids.allocate(wanted, source.key)
        changes.append(
            Change(
                step=step,
                source=source,
                record=record,
                id=pub_id,
                size=found.size,
                mtime_ns=found.mtime_ns,
                sha256=found.sha256,
            )
        )
    return changes


def _removed(
    records: dict[str, FileRecord], matched: set[str], paths: Sequence[Path]
) -> list[Change]:
    """Records in scope (the catalog's when no path is given, else those under `paths`)
    that no source matched and whose file is gone."""
    roots = [Path(os.path.abspath(p)) for p in paths]
    changes = []
    for record in records.values():
        if record.key in matched:
            continue
        in_scope = _in_scope(record.abspath, roots) if roots else record.source is Origin.CATALOG
        if in_scope and not (roots and Path(record.abspath).exists()):
            changes.append(Change(step=Step.REMOVE, source=None, record=record, id=record.id))
    return changes


def _reserved(
    sources: Sequence[Source], records: dict[str, FileRecord], catalog_ids: Collection[str]
) -> set[str]:
    """The ids of the catalog: its entries' and those of the catalog records."""
    reserved = set(catalog_ids) | {s.entry.id for s in sources if s.entry is not None}
    return reserved | {r.id for r in records.values() if r.source is Origin.CATALOG}


def _rekeyed(
    sources: Sequence[Source], records: dict[str, FileRecord], catalog_ids: Collection[str]
) -> tuple[dict[str, FileRecord], list[Change]]:
    """The records with a new id for each PDF outside the catalog whose id a catalog entry
    has (not an entry for that very file), and the ``rekey`` steps that move them."""
    reserved = _reserved(sources, records, catalog_ids)
    own = {s.key: s.entry.id for s in sources if s.entry is not None}
    ids = IdAllocator({r.id for r in records.values()} | reserved)
    out, changes = dict(records), []
    for record in sorted(records.values(), key=lambda r: r.key):
        if (
            record.source is Origin.PATH
            and record.id in reserved
            and own.get(record.key) != record.id
        ):
            moved = replace(record, id=ids.allocate(record.id, record.key))
            out[record.key] = moved
            changes.append(Change(step=Step.REKEY, source=None, record=record, id=moved.id))
    return out, changes


def usable_cache_hit(
    cache: ExtractionCache,
    sha256: str,
    *,
    limits: Limits,
    have_passwords: bool,
    retry_failed: bool,
) -> Extraction | None:
    """A cache entry to trust: complete, or failed in a way that would fail again (not a
    limit that was raised since or that ``--retry-failed`` asks to try again, not an
    encrypted file when passwords are given)."""
    hit = cache.get(sha256)
    if hit is None:
        return None
    reasons = {p.reason for p in hit.pages if p.error}
    if hit.failure is not None:
        reasons.add(hit.failure.reason)
    if reasons & LIMIT_REASONS and (retry_failed or raised(hit.limits, limits)):
        return None
    if hit.failure is not None and hit.failure.reason is Reason.ENCRYPTED and have_passwords:
        return None
    return hit


def worse_than_cached(cache: ExtractionCache, sha256: str, extraction: Extraction) -> bool:
    """Whether the cache holds a reading of the file that got more pages than
    `extraction` (a retry that fared worse does not replace it)."""
    hit = cache.get(sha256)
    return hit is not None and _pages_read(hit) > _pages_read(extraction)


def _pages_read(extraction: Extraction) -> int:
    if extraction.failure is not None or extraction.info is None:
        return 0
    return sum(1 for p in extraction.pages if not p.error)


def raised(old: Limits, new: Limits) -> bool:
    """Whether any extraction limit is larger in `new` than in `old` (0: no limit)."""
    pairs = (
        (old.timeout, new.timeout),
        (old.page_timeout, new.page_timeout),
        (float(old.memory_mb), float(new.memory_mb)),
    )
    return any((o > 0 and n <= 0) or (n > 0 and o > 0 and n > o) for o, n in pairs)
