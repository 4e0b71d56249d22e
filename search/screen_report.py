"""What ``pubsearch screen`` writes, one name at a time (a list of 100,000 names is never
held in memory): a terminal table, CSV, JSON lines, and one self-contained HTML file whose
hits link to the page view with the name marked. No click, no index.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote, urlencode

from search.query.name_list import Skipped
from search.results.screening import NameResult, ScreenHit

__all__ = ["COLUMNS", "HtmlReport", "csv_rows", "json_line", "table_lines"]

COLUMNS = (
    "line", "name", "list_id", "notes", "tier", "form", "detail", "id", "title", "page",
    "language", "snippet",
)  # fmt: skip
_TAG = re.compile(r"</?b>")


def _plain(snippet: str) -> str:
    return html.unescape(_TAG.sub("", snippet))


def _row(result: NameResult, hit: ScreenHit) -> dict[str, object]:
    listed = result.listed
    return {
        "line": listed.line, "name": listed.name, "list_id": listed.id, "notes": listed.notes,
        "tier": hit.tier, "form": hit.form, "detail": hit.detail, "id": hit.id,
        "title": hit.title, "page": hit.page, "language": hit.language,
        "snippet": _plain(hit.snippet),
    }  # fmt: skip


def table_lines(item: NameResult | Skipped) -> Iterable[str]:
    """A name's block of the terminal table (or the line a skipped name leaves)."""
    if isinstance(item, Skipped):
        yield f"line {item.line}: skipped: {item.reason}"
        return
    listed = item.listed
    ref = f" [{listed.id}]" if listed.id else ""
    if not item.hits:
        known = f" ({item.known} reported before)" if item.known else ""
        yield f"{listed.name}{ref}: no pages{known}"
        return
    more = f", {item.more} more" if item.more else ""
    known = f", {item.known} reported before" if item.known else ""
    yield f"{listed.name}{ref}: {len(item.hits)} pages{more}{known}"
    for hit in item.hits:
        detail = f" ({hit.detail})" if hit.detail else ""
        yield f"  {hit.tier:<12} {hit.form}{detail}  {hit.id} p. {hit.page} [{hit.language}]"


def csv_rows(item: NameResult | Skipped, writer: csv.DictWriter[str]) -> None:
    """The CSV rows of one name (one per page; none for a name without pages)."""
    if isinstance(item, NameResult):
        for hit in item.hits:
            writer.writerow(_row(item, hit))


def json_line(item: NameResult | Skipped) -> str:
    """One JSON object per name (or skipped line), with its pages."""
    if isinstance(item, Skipped):
        return json.dumps({"line": item.line, "skipped": item.reason}, ensure_ascii=False)
    listed = item.listed
    return json.dumps(
        {
            "line": listed.line, "name": listed.name, "list_id": listed.id,
            "notes": listed.notes, "more": item.more, "reported_before": item.known,
            "hits": [
                {k: v for k, v in _row(item, h).items() if k not in ("line", "name")}
                | {"snippet": h.snippet}
                for h in item.hits
            ],
        },
        ensure_ascii=False,
    )  # fmt: skip


class HtmlReport:
    """One self-contained HTML file (styles inline, pictures linked, not embedded) with a
    section per name; each hit links to the page view of `base` (a running ``pubsearch
    serve``) with the name marked."""

    def __init__(self, out: TextIO, base: str, title: str) -> None:
        self.out, self.base = out, base.rstrip("/")
        out.write(
            '<!doctype html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
            f"<h1>{html.escape(title)}</h1>\n"
        )

    def add(self, item: NameResult | Skipped) -> None:
        """One name's section (a skipped line is listed as such)."""
        w = self.out.write
        if isinstance(item, Skipped):
            w(f'<p class="skipped">line {item.line}: skipped: {html.escape(item.reason)}</p>\n')
            return
        listed = item.listed
        ref = f" <small>{html.escape(listed.id)}</small>" if listed.id else ""
        w(f"<section><h2>{html.escape(listed.name)}{ref}</h2>\n")
        if not item.hits:
            w('<p class="none">no pages</p></section>\n')
            return
        more = f" and {item.more} more" if item.more else ""
        w(f"<p>{len(item.hits)} pages{more}</p><table>\n")
        w("<tr><th>tier</th><th>printed</th><th>publication</th><th>page</th><th></th></tr>\n")
        for hit in item.hits:
            query = urlencode({"q": hit.form})
            url = f"{self.base}/page/{quote(hit.id, safe='')}/{hit.page}?{query}"
            detail = f" ({html.escape(hit.detail)})" if hit.detail else ""
            snippet = hit.snippet  # already escaped, the name's words in <b>
            w(
                f'<tr class="{hit.tier}"><td>{hit.tier}</td><td>{html.escape(hit.form)}{detail}'
                f"</td><td>{html.escape(hit.title)}<br><small>{html.escape(hit.id)}</small></td>"
                f'<td><a href="{html.escape(url)}">p. {hit.page}</a></td>'
                f'<td class="snippet">{snippet}</td></tr>\n'
            )
        w("</table></section>\n")

    def close(self) -> None:
        self.out.write("</body></html>\n")


_STYLE = (
    "body{font-family:sans-serif;margin:2rem;max-width:70rem}"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;"
    "padding:.3rem;text-align:left;vertical-align:top}b{background:#fff2a8}"
    ".other-form td:first-child{color:#8a4b00}.spelling td:first-child{color:#1f4e79}"
    ".skipped,.none{color:#666}.snippet{font-size:.9rem}"
)
