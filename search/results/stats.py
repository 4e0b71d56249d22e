"""What an index holds: publications, pages, languages, files by status, last run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tantivy

from indexer.index import documents
from indexer.index import schema as s
from indexer.model import FileProblem, OcrState, PageQuality, Status
from search.results.aggregations import hit_count

__all__ = ["FileProblem", "IndexStats", "index_stats"]


@dataclass(frozen=True, slots=True)
class IndexStats:
    """A summary of one index.

    publications: publications with at least one page document (films count);
    pages: PDF pages indexed; pages_without_text: of those, pages with no usable text
    (neither a usable text layer nor OCR text); ocr_pages: pages whose text came from
    OCR; needs_ocr: pages without usable text that were not read with OCR (``--ocr off``,
    no Tesseract, or OCR failed); languages: pages per language;
    files: file records per status; problems: the files that are not fully indexed;
    size_bytes: the index folder's size; last_run: the summary of the last index run.
    """

    index_dir: str
    publications: int
    pages: int
    pages_without_text: int
    ocr_pages: int
    needs_ocr: int
    languages: dict[str, int]
    files: dict[str, int]
    problems: tuple[FileProblem, ...]
    size_bytes: int
    last_run: dict[str, object]


def _terms(searcher: tantivy.Searcher, query: tantivy.Query, field: str) -> dict[str, int]:
    result = searcher.aggregate(query, {"t": {"terms": {"field": field, "size": 100_000}}})
    return {str(b["key"]): int(b["doc_count"]) for b in result["t"]["buckets"]}


def index_stats(index_dir: Path) -> IndexStats:
    index = s.open_index(index_dir)
    searcher = index.searcher()
    schema = index.schema

    def term(field: str, value: str | int) -> tantivy.Query:
        return tantivy.Query.term_query(schema, field, value)

    def both(a: tantivy.Query, b: tantivy.Query, negate: bool = False) -> tantivy.Query:
        second = tantivy.Occur.MustNot if negate else tantivy.Occur.Must
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, a), (second, b)])

    pages_q = both(documents.pages_query(schema), term(s.F_PAGE, 0), negate=True)
    pages = hit_count(searcher.search(pages_q, 1))
    with_text = both(pages_q, term(s.F_QUALITY, PageQuality.OK))  # the text layer or OCR text
    files_q = documents.records_query(schema)
    bad = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, files_q)]
        + [
            (tantivy.Occur.MustNot, term(s.F_STATUS, ok))
            for ok in (Status.INDEXED, Status.METADATA)
        ]
    )
    hits = searcher.search(bad, 10_000).hits
    problems = sorted(
        (documents.problem_of(searcher.doc(a)) for _, a in hits), key=lambda p: p.path
    )
    last_run = s.read_meta(index_dir).get("last_run")
    return IndexStats(
        index_dir=str(index_dir),
        publications=len(_terms(searcher, documents.pages_query(schema), s.F_ID)),
        pages=pages,
        pages_without_text=pages - hit_count(searcher.search(with_text, 1)),
        ocr_pages=hit_count(searcher.search(both(pages_q, term(s.F_OCR, OcrState.DONE)), 1)),
        needs_ocr=hit_count(searcher.search(both(pages_q, term(s.F_OCR, OcrState.NEEDED)), 1)),
        languages=_terms(searcher, pages_q, s.F_LANG),
        files=_terms(searcher, files_q, s.F_STATUS),
        problems=tuple(problems),
        size_bytes=sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file()),
        last_run=last_run if isinstance(last_run, dict) else {},
    )
