"""Screening a list of names (``pubsearch screen``): every page where each name, or a
variant of it, appears, ranked by how sure the match is.

The tiers, strongest first, for a name of one or more words (initials are left out: they
never decide a match):

1. ``as-printed``: every word of the name on the page as typed (stems and inflection
   variants, as an ordinary search finds them);
2. ``other-script``: some word printed in another script (``Волков`` for ``Volkov``), the
   rest as typed, through the name keys of :mod:`indexer.index.names`;
3. ``spelling``: some word printed in another spelling of the same script (``Wolkow``,
   ``Natalja``) through the same keys, or, for screening only, within one or two edits of
   the typed word (``detail`` says the distance): an ordinary search never uses edit
   distance, so its corrections stay as they are;
4. ``other-form``: another form of a surname (``Volkova`` for ``Volkov``): never silently
   the same person, so always labelled.

Each name reports at most `max_pages` pages, best tier first, and counts the rest
(``more``). Every query is a bounded lookup of the index's terms; one view (one commit)
serves the whole list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import tantivy

from indexer.index import documents
from indexer.index.names import name_key
from search.query import compile as qb
from search.query import syntax as q
from search.query.name_list import ListedName, Skipped
from search.query.names import (
    distance,
    matched_as,
    name_query,
    near_forms,
    other_forms,
    surname_forms,
)
from search.reader import Readable, View, view_of
from search.results.aggregations import hit_count
from search.results.snippets import Snippets

__all__ = [
    "DEFAULT_MAX_PAGES",
    "TIERS",
    "NameResult",
    "ScreenHit",
    "hit_key",
    "name_words",
    "screen_names",
]

TIERS = ("as-printed", "other-script", "spelling", "other-form")
DEFAULT_MAX_PAGES = 50
_WORD = re.compile(r"[^\W_]+")
#: Each word searched as a name -> the words of the index it finds, as printed.
Forms = dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenHit:
    """One page where a listed name appears: its `tier` (:data:`TIERS`), the name as the
    page prints it (`form`), a `detail` (the edit distance of a spelling variant), and the
    page: publication `id` and `title`, `page`, `language` and `snippet` (the name's words
    in ``<b>``)."""

    tier: str
    form: str
    detail: str
    id: str
    title: str
    page: int
    language: str
    snippet: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NameResult:
    """The pages of one listed name, best tier first (at most the cap); `more`: how many
    pages past the cap matched; `known`: how many pages a watchlist's earlier run reported
    and this one leaves out."""

    listed: ListedName
    hits: tuple[ScreenHit, ...]
    more: int = 0
    known: int = 0


def hit_key(listed: ListedName, hit: ScreenHit) -> str:
    """What a watchlist remembers of a reported hit: the name, the publication, the page."""
    return f"{listed.name}\t{hit.id}\t{hit.page}"


def name_words(name: str) -> list[str]:
    """The words of a name, initials left out (``Volkov V. L.`` -> ``["Volkov"]``)."""
    return [w for w in _WORD.findall(name) if len(w) > 1 or not w.isalpha()]


def _script(word: str) -> str:
    letter = next((c for c in word if c.isalpha()), "")
    return unicodedata.name(letter, "").split(" ")[0] if letter else ""


def max_edits(word: str) -> int:
    """How many edits a printed word may be from a name's word to count as its spelling
    variant: one up to seven letters (Volkov is not Volvo), two past that."""
    return 1 if len(word) <= 7 else 2


def _and(nodes: Sequence[q.Node]) -> q.Node:
    return q.And(tuple(nodes)) if len(nodes) > 1 else nodes[0]


def _without(query: tantivy.Query, *others: tantivy.Query) -> tantivy.Query:
    clauses = [(tantivy.Occur.Must, query)]
    clauses += [(tantivy.Occur.MustNot, other) for other in others]
    return tantivy.Query.boolean_query(clauses)


class _Screen:
    """The queries of one name over one view of the index."""

    def __init__(
        self, view: View, max_pages: int, filters: q.Filters | None, snippets: bool
    ) -> None:
        self.view, self.max_pages, self.filters = view, max_pages, filters
        self.snippets = snippets
        self.schema, self.searcher = view.index.schema, view.searcher
        # Names as written: no inflection, compound or diacritic expansion of ordinary words
        # (a name's other forms have a tier of their own), one edit at most for fuzziness.
        self.options = qb.Options(analysis=view.analysis, expand=False, fuzzy_max=1)

    def build(
        self, node: q.Node, options: qb.Options, names: dict[str, tuple[str, ...]] | None = None
    ) -> tantivy.Query:
        schema, searcher, filters = self.schema, self.searcher, self.filters
        return qb.build(
            node, schema, filters=filters, options=options, searcher=searcher, names=names
        )

    def tiers(
        self, words: Sequence[str]
    ) -> Iterator[tuple[str, tantivy.Query, dict[str, tuple[str, ...]]]]:
        """(kind, query, name forms) of each tier, each query without the pages before."""
        node = _and([q.Word(w) for w in words])
        typed = self.build(node, replace(self.options, names=False))
        names: dict[str, tuple[str, ...]] = {}
        keyed = self.build(node, self.options, names)
        yield "as-printed", typed, {}
        if names:
            yield "key", _without(keyed, typed), names
        fuzzy, near = self.near(words)
        if near:
            yield "fuzzy", _without(fuzzy, keyed), near
        forms = other_forms(self.searcher, words)
        if forms:
            either = [
                q.Or(tuple(q.Word(f) for f in forms[w])) if w in forms else q.Word(w) for w in words
            ]
            other = _and(either)
            query = self.build(other, replace(self.options, names=False))
            yield "other-form", _without(query, keyed, fuzzy), forms

    def near(self, words: Sequence[str]) -> tuple[tantivy.Query, Forms]:
        """Pages with every word as typed, through its key, or as a word whose key is a
        few edits from the word's (:func:`search.query.names.near_forms`), and those words."""
        clauses, found = [], {}
        for word in words:
            alternatives = [self.build(q.Word(word), self.options)]
            near = near_forms(self.searcher, word, max_edits(word))
            as_name = name_query(self.schema, [lookup for lookup, _ in near])
            if as_name is not None:
                alternatives.append(as_name)
                found[word] = tuple(dict.fromkeys(lookup.word for lookup, _ in near))
            either = [(tantivy.Occur.Should, a) for a in alternatives]
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(either)))
        query = qb.restrict(tantivy.Query.boolean_query(clauses), self.schema, self.filters)
        return query, found

    def screen(self, listed: ListedName, known: Iterable[str]) -> NameResult:
        words = name_words(listed.name)
        seen_before = set(known)
        hits: list[ScreenHit] = []
        total = left_out = 0
        for kind, query, names in self.tiers(words):
            found = self.searcher.search(query, self.max_pages + 1, count=True)
            total += hit_count(found)
            room = self.max_pages - len(hits)
            if room <= 0 or not found.hits:
                continue
            snippets = Snippets(self.searcher, query, self.schema) if self.snippets else None
            for _, address in found.hits[:room]:
                hit = self._hit(kind, words, names, self.searcher.doc(address), snippets)
                if hit is None:  # the page does not print the word the lookup promised
                    total -= 1
                elif hit_key(listed, hit) in seen_before:
                    left_out += 1
                else:
                    hits.append(hit)
        hits.sort(key=lambda h: TIERS.index(h.tier))  # an edit away may be another form
        shown = len(hits) + left_out
        return NameResult(
            listed=listed, hits=tuple(hits), more=max(0, total - shown), known=left_out
        )

    def _hit(
        self,
        kind: str,
        words: Sequence[str],
        names: Mapping[str, tuple[str, ...]],
        doc: tantivy.Document,
        snippets: Snippets | None,
    ) -> ScreenHit | None:
        page = documents.page_of(doc)
        pub = documents.publication_of(doc)
        found = self._tier(kind, words, names, page.text)
        if found is None:
            return None
        tier, detail, printed = found
        return ScreenHit(
            tier=tier,
            form=" ".join(printed.get(w, w) for w in words),
            detail=detail,
            id=pub.id,
            title=pub.title,
            page=page.number,
            language=page.language,
            snippet=snippets.snippet(doc, documents.text_field_of(doc)).tagged()
            if snippets is not None
            else "",
        )

    @staticmethod
    def _tier(
        kind: str, words: Sequence[str], names: Mapping[str, tuple[str, ...]], text: str
    ) -> tuple[str, str, dict[str, str]] | None:
        """The tier, detail and printed forms of a page found by the query of `kind`; None
        for an edit-distance match whose printed word is further from the name than
        :func:`max_edits` allows (the query reaches stems, not printed words)."""
        if kind in ("key", "other-form"):
            printed = matched_as(text, names)
            if kind == "other-form":
                return "other-form", "", printed
            other_script = any(_script(w) != _script(p) for w, p in printed.items())
            return ("other-script" if other_script else "spelling"), "", printed
        if kind == "fuzzy":
            printed = matched_as(text, names)
            if not printed:
                return None
            others = {name_key(f) for w in words for f in surname_forms(w)}
            if any(name_key(p) in others for p in printed.values()):
                return "other-form", "", printed  # Волкова, one edit from Volkov
            edits = max(distance(name_key(w), name_key(p)) for w, p in printed.items())
            return "spelling", f"edit distance {edits}", printed
        return "as-printed", "", {}


def screen_names(
    reader: Readable,
    names: Iterable[ListedName | Skipped],
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    filters: q.Filters | None = None,
    known: Mapping[str, Iterable[str]] | None = None,
    snippets: bool = True,
) -> Iterator[NameResult | Skipped]:
    """Screen each name of `names` (as :func:`search.query.name_list.read_names` yields
    them) against one commit of the index; skipped lines pass through. `known`: per name,
    the :func:`hit_key` of pages an earlier run reported (a watchlist), left out;
    `snippets`: make each page's snippet (the terminal table shows none)."""
    view = view_of(reader)
    screen = _Screen(view, max_pages, filters, snippets)
    for item in names:
        if isinstance(item, Skipped):
            yield item
        elif not name_words(item.name):
            yield Skipped(line=item.line, reason=f"only initials: {item.name!r}")
        else:
            yield screen.screen(item, (known or {}).get(item.name, ()))
