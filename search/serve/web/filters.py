"""Jinja filters of the web page: snippets as HTML, their text always escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

from search.results.snippets import Snippet

__all__ = ["highlighted", "tagged"]


def highlighted(snippet: Snippet) -> Markup:
    """A snippet as HTML: its text escaped (no markup from a PDF can survive), ``<mark>``
    around its matches."""
    return Markup(
        "".join(
            f"<mark>{escape(piece)}</mark>" if hit else str(escape(piece))
            for piece, hit in snippet.parts()
        )
    )


def tagged(snippet: str) -> Markup:
    """A snippet in its JSON form (text escaped, ``<b>`` around matches) as HTML, ``<mark>``
    around its matches: nothing but those tags is left unescaped."""
    return Markup(snippet.replace("<b>", "<mark>").replace("</b>", "</mark>"))
