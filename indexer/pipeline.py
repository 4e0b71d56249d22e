"""Catalog/paths -> plan -> extract (workers, cache) -> normalize -> detect -> index.

:func:`index` is the front door and reads top to bottom like the data flow:

1. :func:`plan_sources` lists what to index (catalog entries, or PDFs under paths);
2. :func:`diff` compares them with the file records the index holds: new, changed (content
   hash), renamed/moved (same hash, new path), removed, unchanged (size and mtime
   unchanged: not even hashed);
3. files that need text are read from the extraction cache or extracted in worker
   processes (:mod:`indexer.workers`) under time and memory limits;
4. :func:`build_publication` normalizes, detects languages and makes the page records;
5. :func:`documents` turns them into Tantivy documents, written with commits every few
   files or seconds, so a killed run leaves the last commit searchable and the next run
   resumes from it.

A file that fails is recorded (and reported) with its reason; the run goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

import tantivy

from indexer import schema as s
from indexer import variants
from indexer.cache import Extraction, ExtractionCache, default_cache_dir
from indexer.catalog import CatalogEntry, iter_pdfs, load_catalog
from indexer.errors import SchemaVersionError
from indexer.lock import index_lock
from indexer.normalize import (
    CleanText,
    TextQuality,
    for_language,
    normalize_document,
    unnormalized_document,
)
from indexer.records import OcrOutcome, OcrPage, OcrPlan, PdfInfo, RawPage
from indexer.workers import (
    DEFAULT_MEMORY_MB,
    DEFAULT_OCR_TIMEOUT,
    DEFAULT_PAGE_TIMEOUT,
    DEFAULT_TIMEOUT,
)

#: Commit after this many files or seconds, whichever comes first.
COMMIT_EVERY_FILES = 20
COMMIT_EVERY_SECONDS = 10.0


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to index.

    path: the PDF path as it will be shown (as given, or catalog folder + file name);
        None for a catalog entry without a PDF.
    entry: the catalog entry it belongs to, or None for a PDF outside the catalog.
    """

    path: Path | None
    entry: CatalogEntry | None

    @property
    def key(self) -> str:
        """Identity in the index: the absolute path, or ``catalog:<id>`` without a PDF."""
        if self.path is None:
            assert self.entry is not None
            return f"catalog:{self.entry.id}"
        return str(self.path.resolve())

    @property
    def meta_hash(self) -> str:
        """Changes when the catalog's metadata for this source changes."""
        if self.entry is None:
            return ""
        data = json.dumps(asdict(self.entry), default=str, sort_keys=True)
        return hashlib.sha1(data.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Publication:
    """Publication-level fields copied onto every page document."""

    id: str
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    year: int | None
    type: str | None
    languages: tuple[str, ...]
    description: str | None
    path: str
    abspath: str
    sha256: str
    page_count: int


@dataclass(frozen=True, slots=True)
class Page:
    """One page ready to index.

    number: 1-based page number (0 for the one document of an entry without a PDF).
    text: normalized text ('' when the page has no usable text).
    language: analyzer code (key of :data:`indexer.schema.LANGUAGES`).
    quality: ok / empty / unmapped / garbled / error / none (of the OCR text when OCR read it).
    error: why the page could not be read, or None.
    ocr: "done" (the text came from OCR), "needed" (no usable text and no OCR), or "".
    ocr_confidence: mean OCR word confidence 0-100 when OCR'd.
    """

    number: int
    text: str
    language: str
    quality: str
    error: str | None = None
    ocr: str = ""
    ocr_confidence: float | None = None


Status = Literal["indexed", "partial", "no-text", "failed", "metadata"]
Origin = Literal["catalog", "path"]


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the index holds about one source: one "file" document per source.

    status: indexed (every page read), partial (some pages failed: `failed_pages`),
        no-text (readable but no page has text: needs OCR), failed (`reason`, `detail`),
        metadata (a catalog entry without a PDF).
    size, mtime_ns: as on disk when indexed; unchanged values mean the file is unchanged.
    """

    key: str
    id: str
    path: str
    abspath: str
    size: int
    mtime_ns: int
    sha256: str
    status: Status
    reason: str
    detail: str
    failed_pages: tuple[int, ...]
    source: Origin
    meta_hash: str
    page_count: int
    needs_ocr: int = 0  # pages with no usable text that were not read with OCR
    ocr_mode: str = ""  # the --ocr mode the file was indexed with


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not be indexed: path, reason code, and a human detail."""

    path: str
    reason: str
    detail: str


Action = Literal["added", "updated", "renamed", "removed", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class FileEvent:
    """What happened to one file in a run (sent to the progress callback and reported).

    action: added / updated / renamed / removed / unchanged / failed.
    pages: pages written for it; pages_without_text: of those, pages with no text;
    failed_pages: pages that could not be read (with `detail` saying why).
    previous_path: for renamed files, the old path.
    """

    action: Action
    path: str
    id: str
    pages: int = 0
    pages_without_text: int = 0
    failed_pages: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    reason: str = ""
    detail: str = ""
    previous_path: str = ""
    from_cache: bool = False
    ocr_pages: int = 0  # pages whose text came from OCR
    needs_ocr: int = 0  # pages with no usable text left without OCR
    ocr_seconds: float = 0.0  # time spent reading pages (0 when all came from the cache)


@dataclass(frozen=True, slots=True)
class IndexReport:
    """The outcome of one index run."""

    events: tuple[FileEvent, ...]
    seconds: float
    index_dir: str
    notes: tuple[str, ...] = ()  # things the user should know, e.g. how to get OCR working

    def count(self, action: Action) -> int:
        return sum(1 for e in self.events if e.action == action)

    @property
    def failures(self) -> tuple[Failure, ...]:
        return tuple(
            Failure(e.path, e.reason, e.detail) for e in self.events if e.action == "failed"
        )

    @property
    def partial(self) -> tuple[FileEvent, ...]:
        return tuple(e for e in self.events if e.failed_pages and e.action != "failed")

    @property
    def files(self) -> tuple[FileEvent, ...]:
        """Files whose pages were written in this run."""
        return tuple(e for e in self.events if e.action in ("added", "updated", "renamed"))

    @property
    def pages(self) -> int:
        return sum(e.pages for e in self.files)

    @property
    def pages_without_text(self) -> int:
        return sum(e.pages_without_text for e in self.files)

    @property
    def ocr_pages(self) -> int:
        return sum(e.ocr_pages for e in self.files)

    @property
    def needs_ocr(self) -> int:
        return sum(e.needs_ocr for e in self.files)

    @property
    def ok(self) -> bool:
        return not self.failures


ProgressCallback = Callable[[FileEvent], None]


# ---------------------------------------------------------------- planning


def slugify(text: str) -> str:
    """A lower-case id from a file name: letters and digits joined by single dashes."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "-", text).strip("-") or "document"


def plan_sources(paths: Sequence[Path], catalog: Path | None) -> list[Source]:
    """What to index: the catalog's entries when no path is given; else the PDFs under
    `paths` (files or folders), each linked to its catalog entry when the catalog lists it."""
    entries = load_catalog(catalog) if catalog is not None else []
    if not paths:
        return [Source(e.pdf, e) for e in entries]
    by_file = {e.pdf.resolve(): e for e in entries if e.pdf is not None}
    sources: list[Source] = []
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            sources.append(Source(given, None))  # reported as a failure, run goes on
            continue
        for pdf in iter_pdfs(given):
            key = pdf.resolve()
            if key not in seen:
                seen.add(key)
                sources.append(Source(pdf, by_file.get(key)))
    return sources


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    """One planned step: what to do with a source (or, for `removed`, a record)."""

    action: Literal["add", "update", "rename", "touch", "unchanged", "remove", "missing"]
    source: Source | None
    record: FileRecord | None
    id: str
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""


@dataclass(slots=True)
class _Ids:
    taken: set[str] = field(default_factory=set)

    def allocate(self, wanted: str, key: str) -> str:
        candidate = wanted
        if candidate in self.taken:
            candidate = f"{wanted}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
        self.taken.add(candidate)
        return candidate


def _in_scope(abspath: str, roots: Sequence[Path]) -> bool:
    return any(abspath == str(r) or abspath.startswith(str(r) + os.sep) for r in roots)


def diff(
    sources: Sequence[Source],
    records: dict[str, FileRecord],
    paths: Sequence[Path],
    retry: Callable[[FileRecord], bool] = lambda r: False,
) -> list[Change]:
    """Compare planned sources with the index's file records.

    Unchanged files (same size and mtime) are not hashed. A new path whose content hash
    matches a record whose file is gone is a rename. Records in scope (the catalog's when
    no path is given, else those under `paths`) that no source matches are removed.
    `retry(record)` says whether an unchanged failed file should be tried again.
    """
    by_id = {r.id: r for r in records.values()}
    ids = _Ids(set(by_id))
    changes: list[Change] = []
    matched: set[str] = set()
    new: list[tuple[Source, int, int, str]] = []
    for source in sources:
        prev = records.get(source.key)
        if prev is None and source.entry is not None and source.entry.id in by_id:
            prev = by_id[source.entry.id]  # the catalog moved this entry's file
        if prev is not None:
            matched.add(prev.key)
        if source.path is None:
            assert source.entry is not None
            if prev is not None and prev.meta_hash == source.meta_hash:
                changes.append(Change("unchanged", source, prev, source.entry.id))
            else:
                changes.append(Change("update" if prev else "add", source, prev, source.entry.id))
            continue
        try:
            stat = source.path.stat()
        except OSError:
            changes.append(Change("missing", source, prev, prev.id if prev else ""))
            continue
        size, mtime = stat.st_size, stat.st_mtime_ns
        if prev is not None and prev.key == source.key:
            same_meta = prev.meta_hash == source.meta_hash
            if prev.size == size and prev.mtime_ns == mtime and same_meta and not retry(prev):
                changes.append(Change("unchanged", source, prev, prev.id, size, mtime, prev.sha256))
                continue
            sha = file_sha256(source.path)
            if sha == prev.sha256 and same_meta and not retry(prev):
                changes.append(Change("touch", source, prev, prev.id, size, mtime, sha))
            else:
                changes.append(Change("update", source, prev, prev.id, size, mtime, sha))
            continue
        new.append((source, size, mtime, file_sha256(source.path)))
    gone = {
        r.sha256: r
        for r in records.values()
        if r.key not in matched and r.sha256 and not Path(r.abspath).exists()
    }
    for source, size, mtime, sha in new:
        moved = gone.pop(sha, None)
        if moved is not None and source.entry is None:
            matched.add(moved.key)
            changes.append(Change("rename", source, moved, moved.id, size, mtime, sha))
            continue
        assert source.path is not None
        wanted = source.entry.id if source.entry else slugify(source.path.stem)
        pub_id = wanted if source.entry else ids.allocate(wanted, source.key)
        changes.append(Change("add", source, None, pub_id, size, mtime, sha))
    roots = [p.resolve() for p in paths]
    for record in records.values():
        if record.key in matched:
            continue
        in_scope = _in_scope(record.abspath, roots) if roots else record.source == "catalog"
        if in_scope and not (roots and Path(record.abspath).exists()):
            changes.append(Change("remove", None, record, record.id))
    return changes


# ---------------------------------------------------------------- building documents

_EXPORT_PREFIX = re.compile(
    r"^(microsoft (word|powerpoint|excel)|untitled|document\d*)\b\s*-?\s*", re.I
)
_FILE_NAME = re.compile(r"^[\w.\-]+\.(docx?|odt|rtf|pdf|xlsx?|pptx?|indd|qxd)$", re.I)
_LATIN1_LETTERS = re.compile(r"[\u00c0-\u00ff]")


def _plausible_title(text: str | None) -> bool:
    """A document-info title or a first-page line that reads like a title."""
    if not text:
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or len(text) > 200 or _FILE_NAME.match(text):
        return False
    if len(letters) < 0.5 * len(text.replace(" ", "")):
        return False  # mostly digits and punctuation: "Prop. 2012/13:144", "4 2 0"
    # Cyrillic or UTF-8 read as Latin-1 ("Ñâåäåíèÿ"): many accented Latin-1 letters.
    return len(_LATIN1_LETTERS.findall(text)) < 0.3 * len(letters)


def guess_title(info_title: str | None, first_page: str, file_stem: str) -> str:
    """A title for a PDF outside the catalog: its document-info title when that is a real
    title (not "Microsoft Word - 121314400", a file name or mojibake), else the first
    title-like block of the first page, else the file name."""
    if info_title:
        info_title = _EXPORT_PREFIX.sub("", info_title).strip()
        if _plausible_title(info_title) and len(info_title.split()) >= 2:
            return info_title
    for block in first_page.split("\n\n")[:6]:
        line = " ".join(block.split())
        if len(line.split()) >= 2 and _plausible_title(line):
            return line
    if _plausible_title(info_title):
        return str(info_title)
    return re.sub(r"[_\s]+", " ", file_stem).strip() or file_stem


def build_publication(
    source: Source,
    pub_id: str,
    sha256: str,
    info: PdfInfo,
    raw_pages: Sequence[RawPage],
    normalize: bool = True,
    ocr: Mapping[int, OcrPage] | None = None,
    needs_ocr: Collection[int] = (),
    cleaned: Sequence[CleanText] | None = None,
) -> tuple[Publication, list[Page]]:
    """Normalize and language-tag the extracted pages of one source (`normalize=False`:
    the evaluation ablation without text normalization).

    `ocr` holds what OCR read on some pages; it replaces their text layer before
    normalization, so OCR text is cleaned and language-tagged like any page. Pages in
    `needs_ocr` that OCR did not read are marked as still needing it. `cleaned`: the
    extracted pages already normalized (used when no OCR text replaces any of them)."""
    from indexer.language import detect_document  # langdetect: only when there is work

    entry = source.entry
    assert source.path is not None
    ocr = {n: o for n, o in (ocr or {}).items() if o.error is None}
    texts = [ocr[p.number].text if p.number in ocr else p.text for p in raw_pages]
    if not normalize:
        cleaned = unnormalized_document(texts)
    elif cleaned is None or ocr:
        cleaned = normalize_document(texts)
    declared = entry.languages if entry else ()
    guesses = detect_document([c.text for c in cleaned], declared)
    pages: list[Page] = []
    for raw, clean, guess in zip(raw_pages, cleaned, guesses, strict=True):
        quality = "error" if raw.error else str(clean.quality)  # of the OCR text, if OCR'd
        language = guess.code if clean.quality is TextQuality.OK else s.UNDETERMINED
        text = for_language(clean.text, language)
        read = ocr.get(raw.number)
        if read is not None:
            state, confidence = s.OCR_DONE, read.confidence
        else:
            state, confidence = (s.OCR_NEEDED if raw.number in needs_ocr else ""), None
        pages.append(Page(raw.number, text, language, quality, raw.error, state, confidence))
    detected = tuple(sorted({p.language for p in pages if p.text} - {s.UNDETERMINED}))
    first_text = next((p.text for p in pages if p.text), "")
    pub = Publication(
        id=pub_id,
        title=entry.title if entry else guess_title(info.title, first_text, source.path.stem),
        subtitle=entry.subtitle if entry else None,
        authors=entry.authors if entry else tuple(a for a in [info.author] if a),
        year=entry.year if entry else info.year,
        type=entry.type if entry else None,
        languages=entry.languages if entry else detected,
        description=entry.description if entry else None,
        path=str(source.path),
        abspath=str(source.path.resolve()),
        sha256=sha256,
        page_count=len(pages),
    )
    return pub, pages


def read_publication(
    source: Source, pub_id: str, passwords: Sequence[str] = ()
) -> tuple[Publication, list[Page]]:
    """Extract (in this process, no limits) and build one source: for tests and tools."""
    from indexer.extract import iter_pages

    assert source.path is not None
    infos: list[PdfInfo] = []
    raw_pages = list(iter_pages(source.path, passwords, infos.append))
    return build_publication(source, pub_id, file_sha256(source.path), infos[0], raw_pages)


def metadata_only(entry: CatalogEntry) -> Publication:
    """A catalog entry without a PDF (a film): indexed as one page-0 document."""
    return Publication(
        entry.id, entry.title, entry.subtitle, entry.authors, entry.year, entry.type,
        entry.languages, entry.description, "", "", "", 0,
    )  # fmt: skip


def documents(
    pub: Publication, pages: Sequence[Page], run: int = 0, analysis: str = s.STANDARD
) -> Iterator[tantivy.Document]:
    """The Tantivy documents for one publication: one per page, stamped with `run` (the
    index run that wrote them, for "what's new"), with the lookup terms of its text and
    title fields (:mod:`indexer.variants`) for an index of that `analysis`."""
    meta_langs = [c for c in pub.languages if c in s.LANGUAGES] or [s.UNDETERMINED]
    heading = " ".join(x for x in (pub.title, pub.subtitle) if x)
    for page in pages:
        doc = tantivy.Document()
        doc.add_text(s.F_KIND, s.KIND_PAGE)
        doc.add_text(s.F_ID, pub.id)
        doc.add_integer(s.F_PUB_KEY, s.pub_key(pub.id))
        doc.add_text(s.F_PATH, pub.path)
        doc.add_text(s.F_ABSPATH, pub.abspath)
        doc.add_text(s.F_SHA256, pub.sha256)
        doc.add_integer(s.F_PAGE, page.number)
        doc.add_integer(s.F_PAGE_COUNT, pub.page_count)
        doc.add_text(s.F_LANG, page.language)
        doc.add_text(s.F_QUALITY, page.quality)
        if page.ocr:
            doc.add_text(s.F_OCR, page.ocr)
        if page.ocr_confidence is not None:
            doc.add_float(s.F_OCR_CONFIDENCE, page.ocr_confidence)
        for code in pub.languages:
            doc.add_text(s.F_DOC_LANGS, code)
        doc.add_text(s.F_TITLE, pub.title)
        if pub.subtitle:
            doc.add_text(s.F_SUBTITLE, pub.subtitle)
        for author in pub.authors:
            doc.add_text(s.F_AUTHORS, author)
            doc.add_text(s.F_AUTHOR_FACET, author)
        doc.add_integer(s.F_RUN, run)
        if pub.year is not None:
            doc.add_integer(s.F_YEAR, pub.year)
        if pub.type:
            doc.add_text(s.F_TYPE, pub.type.lower())
        if pub.description:
            doc.add_text(s.F_DESCRIPTION, pub.description)
        sources = [(s.LANGUAGES[c].meta_field, c, for_language(heading, c)) for c in meta_langs]
        for name, _, text in sources:
            doc.add_text(name, text)
        if page.text:
            sources.append((s.text_field(page.language), page.language, page.text))
            doc.add_text(s.text_field(page.language), page.text)
        lookups = variants.lookup_text(sources, analysis)
        if lookups:
            doc.add_text(s.F_VARIANTS, lookups)
        yield doc


def record_document(record: FileRecord) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text(s.F_KIND, s.KIND_FILE)
    for name, value in (
        (s.F_KEY, record.key), (s.F_ID, record.id), (s.F_PATH, record.path),
        (s.F_ABSPATH, record.abspath), (s.F_SHA256, record.sha256), (s.F_STATUS, record.status),
        (s.F_REASON, record.reason), (s.F_DETAIL, record.detail), (s.F_SOURCE, record.source),
        (s.F_META_HASH, record.meta_hash), (s.F_OCR_MODE, record.ocr_mode),
        (s.F_FAILED_PAGES, ",".join(map(str, record.failed_pages))),
    ):  # fmt: skip
        doc.add_text(name, value)
    doc.add_integer(s.F_NEEDS_OCR, record.needs_ocr)
    doc.add_integer(s.F_SIZE, record.size)
    doc.add_integer(s.F_MTIME, record.mtime_ns)
    doc.add_integer(s.F_PAGE_COUNT, record.page_count)
    doc.add_integer(s.F_INDEXED_AT, int(time.time()))
    return doc


def load_records(index: tantivy.Index) -> dict[str, FileRecord]:
    """Every file record of the last commit, by key."""
    searcher = index.searcher()
    query = tantivy.Query.term_query(index.schema, s.F_KIND, s.KIND_FILE)
    records: dict[str, FileRecord] = {}
    limit = max(1, searcher.num_docs)
    for _, address in searcher.search(query, limit, count=False).hits:
        d = searcher.doc(address)

        def text(name: str, doc: tantivy.Document = d) -> str:
            return str(doc.get_first(name) or "")

        def number(name: str, doc: tantivy.Document = d) -> int:
            return int(doc.get_first(name) or 0)

        failed = tuple(int(n) for n in text(s.F_FAILED_PAGES).split(",") if n)
        record = FileRecord(
            text(s.F_KEY), text(s.F_ID), text(s.F_PATH), text(s.F_ABSPATH), number(s.F_SIZE),
            number(s.F_MTIME), text(s.F_SHA256), cast(Status, text(s.F_STATUS)),
            text(s.F_REASON), text(s.F_DETAIL), failed, cast(Origin, text(s.F_SOURCE)),
            text(s.F_META_HASH),
            number(s.F_PAGE_COUNT), number(s.F_NEEDS_OCR), text(s.F_OCR_MODE),
        )  # fmt: skip
        records[record.key] = record
    return records


# ---------------------------------------------------------------- the run


def _status(pages: Sequence[Page]) -> Status:
    if any(p.error for p in pages):
        return "partial"
    return "indexed" if any(p.text for p in pages) else "no-text"


def _page_failure_detail(pages: Sequence[Page], ocr: Mapping[int, OcrPage]) -> str:
    reasons: dict[str, list[int]] = {}
    for p in pages:
        if p.error:
            reasons.setdefault(str(p.error), []).append(p.number)
    for number, read in sorted(ocr.items()):
        if read.error:
            reasons.setdefault(f"OCR {read.error}", []).append(number)
    if not reasons:
        return ""
    return "; ".join(f"page {','.join(map(str, ns))}: {r}" for r, ns in reasons.items())


class _Writer:
    """An index writer that commits every few files or seconds."""

    def __init__(
        self, index: tantivy.Index, every_files: int, every_seconds: float, analysis: str
    ) -> None:
        self.writer = index.writer(heap_size=64_000_000, num_threads=1)
        self.analysis = analysis
        self.run = time.time_ns() // 1000  # stamped on every page this run writes (µs)
        self.every_files, self.every_seconds = every_files, every_seconds
        self.pending = 0
        self.last = time.monotonic()

    def changed(self) -> None:
        self.pending += 1
        if self.pending >= self.every_files or time.monotonic() - self.last >= self.every_seconds:
            self.commit()

    def commit(self) -> None:
        self.writer.commit()
        self.pending = 0
        self.last = time.monotonic()

    def delete_publication(self, pub_id: str) -> None:
        self.writer.delete_documents_by_term(s.F_ID, pub_id)

    def delete_record(self, index: tantivy.Index, key: str) -> None:
        self.writer.delete_documents_by_query(
            tantivy.Query.boolean_query(
                [
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.term_query(index.schema, s.F_KIND, s.KIND_FILE),
                    ),
                    (tantivy.Occur.Must, tantivy.Query.term_query(index.schema, s.F_KEY, key)),
                ]
            )
        )


def _open_for_writing(index_dir: Path, rebuild: bool, analysis: str) -> tuple[tantivy.Index, bool]:
    """(index, cleared): create it if absent; with `rebuild`, start it afresh."""
    exists = (index_dir / "meta.json").is_file()
    if exists and rebuild:
        try:
            return s.open_index(index_dir), True  # same schema: delete_all in the writer
        except SchemaVersionError:
            _clear(index_dir)
            return s.create_index(index_dir, analysis), False
    if exists:
        return s.open_index(index_dir), False
    return s.create_index(index_dir, analysis), False


def index(
    index_dir: Path,
    paths: Sequence[Path] = (),
    catalog: Path | None = None,
    passwords: Sequence[str] = (),
    rebuild: bool = False,
    on_file: ProgressCallback | None = None,
    on_plan: Callable[[int], None] | None = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    page_timeout: float = DEFAULT_PAGE_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    cache_dir: Path | None = None,
    retry_failed: bool = False,
    commit_every: int = COMMIT_EVERY_FILES,
    commit_seconds: float = COMMIT_EVERY_SECONDS,
    analysis: str = s.STANDARD,
    normalize: bool = True,
    ocr: str = "auto",
    ocr_timeout: float = DEFAULT_OCR_TIMEOUT,
) -> IndexReport:
    """Bring the index at `index_dir` up to date with the catalog (no `paths`) or with the
    PDFs under `paths`. Only what changed is extracted; see the module docstring.

    `on_plan(n)` is called with the number of files that need work, `on_file(event)` after
    each file. `ocr` is auto, off or force (see :func:`pages_needing_ocr`), with
    `ocr_timeout` seconds per page. `analysis` (for a new index) and `normalize` exist for
    evaluation ablations.
    Raises :class:`~indexer.errors.IndexLockedError` when another run holds the
    index.
    """
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr: expected one of {', '.join(OCR_MODES)}, not {ocr!r}")
    from indexer.ocr import engine

    cache_root = cache_dir or default_cache_dir()
    settings = OcrSettings(ocr, engine() is not None, str(cache_root), ocr_timeout)
    started = time.monotonic()
    with index_lock(index_dir):
        idx, clear = _open_for_writing(index_dir, rebuild, analysis)
        records = {} if (rebuild) else load_records(idx)
        sources = plan_sources(paths, catalog)

        def retry(record: FileRecord) -> bool:
            if (
                settings.runs
                and record.status != "failed"
                and (
                    (record.needs_ocr > 0 and (record.ocr_mode == "off" or retry_failed))
                    or (ocr == "force" and record.ocr_mode != "force")
                )
            ):
                return True  # OCR can now read what it was not asked to (or could not)
            return record.status in ("failed", "partial") and (
                retry_failed or (record.reason == "encrypted" and bool(passwords))
            )

        changes = diff(sources, records, paths, retry)
        writer = _Writer(idx, commit_every, commit_seconds, s.analysis_of(index_dir))
        if clear:
            writer.writer.delete_all_documents()
        events: list[FileEvent] = []

        def emit(event: FileEvent) -> None:
            events.append(event)
            if on_file is not None:
                on_file(event)

        cache = ExtractionCache(cache_root)
        work = [c for c in changes if c.action in ("add", "update", "rename") and c.source
                and c.source.path is not None]  # fmt: skip
        if on_plan is not None:
            on_plan(len(work))
        for change in changes:  # everything that needs no extraction
            _apply_simple(change, idx, writer, emit)
        limits = (timeout, page_timeout, float(memory_mb))
        _extract_and_write(work, idx, writer, emit, cache, passwords, retry_failed, workers,
                           limits, normalize, settings)  # fmt: skip
        writer.commit()
        writer.writer.wait_merging_threads()
        notes = _ocr_notes(events, settings)
        report = IndexReport(tuple(events), time.monotonic() - started, str(index_dir), notes)
        s.write_meta(index_dir, last_run={"run": writer.run, **_run_summary(report)})
    return report


def _apply_simple(
    change: Change, idx: tantivy.Index, writer: _Writer, emit: ProgressCallback
) -> None:
    rec = change.record
    if change.action == "remove" and rec is not None:
        writer.delete_publication(rec.id)
        writer.changed()
        emit(FileEvent("removed", rec.path or rec.key, rec.id))
    elif change.action == "missing":
        assert change.source is not None and change.source.path is not None
        emit(FileEvent("failed", str(change.source.path), change.id, reason="corrupt",
                       detail="file not found"))  # fmt: skip
    elif change.action == "unchanged" and rec is not None:
        if rec.status == "failed":
            emit(FileEvent("failed", rec.path, rec.id, reason=rec.reason, detail=rec.detail))
        else:
            emit(FileEvent("unchanged", rec.path or rec.key, rec.id,
                           failed_pages=rec.failed_pages, detail=rec.detail))  # fmt: skip
    elif change.action == "touch" and rec is not None:
        writer.delete_record(idx, rec.key)
        writer.writer.add_document(record_document(_replace(rec, change)))
        writer.changed()
        emit(FileEvent("unchanged", rec.path, rec.id, failed_pages=rec.failed_pages))
    elif change.source is not None and change.source.path is None:  # catalog entry, no PDF
        assert change.source.entry is not None
        pub = metadata_only(change.source.entry)
        writer.delete_publication(pub.id)
        for doc in documents(
            pub, [Page(0, "", s.UNDETERMINED, "none")], writer.run, writer.analysis
        ):
            writer.writer.add_document(doc)
        record = FileRecord(change.source.key, pub.id, "", "", 0, 0, "", "metadata", "", "", (),
                            "catalog", change.source.meta_hash, 0)  # fmt: skip
        writer.writer.add_document(record_document(record))
        writer.changed()
        emit(FileEvent("added" if change.action == "add" else "updated", pub.id, pub.id))


def _replace(rec: FileRecord, change: Change) -> FileRecord:
    assert change.source is not None
    return replace(
        rec, key=change.source.key, path=str(change.source.path), abspath=change.source.key,
        size=change.size, mtime_ns=change.mtime_ns, sha256=change.sha256,
    )  # fmt: skip


def _limit_raised(old: float, new: float) -> bool:
    """Whether `new` is a larger limit than `old` (0 meaning no limit)."""
    return (old > 0 and new <= 0) or (new > 0 and old > 0 and new > old)


def _cached(
    cache: ExtractionCache, sha: str, limits: tuple[float, float, float],
    passwords: Sequence[str], retry_failed: bool,
) -> Extraction | None:  # fmt: skip
    """A usable cache entry: complete, or failed in a way that would fail again."""
    hit = cache.get(sha)
    if hit is None:
        return None
    errors = [hit.failure[0]] if hit.failure else []
    errors += [p.error.split(" ")[0] for p in hit.pages if p.error]
    if any(e in ("timeout", "out-of-memory", "crashed") for e in errors) and (
        retry_failed or any(_limit_raised(o, n) for o, n in zip(hit.limits, limits, strict=True))
    ):
        return None
    if hit.failure is not None and hit.failure[0] == "encrypted" and passwords:
        return None
    return hit


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """How a run reads pages without usable text (``--ocr``).

    mode: auto (only such pages), off (flag them as needing OCR), force (every page);
    available: whether Tesseract is installed; cache_dir: the OCR cache root; timeout:
    seconds per page.
    """

    mode: str = "auto"
    available: bool = False
    cache_dir: str = ""
    timeout: float = 120.0

    @property
    def runs(self) -> bool:
        return self.mode != "off" and self.available

    @property
    def effective(self) -> str:
        """The mode pages were actually read under (``off`` when OCR could not run)."""
        return self.mode if self.runs else "off"


OCR_MODES = ("auto", "off", "force")
#: A page covered by images at least this much, with fewer letters than SPARSE_LETTERS,
#: is a scan with at most a stamped header or page number: it is read with OCR too.
SCAN_IMAGE_SHARE = 0.5
SPARSE_LETTERS = 200
_LETTERS = re.compile(r"[^\W\d_]")


def pages_needing_ocr(
    raw_pages: Sequence[RawPage], mode: str = "auto", cleaned: Sequence[CleanText] | None = None
) -> list[int]:
    """The pages OCR should read: every readable page with ``force``; else those without
    usable text: no text layer, unmapped glyphs, a garbled layer, or a scan (mostly image)
    with little text. `cleaned` is the document normalized, if the caller has it."""
    if mode == "force":
        return [p.number for p in raw_pages if not p.error]
    if cleaned is None:
        cleaned = normalize_document([p.text for p in raw_pages])
    return [
        raw.number
        for raw, clean in zip(raw_pages, cleaned, strict=True)
        if not raw.error and (
            clean.quality is not TextQuality.OK
            or (raw.image_share >= SCAN_IMAGE_SHARE
                and len(_LETTERS.findall(clean.text)) < SPARSE_LETTERS)
        )
    ]  # fmt: skip


def ocr_languages(
    source: Source, raw_pages: Sequence[RawPage], cleaned: Sequence[CleanText],
    skip: Collection[int],
) -> tuple[str, ...]:  # fmt: skip
    """The languages to read a file's scanned pages in: the catalog entry's, else those
    detected on its other pages (at most two, most pages first), else none (then the
    script Tesseract's OSD sees picks: see :data:`indexer.ocr.SCRIPT_DEFAULTS`)."""
    if source.entry is not None and source.entry.languages:
        return source.entry.languages
    others = [
        c.text for raw, c in zip(raw_pages, cleaned, strict=True)
        if raw.number not in skip and c.quality is TextQuality.OK
    ]  # fmt: skip
    if not others:
        return ()
    from indexer.language import detect_document

    counts = Counter(g.code for g in detect_document(others) if g.code != s.UNDETERMINED)
    return tuple(code for code, _ in counts.most_common(2))


def _extract_and_write(
    work: Sequence[Change], idx: tantivy.Index, writer: _Writer, emit: ProgressCallback,
    cache: ExtractionCache, passwords: Sequence[str], retry_failed: bool,
    workers: int | None, limits: tuple[float, float, float], normalize: bool,
    ocr: OcrSettings,
) -> None:  # fmt: skip
    """Text for every changed file (extraction cache, else workers), then OCR for the
    pages that need it (same workers), then the documents."""
    by_key = {c.source.key: c for c in work if c.source is not None}
    waiting: dict[str, tuple[Extraction, bool, tuple[int, ...]]] = {}

    def text_in(change: Change, extraction: Extraction, from_cache: bool) -> Job | None:
        """Write the file, or return the OCR job it waits for."""
        assert change.source is not None and change.source.path is not None
        needs: tuple[int, ...] = ()
        cleaned = None
        if extraction.failure is None and extraction.info is not None:
            cleaned = normalize_document([p.text for p in extraction.pages])  # once per file
            needs = tuple(pages_needing_ocr(extraction.pages, ocr.mode, cleaned))
        if needs and ocr.runs and cleaned is not None:
            languages = ocr_languages(change.source, extraction.pages, cleaned, needs)
            waiting[change.source.key] = (extraction, from_cache, needs)
            plan = OcrPlan(needs, languages, ocr.cache_dir, ocr.timeout)
            return Job(change.source.key, change.source.path, tuple(passwords), plan)
        _write(change, extraction, idx, writer, emit, from_cache, normalize, ocr.effective,
               needs_ocr=needs, cleaned=cleaned)  # fmt: skip
        return None

    from indexer.workers import Job, extract_all

    jobs: list[Job] = []
    for change in work:
        assert change.source is not None and change.source.path is not None
        hit = _cached(cache, change.sha256, limits, passwords, retry_failed)
        if hit is None:
            jobs.append(Job(change.source.key, change.source.path, tuple(passwords)))
        elif (job := text_in(change, hit, True)) is not None:
            jobs.append(job)
    if not jobs:
        return
    more: deque[Job] = deque()
    for job, result in extract_all(jobs, workers, limits[0], limits[1], int(limits[2]), more):
        change = by_key[job.key]
        if isinstance(result, OcrOutcome):
            extraction, from_cache, needs = waiting.pop(job.key)
            _write(change, extraction, idx, writer, emit, from_cache, normalize, ocr.effective,
                   {p.number: p for p in result.pages}, needs)  # fmt: skip
            continue
        reason = result.failure[0] if result.failure else ""
        if reason != "encrypted":  # a password may open it next time
            cache.put(change.sha256, result)
        if (ocr_job := text_in(change, result, False)) is not None:
            more.append(ocr_job)


_EVENT_OF: dict[str, Action] = {"add": "added", "update": "updated", "rename": "renamed"}


def _write(
    change: Change, extraction: Extraction, idx: tantivy.Index, writer: _Writer,
    emit: ProgressCallback, from_cache: bool, normalize: bool, ocr_mode: str = "auto",
    ocr: Mapping[int, OcrPage] | None = None, needs_ocr: Collection[int] = (),
    cleaned: Sequence[CleanText] | None = None,
) -> None:  # fmt: skip
    source = change.source
    assert source is not None and source.path is not None
    kind = _EVENT_OF[change.action]
    previous = change.record.path if change.action == "rename" and change.record else ""
    base = FileRecord(
        source.key, change.id, str(source.path), source.key, change.size, change.mtime_ns,
        change.sha256, "failed", "", "", (), "catalog" if source.entry else "path",
        source.meta_hash, 0, 0, ocr_mode,
    )  # fmt: skip
    writer.delete_publication(change.id)
    if change.record is not None and change.record.key != source.key:
        writer.delete_record(idx, change.record.key)
    if extraction.failure is not None or extraction.info is None or not extraction.pages:
        reason, detail = extraction.failure or ("corrupt", "no pages could be read")
        writer.writer.add_document(record_document(replace(base, reason=reason, detail=detail)))
        writer.changed()
        emit(FileEvent("failed", str(source.path), change.id, reason=reason, detail=detail))
        return
    pub, pages = build_publication(source, change.id, change.sha256, extraction.info,
                                   extraction.pages, normalize, ocr, needs_ocr,
                                   cleaned)  # fmt: skip
    for doc in documents(pub, pages, writer.run, writer.analysis):
        writer.writer.add_document(doc)
    failed_pages = tuple(p.number for p in pages if p.error)
    detail = _page_failure_detail(pages, ocr or {})
    still = sum(1 for p in pages if p.ocr == s.OCR_NEEDED)
    record = replace(
        base, status=_status(pages), detail=detail, failed_pages=failed_pages,
                   page_count=len(pages), needs_ocr=still)  # fmt: skip
    writer.writer.add_document(record_document(record))
    writer.changed()
    emit(
        FileEvent(
            kind, str(source.path), change.id, pages=len(pages),
            pages_without_text=sum(1 for p in pages if not p.text),
            failed_pages=failed_pages,
            languages=tuple(sorted({p.language for p in pages if p.text})),
            detail=detail, previous_path=previous, from_cache=from_cache,
            ocr_pages=sum(1 for p in pages if p.ocr == s.OCR_DONE), needs_ocr=still,
            ocr_seconds=round(sum(o.seconds for o in (ocr or {}).values()), 3),
        )
    )  # fmt: skip


def _ocr_notes(events: Sequence[FileEvent], settings: OcrSettings) -> tuple[str, ...]:
    needing = sum(e.needs_ocr for e in events if e.action in ("added", "updated", "renamed"))
    if not needing:
        return ()
    from indexer.ocr import APT_HINT

    pages = f"{needing} page{'s' if needing != 1 else ''}"
    if settings.mode == "off":
        return (f"{pages} without usable text need OCR (--ocr off); index again with "
                "--ocr auto to read them",)  # fmt: skip
    if not settings.available:
        return (f"{pages} without usable text need OCR, but Tesseract is not installed; "
                f"install it with: {APT_HINT}",)  # fmt: skip
    return (f"{pages} could not be read with OCR (see the files' details); "
            "--retry-failed (with a larger --ocr-timeout) tries them again",)  # fmt: skip


def _run_summary(report: IndexReport) -> dict[str, object]:
    return {
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(report.seconds, 3),
        **{a: report.count(a) for a in ("added", "updated", "renamed", "removed", "unchanged")},
        "failed": [
            {"path": f.path, "reason": f.reason, "detail": f.detail} for f in report.failures
        ],
        "pages_indexed": report.pages,
        "pages_without_text": report.pages_without_text,
        "ocr_pages": report.ocr_pages,
        "needs_ocr": report.needs_ocr,
    }


def _clear(index_dir: Path) -> None:
    """Remove an index's own files (and nothing else) before recreating it."""
    keep = {"pubsearch.lock"}
    for child in index_dir.iterdir():
        if child.name in keep:
            continue
        if child.is_file() and (
            child.suffix in {".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm", ".del"}
            or child.name in {"meta.json", ".managed.json", s.META_FILE, ".tantivy-meta.lock",
                              ".tantivy-writer.lock"}
        ):  # fmt: skip
            child.unlink()
