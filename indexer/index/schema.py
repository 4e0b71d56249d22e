"""The index, defined in one place: fields, analyzers, schema version, create/open.

One Tantivy document per PDF page (page numbers are 1-based). A catalog entry without a
PDF (a film, say) is one document with ``page = 0`` and no text, so metadata queries find it.

The page text goes into the field of its language, ``text_<code>``, whose analyzer stems
and drops stop words for that language. Title and subtitle go into ``meta_<code>`` of the
publication's first language, analyzed the same way, so a query term matches titles with
the same stemming as page text. ``title``/``subtitle``/``authors`` are also indexed with the
language-neutral analyzer for ``title:`` and ``author:`` queries.

Tantivy's ``remove_long`` filter counts bytes, not letters; a 24-letter Russian word is 48
bytes. ``MAX_TOKEN_BYTES`` is set well above any real word in any script, so only junk
(base64 runs, hashes) is dropped.

``variants`` holds lookup terms derived from the terms of a page's text and title fields
(folded forms, reversed terms: :mod:`indexer.index.variants`), so that the query-time expansions
of :mod:`search.query.expansions` are prefix lookups rather than scans of the vocabulary. It is
split on whitespace only and indexes no frequencies or positions.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import tantivy

from indexer.errors import (
    IndexNotFoundError,
    PathNameError,
    SchemaVersionError,
    is_utf8,
    shown,
)
from indexer.index import stopwords
from indexer.model import ANALYSES, NEUTRAL, STANDARD

#: Bumped when an index written by an older pubsearch lacks something searches rely on:
#: 5 added the ``variants`` lookup terms; 6 the word lookup terms (``<field>:w:...``) that
#: take a spelling without diacritics to the stem of the spelling with them; 7 the name
#: lookup terms (``n:...``) that take a name in one script or spelling to the others. An older
#: index is refused with "rebuild" (exit 4) rather than answering with less.
SCHEMA_VERSION = 7
META_FILE = "pubsearch.json"
MAX_TOKEN_BYTES = 240
UNDETERMINED = "und"


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguageSpec:
    """How one language's text is analyzed.

    code: the language code langdetect reports (ISO 639-1, ``und`` for undetermined).
    name: English name, shown by ``--explain`` and in docs.
    stemmer: Tantivy/Snowball stemmer name, or None for no stemming.
    stopwords: a Tantivy stop-list name, an explicit word tuple, or None.
    """

    code: str
    name: str
    stemmer: str | None
    stopwords: str | tuple[str, ...] | None

    @property
    def analyzer(self) -> str:
        return f"lang_{self.code}"

    @property
    def text_field(self) -> str:
        return f"text_{self.code}"

    @property
    def meta_field(self) -> str:
        return f"meta_{self.code}"


def _spec(code: str, name: str, stop: bool = True) -> LanguageSpec:
    key = name.lower()
    return LanguageSpec(code=code, name=name, stemmer=key, stopwords=key if stop else None)


#: code -> how that language is analyzed. Languages Tantivy can stem, with its stop list
#: where it has one; Bulgarian and Romanian with our own lists; ``und`` for the rest.
LANGUAGES: Mapping[str, LanguageSpec] = {
    spec.code: spec
    for spec in (
        _spec("sv", "Swedish"),
        _spec("en", "English"),
        LanguageSpec(code="ro", name="Romanian", stemmer="romanian", stopwords=stopwords.ROMANIAN),
        _spec("ru", "Russian"),
        LanguageSpec(code="bg", name="Bulgarian", stemmer=None, stopwords=stopwords.BULGARIAN),
        _spec("de", "German"),
        _spec("fr", "French"),
        _spec("da", "Danish"),
        _spec("no", "Norwegian"),
        _spec("fi", "Finnish"),
        _spec("nl", "Dutch"),
        _spec("it", "Italian"),
        _spec("pt", "Portuguese"),
        _spec("es", "Spanish"),
        _spec("hu", "Hungarian"),
        _spec("tr", "Turkish", stop=False),
        _spec("el", "Greek", stop=False),
        _spec("ar", "Arabic", stop=False),
        _spec("ta", "Tamil", stop=False),
        LanguageSpec(code=UNDETERMINED, name="Undetermined", stemmer=None, stopwords=None),
    )
}

# Stored/indexed metadata fields (names used by the indexer and by search).
F_ID = "id"
F_PATH = "path"
F_ABSPATH = "abspath"
F_SHA256 = "sha256"
F_PAGE = "page"
F_PAGE_COUNT = "page_count"
F_LANG = "lang"
F_DOC_LANGS = "languages"
F_TITLE = "title"
F_SUBTITLE = "subtitle"
F_AUTHORS = "authors"
F_YEAR = "year"
F_TYPE = "type"
F_DESCRIPTION = "description"
F_QUALITY = "quality"
# Kind of document: one "page" document per PDF page, one "file" record per indexed source.
F_KIND = "kind"
KIND_PAGE = "page"
KIND_FILE = "file"
# File-record fields (what the incremental indexer compares against the disk).
F_KEY = "key"  # absolute path, or "catalog:<id>" for an entry without a PDF
F_SIZE = "size"
F_MTIME = "mtime_ns"
F_STATUS = "status"  # indexed | partial | no-text | failed | metadata
F_REASON = "reason"
F_DETAIL = "detail"
F_FAILED_PAGES = "failed_pages"
F_SOURCE = "source"  # catalog | path
F_META_HASH = "meta_hash"
F_INDEXED_AT = "indexed_at"
# Facets and "what's new": authors as whole values, and the run that wrote a page.
F_AUTHOR_FACET = "author_facet"
F_RUN = "run"
# OCR: on a page, "done" (its text came from OCR) or "needed" (no usable text, not OCR'd);
# the mean OCR word confidence (0-100). On a file record, how many pages still need OCR
# and the --ocr mode the file was indexed with.
F_OCR = "ocr"
F_OCR_CONFIDENCE = "ocr_confidence"
F_NEEDS_OCR = "needs_ocr"
F_OCR_MODE = "ocr_mode"
# A number for the publication (a hash of its id) as a fast field, so search groups page
# hits by publication without loading each hit's stored document.
F_PUB_KEY = "pub_key"
# Lookup terms for query-time expansion (indexer.index.variants), on page documents.
F_VARIANTS = "variants"
VARIANTS_ANALYZER = "variants"

NEUTRAL_ANALYZER = LANGUAGES[UNDETERMINED].analyzer


def build_analyzer(spec: LanguageSpec) -> tantivy.TextAnalyzer:
    """The analyzer for one language: tokenize, drop junk, lowercase, stop words, stem."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
    )
    if isinstance(spec.stopwords, str):
        builder = builder.filter(tantivy.Filter.stopword(spec.stopwords))
    elif spec.stopwords:
        builder = builder.filter(tantivy.Filter.custom_stopword(list(spec.stopwords)))
    if spec.stemmer:
        builder = builder.filter(tantivy.Filter.stemmer(spec.stemmer))
    return builder.build()


#: How an index analyzes text: :data:`~indexer.model.STANDARD` or ``NEUTRAL`` (see
#: :data:`~indexer.model.ANALYSES`). Stored in the index's metadata; opening an index
#: registers the analyzers it was built with.

_ANALYZERS: dict[tuple[str, str], tantivy.TextAnalyzer] = {}


def analyzer(code: str, analysis: str = STANDARD) -> tantivy.TextAnalyzer:
    """The (cached) analyzer for a language code; unknown codes get the neutral one."""
    spec = LANGUAGES.get(code, LANGUAGES[UNDETERMINED])
    if analysis == NEUTRAL:
        spec = LANGUAGES[UNDETERMINED]
    key = (spec.code, analysis)
    if key not in _ANALYZERS:
        _ANALYZERS[key] = build_analyzer(spec)
    return _ANALYZERS[key]


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in (
        F_ID,
        F_TYPE,
        F_LANG,
        F_DOC_LANGS,
        F_SHA256,
        F_QUALITY,
        F_KIND,
        F_STATUS,
        F_AUTHOR_FACET,
        F_OCR,
    ):
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in (F_PATH, F_ABSPATH, F_KEY, F_REASON, F_DETAIL, F_FAILED_PAGES, F_SOURCE):
        b.add_text_field(name, stored=True, tokenizer_name="raw")
    b.add_text_field(F_META_HASH, stored=True, tokenizer_name="raw")
    b.add_text_field(F_OCR_MODE, stored=True, tokenizer_name="raw")
    b.add_float_field(F_OCR_CONFIDENCE, stored=True)
    b.add_integer_field(F_NEEDS_OCR, stored=True)
    for name in (F_SIZE, F_MTIME, F_INDEXED_AT):
        b.add_integer_field(name, stored=True)
    for name in (F_TITLE, F_SUBTITLE, F_AUTHORS):
        b.add_text_field(name, stored=True, tokenizer_name=NEUTRAL_ANALYZER)
    b.add_text_field(F_DESCRIPTION, stored=True, tokenizer_name=NEUTRAL_ANALYZER)
    b.add_integer_field(F_PAGE, stored=True, indexed=True, fast=True)
    b.add_integer_field(F_PAGE_COUNT, stored=True, indexed=True)
    b.add_integer_field(F_YEAR, stored=True, indexed=True, fast=True)
    b.add_integer_field(F_RUN, stored=True, indexed=True, fast=True)
    b.add_integer_field(F_PUB_KEY, stored=False, indexed=False, fast=True)
    for spec in LANGUAGES.values():
        b.add_text_field(spec.text_field, stored=True, tokenizer_name=spec.analyzer)
        b.add_text_field(spec.meta_field, stored=False, tokenizer_name=spec.analyzer)
    b.add_text_field(
        F_VARIANTS, stored=False, tokenizer_name=VARIANTS_ANALYZER, index_option="basic"
    )
    return b.build()


_VARIANTS = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _register(index: tantivy.Index, analysis: str) -> tantivy.Index:
    for spec in LANGUAGES.values():
        index.register_tokenizer(spec.analyzer, analyzer(spec.code, analysis))
    index.register_tokenizer(VARIANTS_ANALYZER, _VARIANTS)
    return index


def check_index_dir(index_dir: Path) -> None:
    """Raise :class:`~indexer.errors.PathNameError` when `index_dir` is not valid UTF-8."""
    if not is_utf8(index_dir):
        raise PathNameError(shown(index_dir), "index folder's name", "pass another --index")


def create_index(index_dir: Path, analysis: str = STANDARD) -> tantivy.Index:
    """Create an empty index in `index_dir` (which must not hold one) and register analyzers."""
    check_index_dir(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    index = _register(tantivy.Index(build_schema(), path=str(index_dir), reuse=False), analysis)
    meta = {"schema_version": SCHEMA_VERSION, "analysis": analysis}
    (index_dir / META_FILE).write_text(json.dumps(meta) + "\n")
    return index


def analysis_of(index_dir: Path) -> str:
    """How the index at `index_dir` analyzes text (see :data:`ANALYSES`)."""
    value = read_meta(index_dir).get("analysis", STANDARD)
    return value if isinstance(value, str) and value in ANALYSES else STANDARD


def read_meta(index_dir: Path) -> dict[str, object]:
    """The pubsearch metadata stored beside the Tantivy files (schema version, last run)."""
    try:
        data = json.loads((index_dir / META_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_meta(index_dir: Path, **values: object) -> None:
    data = read_meta(index_dir)
    data.update(values)
    data["schema_version"] = SCHEMA_VERSION
    tmp = index_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    tmp.replace(index_dir / META_FILE)


def open_index(index_dir: Path) -> tantivy.Index:
    """Open the index in `index_dir`, check its schema version and register analyzers."""
    if not (index_dir / "meta.json").is_file():
        raise IndexNotFoundError(shown(index_dir))
    check_index_dir(index_dir)
    version = read_meta(index_dir).get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(str(index_dir), version, SCHEMA_VERSION)
    return _register(tantivy.Index.open(str(index_dir)), analysis_of(index_dir))


@functools.lru_cache(maxsize=1 << 17)  # a search maps every matching publication's id
def pub_key(pub_id: str) -> int:
    """The :data:`F_PUB_KEY` of publication `pub_id`: 63 bits of its BLAKE2b hash."""
    return int.from_bytes(hashlib.blake2b(pub_id.encode(), digest_size=8).digest()) >> 1


def text_field(code: str) -> str:
    """The field that holds page text of language `code` (``text_und`` when unknown)."""
    return LANGUAGES.get(code, LANGUAGES[UNDETERMINED]).text_field
