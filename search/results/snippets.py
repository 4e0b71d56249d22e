"""Highlighted fragments of the page that matched, as one record: :class:`Snippet`.

Tantivy's snippet generator picks the densest fragment of the page's stored text for the
query's terms in that page's language field and says which byte ranges of it match.
:class:`Snippets` turns that into a :class:`Snippet` (plain text and character ranges)
once; the edges render it: ANSI in :mod:`search.render` (the CLI), ``<mark>`` in
:mod:`search.serve.web.app` (the web page, escaped), and :meth:`Snippet.tagged` for JSON (the
escaped text with ``<b>…</b>`` around matches, as the JSON output has always had it). A
page that matched only through metadata (title, type, year) gets its opening words, with
no highlight.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tantivy

_SPACE = re.compile(r"\s+")
#: The runs of white space that folding changes (every run but a lone space), each whole.
_FOLDABLE = re.compile(r" \s+|[^\S ]\s*")
#: What tantivy's ``Snippet.to_html`` escapes (&, <, >, " and ').
_TANTIVY_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)

SNIPPET_CHARS = 220

Marks = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Snippet:
    """Text with highlights.

    text: plain text (not escaped); marks: the ``[start, end)`` character ranges of `text`
    that match the query, in order and not overlapping (empty: nothing is highlighted).
    """

    text: str
    marks: Marks = ()

    def parts(self) -> Iterator[tuple[str, bool]]:
        """The text in order as (piece, highlighted) pairs; empty pieces left out."""
        last = 0
        for start, end in self.marks:
            if start > last:
                yield self.text[last:start], False
            yield self.text[start:end], True
            last = end
        if last < len(self.text):
            yield self.text[last:], False

    def tagged(self) -> str:
        """The JSON form: the text HTML-escaped, ``<b>…</b>`` around each match.

        With marks it is exactly tantivy's ``to_html`` (which also escapes quotes); without,
        the text escaped as :func:`html.escape` with ``quote=False`` does (the opening words
        and unmarked pages have always been written so)."""
        if not self.marks:
            return html.escape(self.text, quote=False)
        return "".join(
            f"<b>{piece.translate(_TANTIVY_ESCAPES)}</b>"
            if hit
            else piece.translate(_TANTIVY_ESCAPES)
            for piece, hit in self.parts()
        )

    def folded(self) -> Snippet:
        """Every run of white space made one space, both ends stripped; marks kept on the
        same characters."""
        text, marks = self.text, self.marks
        ends: list[int] = []  # where each run that folding shortens or changes ends...
        removed: list[int] = []  # ...and how many characters those runs removed so far
        for m in _FOLDABLE.finditer(text):
            ends.append(m.end())
            removed.append((removed[-1] if removed else 0) + len(m.group()) - 1)
        if ends:
            text = _FOLDABLE.sub(" ", text)

            def moved(offset: int) -> int:
                runs = bisect.bisect_right(ends, offset)  # the runs that end at or before it
                return offset - (removed[runs - 1] if runs else 0)

            marks = tuple((moved(a), moved(b)) for a, b in marks)
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        kept = tuple(
            (a - lead, b - lead) for a, b in marks if 0 <= a - lead < b - lead <= len(stripped)
        )
        return Snippet(text=stripped, marks=kept)

    def split(self, sep: str) -> list[Snippet]:
        """The text cut at every `sep` (as :meth:`str.split`), each piece with its marks."""
        out: list[Snippet] = []
        start = 0
        for piece in self.text.split(sep):
            end = start + len(piece)
            marks = tuple(
                (max(a, start) - start, min(b, end) - start)
                for a, b in self.marks
                if a < end and b > start
            )
            out.append(Snippet(text=piece, marks=marks))
            start = end + len(sep)
        return out


def from_tantivy(snippet: tantivy.Snippet) -> Snippet:
    """A tantivy snippet as a :class:`Snippet`: its fragment and the matches in it (tantivy
    gives byte ranges into the UTF-8 fragment; these are character ranges)."""
    fragment = snippet.fragment()
    raw = fragment.encode()

    def char(offset: int) -> int:
        return len(raw[:offset].decode(errors="ignore"))

    marks = tuple((char(r.start), char(r.end)) for r in snippet.highlighted())
    return Snippet(text=fragment, marks=marks)


def whole_page(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    schema: tantivy.Schema,
    doc: tantivy.Document,
    field: str,
) -> tantivy.Snippet:
    """Tantivy's snippet of `doc`'s text in `field` taken as one fragment (the whole page)."""
    text = str(doc.get_first(field) or "")
    generator = tantivy.SnippetGenerator.create(searcher, query, schema, field)
    generator.set_max_num_chars(len(text.encode()) + 1)  # the limit is in bytes
    return generator.snippet_from_doc(doc)


class Snippets:
    """Snippet generators for one query, one per language field, made on first use."""

    def __init__(self, searcher: tantivy.Searcher, query: tantivy.Query, schema: tantivy.Schema):
        self._searcher, self._query, self._schema = searcher, query, schema
        self._generators: dict[str, tantivy.SnippetGenerator] = {}

    def _generator(self, field: str) -> tantivy.SnippetGenerator:
        if field not in self._generators:
            gen = tantivy.SnippetGenerator.create(self._searcher, self._query, self._schema, field)
            gen.set_max_num_chars(SNIPPET_CHARS)
            self._generators[field] = gen
        return self._generators[field]

    def snippet(self, doc: tantivy.Document, field: str) -> Snippet:
        """The highlighted fragment of `doc`'s text in `field`, white space folded (empty
        when it has no text; its opening words when no word of it matches)."""
        text = doc.get_first(field)
        if not text:
            return Snippet(text="")
        found = self._generator(field).snippet_from_doc(doc)
        if found.highlighted():
            return from_tantivy(found).folded()
        return opening(str(text))


def opening(text: str, limit: int = SNIPPET_CHARS) -> Snippet:
    """The first words of `text`, cut at a word boundary, with no highlight."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return Snippet(text=text)
