"""Highlighted fragments of the page that matched.

Tantivy's snippet generator picks the densest fragment of the page's stored text for the
query's terms in that page's language field, HTML-escapes it and wraps matches in
``<b>…</b>``. A page that matched only through metadata (title, type, year) gets its
opening words, escaped, with no highlight.
"""

from __future__ import annotations

import html
import re

import tantivy

_SPACE = re.compile(r"\s+")

SNIPPET_CHARS = 220


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

    def html(self, doc: tantivy.Document, field: str) -> str:
        """The highlighted fragment of `doc`'s text in `field` ('' when it has none)."""
        text = doc.get_first(field)
        if not text:
            return ""
        snippet = self._generator(field).snippet_from_doc(doc)
        if snippet.highlighted():
            return _SPACE.sub(" ", snippet.to_html()).strip()
        return opening(str(text))


def opening(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The first words of `text`, cut at a word boundary, HTML-escaped."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)
