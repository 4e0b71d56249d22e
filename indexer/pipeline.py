"""Catalog/paths -> extract -> normalize -> detect -> page documents -> index.

:func:`index` is the front door; it reads top to bottom like the data flow:
:func:`plan_sources` decides what to read, :func:`read_publication` turns one PDF into a
:class:`Publication` with its :class:`Page` records, :func:`write_publication` turns those
into Tantivy documents. A file that fails is reported (:class:`Failure`) and the run goes on.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from indexer import schema as s
from indexer.catalog import CatalogEntry, iter_pdfs, load_catalog
from indexer.errors import ExtractionError

if TYPE_CHECKING:
    from indexer.extract import PdfInfo
from indexer.normalize import TextQuality, for_language, normalize_document


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to index.

    path: the PDF path as it will be shown (as given, or catalog folder + file name).
    entry: the catalog entry it belongs to, or None for a PDF outside the catalog.
    """

    path: Path | None
    entry: CatalogEntry | None


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

    number: 1-based page number.
    text: normalized text ('' when the page has no usable text).
    language: analyzer code (key of :data:`indexer.schema.LANGUAGES`).
    quality: ok / empty / unmapped / error.
    error: why the page could not be read, or None.
    """

    number: int
    text: str
    language: str
    quality: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not be indexed: path, reason code, and a human detail."""

    path: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class FileReport:
    """What indexing one source produced."""

    path: str
    id: str
    pages: int
    pages_without_text: int
    failed_pages: tuple[int, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndexReport:
    """The outcome of one index run."""

    files: tuple[FileReport, ...]
    failures: tuple[Failure, ...]
    seconds: float
    index_dir: str

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)

    @property
    def pages_without_text(self) -> int:
        return sum(f.pages_without_text for f in self.files)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(slots=True)
class _IdAllocator:
    taken: dict[str, str] = field(default_factory=dict)  # id -> abspath

    def allocate(self, wanted: str, abspath: str) -> str:
        candidate = wanted
        if self.taken.get(candidate, abspath) != abspath:
            candidate = f"{wanted}-{hashlib.sha1(abspath.encode()).hexdigest()[:6]}"
        self.taken[candidate] = abspath
        return candidate


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


def read_publication(
    source: Source, pub_id: str, passwords: Sequence[str] = ()
) -> tuple[Publication, list[Page]]:
    """Extract, normalize and language-tag every page of one source's PDF."""
    from indexer.extract import iter_pages  # pdfminer: only when indexing
    from indexer.language import detect_document

    entry = source.entry
    assert source.path is not None
    if not source.path.is_file():
        raise ExtractionError(str(source.path), "file not found")
    sha = file_sha256(source.path)
    infos: list[PdfInfo] = []
    raw_pages = list(iter_pages(source.path, passwords, infos))
    info = infos[0]
    cleaned = normalize_document([p.text for p in raw_pages])
    declared = entry.languages if entry else ()
    guesses = detect_document([c.text for c in cleaned], declared)
    pages: list[Page] = []
    for raw, clean, guess in zip(raw_pages, cleaned, guesses, strict=False):
        quality = "error" if raw.error else str(clean.quality)
        language = guess.code if clean.quality is TextQuality.OK else s.UNDETERMINED
        pages.append(
            Page(raw.number, for_language(clean.text, language), language, quality, raw.error)
        )
    detected = tuple(sorted({p.language for p in pages if p.quality == "ok"} - {s.UNDETERMINED}))
    pub = Publication(
        id=pub_id,
        title=entry.title if entry else guess_title(info.title, pages[0].text, source.path.stem),
        subtitle=entry.subtitle if entry else None,
        authors=entry.authors if entry else tuple(a for a in [info.author] if a),
        year=entry.year if entry else info.year,
        type=entry.type if entry else None,
        languages=entry.languages if entry else detected,
        description=entry.description if entry else None,
        path=str(source.path),
        abspath=str(source.path.resolve()),
        sha256=sha,
        page_count=len(pages),
    )
    return pub, pages


def metadata_only(entry: CatalogEntry) -> Publication:
    """A catalog entry without a PDF (a film): indexed as one page-0 document."""
    return Publication(
        entry.id, entry.title, entry.subtitle, entry.authors, entry.year, entry.type,
        entry.languages, entry.description, "", "", "", 0,
    )  # fmt: skip


def documents(pub: Publication, pages: Iterable[Page]) -> Iterator[tantivy.Document]:
    """The Tantivy documents for one publication: one per page."""
    meta_langs = [c for c in pub.languages if c in s.LANGUAGES] or [s.UNDETERMINED]
    heading = " ".join(x for x in (pub.title, pub.subtitle) if x)
    for page in pages:
        doc = tantivy.Document()
        doc.add_text(s.F_ID, pub.id)
        doc.add_text(s.F_PATH, pub.path)
        doc.add_text(s.F_ABSPATH, pub.abspath)
        doc.add_text(s.F_SHA256, pub.sha256)
        doc.add_integer(s.F_PAGE, page.number)
        doc.add_integer(s.F_PAGE_COUNT, pub.page_count)
        doc.add_text(s.F_LANG, page.language)
        doc.add_text(s.F_QUALITY, page.quality)
        for code in pub.languages:
            doc.add_text(s.F_DOC_LANGS, code)
        doc.add_text(s.F_TITLE, pub.title)
        if pub.subtitle:
            doc.add_text(s.F_SUBTITLE, pub.subtitle)
        for author in pub.authors:
            doc.add_text(s.F_AUTHORS, author)
        if pub.year is not None:
            doc.add_integer(s.F_YEAR, pub.year)
        if pub.type:
            doc.add_text(s.F_TYPE, pub.type.lower())
        if pub.description:
            doc.add_text(s.F_DESCRIPTION, pub.description)
        for code in meta_langs:
            doc.add_text(s.LANGUAGES[code].meta_field, for_language(heading, code))
        if page.text:
            doc.add_text(s.text_field(page.language), page.text)
        yield doc


def _existing_ids(index: tantivy.Index) -> dict[str, str]:
    searcher = index.searcher()
    taken: dict[str, str] = {}
    result = searcher.search(tantivy.Query.term_query(index.schema, s.F_PAGE, 1), 100_000)
    for _, address in result.hits:
        doc = searcher.doc(address)
        taken[str(doc.get_first(s.F_ID))] = str(doc.get_first(s.F_ABSPATH) or "")
    return taken


ProgressCallback = Callable[[FileReport | Failure], None]


def index(
    index_dir: Path,
    paths: Sequence[Path] = (),
    catalog: Path | None = None,
    passwords: Sequence[str] = (),
    rebuild: bool = False,
    on_file: ProgressCallback | None = None,
) -> IndexReport:
    """Index the catalog (no `paths`) or the PDFs under `paths` into `index_dir`.

    Publications already in the index are replaced; others are kept (``rebuild`` clears
    the index first). Returns what was indexed and what failed.
    """
    started = time.monotonic()
    sources = plan_sources(paths, catalog)
    if rebuild or not (index_dir / "meta.json").is_file():
        if (index_dir / "meta.json").is_file():
            _clear(index_dir)
        idx = s.create_index(index_dir)
    else:
        idx = s.open_index(index_dir)
    ids = _IdAllocator(_existing_ids(idx))
    writer = idx.writer(heap_size=64_000_000, num_threads=1)
    files: list[FileReport] = []
    failures: list[Failure] = []
    for source in sources:
        outcome: FileReport | Failure
        if source.path is None:
            assert source.entry is not None
            pub, pages = metadata_only(source.entry), [Page(0, "", s.UNDETERMINED, "none")]
        else:
            wanted = source.entry.id if source.entry else slugify(source.path.stem)
            try:
                pub, pages = read_publication(
                    source, ids.allocate(wanted, str(source.path.resolve())), passwords
                )
            except ExtractionError as exc:
                outcome = Failure(exc.path, exc.reason, exc.detail)
                failures.append(outcome)
                if on_file:
                    on_file(outcome)
                continue
        writer.delete_documents_by_term(s.F_ID, pub.id)
        for doc in documents(pub, pages):
            writer.add_document(doc)
        outcome = FileReport(
            path=pub.path,
            id=pub.id,
            pages=len([p for p in pages if p.number > 0]),
            pages_without_text=sum(1 for p in pages if p.number > 0 and not p.text),
            failed_pages=tuple(p.number for p in pages if p.error),
            languages=tuple(sorted({p.language for p in pages if p.text})),
        )
        files.append(outcome)
        if on_file:
            on_file(outcome)
    writer.commit()
    writer.wait_merging_threads()
    report = IndexReport(tuple(files), tuple(failures), time.monotonic() - started, str(index_dir))
    s.write_meta(
        index_dir,
        last_run={
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": len(files),
            "pages": report.pages,
            "failed": [f.path for f in failures],
        },
    )
    return report


def _clear(index_dir: Path) -> None:
    """Remove an index's files (only files that belong to an index) before a rebuild."""
    for child in index_dir.iterdir():
        if child.is_file() and (
            child.suffix in {".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm", ".del"}
            or child.name in {"meta.json", ".managed.json", s.META_FILE, ".tantivy-meta.lock",
                              ".tantivy-writer.lock"}
        ):  # fmt: skip
            child.unlink()
