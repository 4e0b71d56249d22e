"""Render search results and index reports as text for people or JSON for programs.

No click and no index here (the result types are imported for type checking only):
functions return strings or plain dicts. Text output fits an 80-column
terminal; highlights become bold colour only when asked (the CLI asks on a TTY without
``NO_COLOR``), and plain text otherwise.
"""

from __future__ import annotations

import csv
import json
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from indexer.model import WRITTEN, Action, FileEvent, IndexReport, Status

if TYPE_CHECKING:  # only types: rendering needs no index, so none is imported at run time
    from search.pictures.page_image import PageMarks
    from search.results.export import Export
    from search.results.hits import PublicationHit, SearchResults
    from search.results.pages import PageView
    from search.results.snippets import Snippet
    from search.results.stats import IndexStats
    from search.saved import SavedRun

WIDTH = 80
#: The actions the index summary counts, in order (failures are listed).
COUNTED = (*WRITTEN, Action.REMOVED, Action.UNCHANGED)
BOLD, DIM, RESET = "\x1b[1;33m", "\x1b[2m", "\x1b[0m"


def results_json(results: SearchResults) -> dict[str, Any]:
    """The ``--json`` object (documented in the README)."""
    return {
        "query": results.query,
        "corrected_from": results.corrected_from,
        "total": results.total,
        "total_pages": results.total_pages,
        "offset": results.offset,
        "suggestion": results.suggestion,
        "relaxed": list(results.relaxed),
        "strict_pages": results.strict_pages,
        "facets": results.facets,
        "hits": [
            {
                "id": h.id,
                "title": h.title,
                "subtitle": h.subtitle,
                "description": h.description,
                "authors": list(h.authors),
                "year": h.year,
                "type": h.type,
                "path": h.path,
                "languages": list(h.languages),
                "score": round(h.score, 4),
                "matched_pages": h.matched_pages,
                "missing": list(h.missing),
                "pages": [
                    {
                        "page": p.page,
                        "language": p.language,
                        "score": round(p.score, 4),
                        "ocr": p.ocr,
                        "ocr_confidence": p.ocr_confidence,
                        "snippet": p.snippet.tagged(),
                        "missing": list(p.missing),
                        "matched_as": dict(p.matched_as),
                        "other_form": dict(p.other_form),
                    }
                    for p in h.pages
                ],
            }
            for h in results.hits
        ],
    }


def wrap_highlighted(snippet: Snippet, width: int, indent: str, color: bool) -> list[str]:
    """Wrap a snippet to `width` columns, highlighting its matches in ANSI bold when `color`."""
    text, marks = snippet.text, snippet.marks
    lines = textwrap.wrap(text, width - len(indent), break_long_words=True, break_on_hyphens=False)
    out: list[str] = []
    start = 0
    for line in lines:
        start = text.find(line, start)
        rendered = line
        if color:
            parts, cursor = [], 0
            for a, b in marks:
                a, b = max(a - start, 0), min(b - start, len(line))
                if a < b and a >= cursor:
                    parts += [line[cursor:a], BOLD, line[a:b], RESET]
                    cursor = b
            rendered = "".join(parts) + line[cursor:]
        out.append(indent + rendered)
        start += len(line)
    return out


def _heading(hit: PublicationHit) -> str:
    return f"{hit.title} – {hit.subtitle}" if hit.subtitle else hit.title


def facets_text(facets: dict[str, dict[str, int]], width: int = WIDTH) -> list[str]:
    """One wrapped line per facet: ``type: report 3 · manual 2``."""
    lines = []
    for name, counts in facets.items():
        body = " · ".join(f"{k} {v}" for k, v in counts.items()) or "-"
        lines += textwrap.wrap(f"{name}: {body}", width, subsequent_indent="  ")
    return lines


def results_text(
    results: SearchResults, color: bool = False, width: int = WIDTH, show_facets: bool = False
) -> str:
    """Human-readable results: one block per publication, its best pages under it."""
    hint = f"Did you mean: {results.suggestion}?" if results.suggestion else ""
    if not results.hits:
        return "\n".join(x for x in (f"No publications match {results.query!r}.", hint) if x)
    lines = leniency_notes(results)
    shown = len(results.hits)
    lines += [
        f"{results.total} publication{'s' if results.total != 1 else ''} "
        f"({results.total_pages} page{'s' if results.total_pages != 1 else ''}) match "
        f"{results.query!r}" + (f"; showing {shown}" if shown < results.total else "") + "."
    ]
    if hint:
        lines.append(hint)
    if show_facets:
        lines += facets_text(results.facets, width)
    for rank, hit in enumerate(results.hits, start=1):
        lines.append("")
        prefix = f"{rank}. "
        heading = textwrap.wrap(_heading(hit), width - len(prefix))
        title = (BOLD + heading[0] + RESET) if color else heading[0]
        lines.append(prefix + title)
        lines += [" " * len(prefix) + h for h in heading[1:]]
        facts = " · ".join(
            str(x)
            for x in (
                hit.year,
                hit.type,
                ",".join(hit.languages),
                f"{hit.matched_pages} matching page" + ("s" if hit.matched_pages != 1 else ""),
            )
            if x
        )
        lines.append(f"   {facts}")
        if hit.path:
            lines.append(f"   {hit.path}")
        for page in hit.pages:
            label = f"   p. {page.page}"
            notes = []
            if len(hit.languages) > 1 or page.language not in hit.languages:
                notes.append(page.language)
            if page.ocr:
                conf = f" {page.ocr_confidence:.0f}%" if page.ocr_confidence is not None else ""
                notes.append(f"OCR{conf}")
            if page.missing:
                notes.append(f"missing: {', '.join(page.missing)}")
            notes += [f"{printed}, for {typed}" for typed, printed in page.matched_as.items()]
            notes += [f"other form: {p}, for {typed}" for typed, p in page.other_form.items()]
            if notes:
                label += f" [{'; '.join(notes)}]"
            lines.append((DIM + label + RESET) if color else label)
            lines += wrap_highlighted(page.snippet, width, "      ", color)
    return "\n".join(lines)


def leniency_notes(results: SearchResults) -> list[str]:
    """What was searched when it is not the query as typed, and how to search that."""
    lines = []
    if results.corrected_from is not None:
        lines.append(
            f"Showing results for {results.query} (no pages match {results.corrected_from}); "
            f"--exact searches for {results.corrected_from} as typed."
        )
    if results.relaxed:
        n = results.strict_pages or 0
        lines.append(
            f"{n} page{' has' if n == 1 else 's have'} every word; after them come pages "
            f"that lack some of the words (--exact: only pages with every word)."
        )
    return lines


def export_notes(exported: Export) -> list[str]:
    """The note an export prints on stderr when it answers a correction."""
    if exported.corrected_from is None:
        return []
    return [
        f"showing results for {exported.query} (no pages match {exported.corrected_from}); "
        f"--exact searches for {exported.corrected_from} as typed"
    ]


def file_line(event: FileEvent) -> str | None:
    """One progress line for a file (None for unchanged files: they are only counted)."""
    if event.action is Action.FAILED:
        return f"FAILED {event.path}: {event.reason}: {event.detail}"
    if event.action is Action.UNCHANGED:
        return None
    if event.action is Action.REMOVED:
        return f"removed {event.path}"
    langs = ",".join(event.languages) or "-"
    what = f"{event.action} {event.path}"
    if event.previous_path:
        what = f"renamed {event.previous_path} -> {event.path}"
    line = f"{what}: {event.pages} pages [{langs}]"
    if event.ocr_pages:
        line += f", {event.ocr_pages} read with OCR"
    if event.pages_without_text:
        line += f", {event.pages_without_text} without text"
    if event.needs_ocr:
        line += f" ({event.needs_ocr} need OCR)"
    if event.failed_pages:
        line += f"; PARTIAL: {event.detail}"
    elif event.detail:  # OCR's notes on pages it read
        line += f"; {event.detail}"
    return line + (" (cached)" if event.from_cache else "")


def report_text(report: IndexReport) -> str:
    """The summary line that ends ``pubsearch index``."""
    counts = ", ".join(f"{report.count(a)} {a}" for a in COUNTED)
    partial = f" ({len(report.partial)} partial)" if report.partial else ""
    ocr = f", {report.ocr_pages} read with OCR" if report.ocr_pages else ""
    summary = (
        f"{counts}, {len(report.failures)} failed{partial}; {report.pages} pages indexed "
        f"({report.pages_without_text} without text{ocr}) in {report.seconds:.1f} s "
        f"-> {report.index_dir}"
    )
    return "\n".join([*(f"note: {n}" for n in report.notes), summary])


def report_json(report: IndexReport) -> dict[str, Any]:
    """The ``pubsearch index --json`` object (documented in the README)."""
    return {
        "index": report.index_dir,
        **{a.value: report.count(a) for a in COUNTED},
        "failed": [
            {"path": f.path, "reason": f.reason, "detail": f.detail} for f in report.failures
        ],
        "partial": [
            {"path": e.path, "pages": list(e.failed_pages), "detail": e.detail}
            for e in report.partial
        ],
        "pages_indexed": report.pages,
        "pages_without_text": report.pages_without_text,
        "ocr_pages": report.ocr_pages,
        "needs_ocr": report.needs_ocr,
        "notes": list(report.notes),
        "seconds": round(report.seconds, 3),
    }


def stats_json(stats: IndexStats) -> dict[str, Any]:
    """The ``pubsearch stats --json`` object (documented in the README)."""
    return {
        "index": stats.index_dir,
        "publications": stats.publications,
        "pages": stats.pages,
        "pages_without_text": stats.pages_without_text,
        "ocr_pages": stats.ocr_pages,
        "needs_ocr": stats.needs_ocr,
        "languages": stats.languages,
        "files": stats.files,
        "failed_files": [
            {"path": p.path, "reason": p.reason, "detail": p.detail}
            for p in stats.problems
            if p.status == Status.FAILED
        ],
        "not_fully_indexed": [
            {"path": p.path, "status": p.status, "reason": p.reason, "detail": p.detail}
            for p in stats.problems
        ],
        "size_bytes": stats.size_bytes,
        "last_run": stats.last_run,
    }


def stats_text(stats: IndexStats) -> str:
    langs = ", ".join(f"{k} {v}" for k, v in sorted(stats.languages.items(), key=lambda kv: -kv[1]))
    files = ", ".join(f"{v} {k}" for k, v in sorted(stats.files.items()))
    lines = [
        f"index        {stats.index_dir} ({stats.size_bytes / 1e6:.1f} MB)",
        f"publications {stats.publications}",
        f"pages        {stats.pages} ({stats.pages_without_text} without text; "
        f"{stats.ocr_pages} read with OCR, {stats.needs_ocr} still need OCR)",
        f"languages    {langs or '-'}",
        f"files        {files or '-'}",
    ]
    run = stats.last_run
    if run:
        counts = ", ".join(f"{run.get(a, 0)} {a}" for a in COUNTED)
        failed = run.get("failed")
        n_failed = len(failed) if isinstance(failed, list) else 0
        lines.append(f"last run     {run.get('finished', '?')}: {counts}, {n_failed} failed")
    for p in stats.problems:
        lines.append(f"  {p.status:<8} {p.path}: {p.reason + ': ' if p.reason else ''}{p.detail}")
    return "\n".join(lines)


def page_text(view: PageView, color: bool = False, width: int = WIDTH) -> str:
    """A page for reading: a heading, then its paragraphs wrapped, matches highlighted."""
    ocr = f", OCR {view.ocr_confidence:.0f}%" if view.ocr and view.ocr_confidence else ""
    lines = [f"{view.title} – page {view.page} of {view.page_count} [{view.language}{ocr}]"]
    if view.path:
        lines.append(view.path)
    for paragraph in view.body.split("\n\n"):
        lines.append("")
        lines += wrap_highlighted(paragraph.folded(), width, "", color)
    return "\n".join(lines)


def page_json(view: PageView, marks: PageMarks | None = None) -> dict[str, Any]:
    """The ``show --json`` object; with `marks`, the page size and the matched words' boxes
    (``[x0, y0, x1, y1]`` in PDF points from the page's top left, the page as shown)."""
    data: dict[str, Any] = {
        "id": view.id,
        "title": view.title,
        "page": view.page,
        "page_count": view.page_count,
        "language": view.language,
        "path": view.path,
        "ocr": view.ocr,
        "ocr_confidence": view.ocr_confidence,
        "html": view.html,
    }
    if marks is not None:
        data.update(
            page_width=round(marks.width, 2),
            page_height=round(marks.height, 2),
            box_source=marks.source,
            boxes=marks.points(),
            words=list(marks.words),
        )
    return data


EXPORT_FIELDS = (
    "id", "title", "year", "path", "sha256", "page", "language", "score", "snippet", "missing",
)  # fmt: skip


def export(rows: Iterable[dict[str, Any]], kind: str, out: TextIO) -> int:
    """Write rows as CSV (with a header) or JSON lines; returns how many."""
    count = 0
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    if kind == "csv":
        writer.writeheader()
    for row in rows:
        if kind == "csv":  # the words a page lacks, "; " between them
            writer.writerow({**row, "missing": "; ".join(row.get("missing", ()))})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def saved_text(runs: Sequence[SavedRun], width: int = WIDTH) -> str:
    lines: list[str] = []
    for r in runs:
        since = f" since {r.previous_run}" if r.previous_run else " (first run)"
        lines.append(f"{r.name}: {r.query!r}: {len(r.hits)} pages, {r.new} new{since}")
        for h in r.hits:
            if h["new"] and r.previous_run:
                lack = f" (missing: {', '.join(h['missing'])})" if h.get("missing") else ""
                lines.append(f"  new: {h['id']} p. {h['page']}{lack} – {h['title']}"[:width])
    return "\n".join(lines)


def saved_json(runs: Sequence[SavedRun]) -> list[dict[str, Any]]:
    return [
        {
            "name": r.name,
            "query": r.query,
            "previous_run": r.previous_run,
            "new": r.new,
            "hits": list(r.hits),
        }
        for r in runs
    ]
