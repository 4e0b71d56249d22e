"""Records <-> Tantivy documents, both directions: the only code that reads or writes
stored fields.

Writing (:mod:`indexer.index.store`): :func:`page_documents` (a publication's pages),
:func:`record_document` (a :class:`~indexer.model.FileRecord`). Reading (the indexer's
diff and every reader in :mod:`search`): :func:`publication_of`, :func:`page_of`,
:func:`record_of`, :func:`problem_of`, plus the few single values a
reader needs (:func:`pub_id_of`, :func:`year_of`, :func:`abspath_of`). :func:`pages_query` and
:func:`records_query` select the two kinds of document. Other queries name fields through
:mod:`indexer.index.schema`; this module alone knows how a record is laid out in a document.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import tantivy

from indexer.index import schema as s
from indexer.index import variants
from indexer.index.spelling import for_language
from indexer.model import (
    STANDARD,
    FileProblem,
    FileRecord,
    OcrState,
    Origin,
    Page,
    PageQuality,
    Publication,
    Reason,
    Status,
)

# ---------------------------------------------------------------- values


def text_of(doc: tantivy.Document, field: str) -> str | None:
    """The first stored text of `field`, or None."""
    value = doc.get_first(field)
    return None if value is None else str(value)


def int_of(doc: tantivy.Document, field: str) -> int | None:
    value = doc.get_first(field)
    return None if value is None else int(value)


def float_of(doc: tantivy.Document, field: str) -> float | None:
    value = doc.get_first(field)
    return None if value is None else float(value)


def pub_id_of(doc: tantivy.Document) -> str:
    """The publication id of a page or file document."""
    return text_of(doc, s.F_ID) or ""


def year_of(doc: tantivy.Document) -> int | None:
    return int_of(doc, s.F_YEAR)


def number_of(doc: tantivy.Document) -> int:
    """A page document's 1-based page number (0 for an entry without a PDF)."""
    return int_of(doc, s.F_PAGE) or 0


def abspath_of(doc: tantivy.Document) -> str:
    """The absolute path of the PDF a page document belongs to ('' without a PDF)."""
    return text_of(doc, s.F_ABSPATH) or ""


def language_of(doc: tantivy.Document) -> str:
    """A page document's language code."""
    return text_of(doc, s.F_LANG) or s.UNDETERMINED


def text_field_of(doc: tantivy.Document) -> str:
    """The field that holds a page document's text (the field of its language)."""
    return s.text_field(language_of(doc))


# ---------------------------------------------------------------- which documents


def pages_query(
    schema: tantivy.Schema,
    pub_id: str | None = None,
    page: int | None = None,
    *,
    abspath: str | None = None,
) -> tantivy.Query:
    """Page documents (of publication `pub_id`, only page `page`, only of the PDF at
    `abspath`, when given)."""
    clauses = [tantivy.Query.term_query(schema, s.F_KIND, s.KIND_PAGE)]
    if pub_id is not None:
        clauses.append(tantivy.Query.term_query(schema, s.F_ID, pub_id))
    if page is not None:
        clauses.append(tantivy.Query.term_query(schema, s.F_PAGE, page))
    if abspath is not None:
        clauses.append(tantivy.Query.term_query(schema, s.F_ABSPATH, abspath))
    if len(clauses) == 1:
        return clauses[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])


def records_query(schema: tantivy.Schema, key: str | None = None) -> tantivy.Query:
    """File record documents (only the record of `key`, when given)."""
    files = tantivy.Query.term_query(schema, s.F_KIND, s.KIND_FILE)
    if key is None:
        return files
    by_key = tantivy.Query.term_query(schema, s.F_KEY, key)
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, files), (tantivy.Occur.Must, by_key)])


# ---------------------------------------------------------------- pages


def page_documents(
    pub: Publication, pages: Sequence[Page], run: int = 0, analysis: str = STANDARD
) -> Iterator[tantivy.Document]:
    """The Tantivy documents for one publication: one per page, stamped with `run` (the
    index run that wrote them, for "what's new"), with its publication key and the lookup
    terms of its text and title fields (:mod:`indexer.index.variants`) for an index of that
    `analysis`."""
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


def publication_of(doc: tantivy.Document) -> Publication:
    """The publication a page document belongs to (its metadata is on every page)."""
    return Publication(
        id=pub_id_of(doc),
        title=text_of(doc, s.F_TITLE) or "",
        subtitle=text_of(doc, s.F_SUBTITLE),
        authors=tuple(str(a) for a in doc.get_all(s.F_AUTHORS)),
        year=year_of(doc),
        type=text_of(doc, s.F_TYPE),
        languages=tuple(str(c) for c in doc.get_all(s.F_DOC_LANGS)),
        description=text_of(doc, s.F_DESCRIPTION),
        path=text_of(doc, s.F_PATH) or "",
        abspath=abspath_of(doc),
        sha256=text_of(doc, s.F_SHA256) or "",
        page_count=int_of(doc, s.F_PAGE_COUNT) or 0,
    )


def page_of(doc: tantivy.Document) -> Page:
    """A page document read back (`error` is not stored: always None)."""
    language = language_of(doc)
    quality = text_of(doc, s.F_QUALITY) or PageQuality.NONE
    return Page(
        number=number_of(doc),
        text=text_of(doc, s.text_field(language)) or "",
        language=language,
        quality=PageQuality(quality),
        ocr=OcrState(text_of(doc, s.F_OCR) or ""),
        ocr_confidence=float_of(doc, s.F_OCR_CONFIDENCE),
    )


# ---------------------------------------------------------------- file records


def record_document(record: FileRecord) -> tantivy.Document:
    """The "file" document of a file record, stamped with the time it is written."""
    doc = tantivy.Document()
    doc.add_text(s.F_KIND, s.KIND_FILE)
    for name, value in (
        (s.F_KEY, record.key),
        (s.F_ID, record.id),
        (s.F_PATH, record.path),
        (s.F_ABSPATH, record.abspath),
        (s.F_SHA256, record.sha256),
        (s.F_STATUS, record.status),
        (s.F_REASON, record.reason or ""),
        (s.F_DETAIL, record.detail),
        (s.F_SOURCE, record.source),
        (s.F_META_HASH, record.meta_hash),
        (s.F_OCR_MODE, record.ocr_mode),
        (s.F_FAILED_PAGES, ",".join(map(str, record.failed_pages))),
    ):
        doc.add_text(name, value)
    doc.add_integer(s.F_NEEDS_OCR, record.needs_ocr)
    doc.add_integer(s.F_SIZE, record.size)
    doc.add_integer(s.F_MTIME, record.mtime_ns)
    doc.add_integer(s.F_PAGE_COUNT, record.page_count)
    doc.add_integer(s.F_INDEXED_AT, int(time.time()))
    return doc


def record_of(doc: tantivy.Document) -> FileRecord:
    """A file document read back."""

    def text(name: str) -> str:
        return text_of(doc, name) or ""

    def number(name: str) -> int:
        return int_of(doc, name) or 0

    reason = text(s.F_REASON)
    return FileRecord(
        key=text(s.F_KEY),
        id=text(s.F_ID),
        path=text(s.F_PATH),
        abspath=text(s.F_ABSPATH),
        size=number(s.F_SIZE),
        mtime_ns=number(s.F_MTIME),
        sha256=text(s.F_SHA256),
        status=Status(text(s.F_STATUS)),
        reason=Reason(reason) if reason else None,
        detail=text(s.F_DETAIL),
        failed_pages=tuple(int(n) for n in text(s.F_FAILED_PAGES).split(",") if n),
        source=Origin(text(s.F_SOURCE)),
        meta_hash=text(s.F_META_HASH),
        page_count=number(s.F_PAGE_COUNT),
        needs_ocr=number(s.F_NEEDS_OCR),
        ocr_mode=text(s.F_OCR_MODE),
    )


def problem_of(doc: tantivy.Document) -> FileProblem:
    """A file document as a problem report (for a file that is not fully indexed)."""
    return FileProblem(
        path=text_of(doc, s.F_PATH) or "",
        status=text_of(doc, s.F_STATUS) or "",
        reason=text_of(doc, s.F_REASON) or "",
        detail=text_of(doc, s.F_DETAIL) or "",
    )
