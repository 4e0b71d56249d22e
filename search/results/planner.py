"""Queries as analysts type them: results for the correction, pages with most of the words.

:func:`plan` decides how a query is answered, from what the index holds:

- **Results for the correction.** A query that matches no page is answered with its
  did-you-mean correction (:mod:`search.query.suggest`) when that matches pages, and the results
  say so (``corrected_from``). Not for a query with a quoted phrase, not when asked for
  ``exact``; field syntax that is itself wrong never gets this far (a parse error).
- **Pages with most of the words.** A query of :data:`MIN_WORDS` to :data:`MAX_WORDS`
  words (top-level words, prefixes or OR groups; field terms and ``-exclusions`` always
  apply) whose pages with every word are fewer than :data:`RELAX_BELOW` also gets the
  pages that lack one of the words, then (if still fewer) two, as long as two words remain.
  Each *tier* ranks after the one before it; each page says which words it lacks. A query
  written with ``AND``, ``+word`` or a quoted phrase is searched strictly, and so is every
  query with ``exact``.

A tier is one query per set of lacking words (``Must`` the others, ``MustNot`` these), so
pages of different sets never overlap and scores stay BM25 of the words a page has.
:func:`search.results.answer.run_plan` runs the tiers with :func:`search.results.hits.run`
and merges them by publication. Two more tiers come from names
(:mod:`search.query.names`): the pages that print every word as typed come before those
that hold some word only in another script or spelling, and pages with another form of a
surname (Волкова for Volkov) come last, labelled. Nothing here scans the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations

import tantivy

from search.query import compile as qb
from search.query import syntax as q
from search.query.names import is_initial, other_forms
from search.query.suggest import correctable, suggest
from search.results.aggregations import hit_count
from search.results.hits import (
    FIRST_PAGE_HITS,
)

#: "Fewer than a handful": below this many pages with every word, pages with most are added.
RELAX_BELOW = 5
MIN_WORDS = 3
MAX_WORDS = 8
MAX_MISSING = 2
#: A query with fewer matching pages than this gets a "did you mean" suggestion.
SUGGEST_BELOW = 3
_STRICT = re.compile(r'"|(?:^|[\s(])(?:AND(?=[\s)]|$)|\+(?=\S))')


@dataclass(frozen=True, slots=True)
class Tier:
    """Pages lacking exactly `missing` of the words (0: every word).

    query: those pages, restricted by the filters; combos: for ``missing > 0``, the words
    lacking and the query of the pages that lack exactly those."""

    missing: int
    query: tantivy.Query
    combos: tuple[tuple[tuple[str, ...], tantivy.Query], ...] = ()
    other_form: bool = False  # pages with another form of a surname of the query


@dataclass(frozen=True, slots=True)
class Plan:
    """How one query is answered.

    text: the query searched (the correction when one was made); corrected_from: the query
    as typed when it was corrected, else None; tiers: all words first, then pages lacking
    one word, then two; words: the words a page may lack (empty when only pages with every
    word are searched), with `units` their queries; strict_pages: pages with every word;
    suggestion: a did-you-mean for a query that finds little and was not corrected;
    first: the first :data:`~search.results.hits.FIRST_PAGE_HITS` page hits of the first
    tier's query, when they were read while planning (they are counted then), else None;
    names: each word searched as a name -> the words of the index it also finds, as printed
    (:mod:`search.query.names`); other_forms: each word that may be a surname -> its other
    form and the index's words that print it, when a last tier has their pages.
    """

    text: str
    node: q.Node
    corrected_from: str | None
    tiers: tuple[Tier, ...]
    words: tuple[str, ...] = ()
    units: tuple[tantivy.Query, ...] = ()
    strict_pages: int = 0
    suggestion: str | None = None
    first: tantivy.SearchResult | None = None
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other_forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def query(self) -> tantivy.Query:
        """Every page of every tier (facets and counts)."""
        if len(self.tiers) == 1:
            return self.tiers[0].query
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, t.query) for t in self.tiers])


def pages_of(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """How many pages match `query` (counted unscored: the same pages, less work)."""
    unscored = tantivy.Query.const_score_query(query, 1.0)
    return hit_count(searcher.search(unscored, 1, count=True))


def strict_syntax(text: str) -> bool:
    """Whether the query asks for every word itself: ``AND``, ``+word`` or a quote."""
    return _STRICT.search(text) is not None


def _relaxable(node: q.Node) -> bool:
    if isinstance(node, q.Prefix):
        return True
    if isinstance(node, q.Word):
        return node.field is None
    return isinstance(node, q.Or) and all(_relaxable(n) for n in node.nodes)


def label(node: q.Node) -> str:
    """How a word of the query is named when a page lacks it."""
    if isinstance(node, q.Prefix):
        return node.text + "*"
    if isinstance(node, q.Or):
        return " OR ".join(label(n) for n in node.nodes)
    assert isinstance(node, q.Word)
    return node.text


@dataclass(frozen=True, slots=True)
class _Parts:
    """A query split for relaxation: the words a page may lack (`labels`, their queries
    `units`) and the clauses every page must satisfy (`base`: field terms, exclusions)."""

    labels: tuple[str, ...]
    units: tuple[tantivy.Query, ...]
    base: tuple[tuple[tantivy.Occur, tantivy.Query], ...]


def _occur(node: q.Node) -> tantivy.Occur:
    if isinstance(node, q.Not):
        return tantivy.Occur.MustNot
    return tantivy.Occur.Should if qb.initial(node) else tantivy.Occur.Must


def _split(
    node: q.Node,
    schema: tantivy.Schema,
    options: qb.Options,
    searcher: tantivy.Searcher,
    names: dict[str, tuple[str, ...]],
) -> _Parts | None:
    """`node` in parts, built by one builder, when it has MIN_WORDS to MAX_WORDS words."""
    children = node.nodes if isinstance(node, q.And) else (node,)
    # initials (V. L.) are never required and never count as words a page may lack
    words = [c for c in children if _relaxable(c) and not qb.initial(c)]
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return None
    required = [c for c in children if not _relaxable(c) or qb.initial(c)]
    inner = [c.node if isinstance(c, q.Not) else c for c in required]
    built = qb.build_each([*words, *inner], schema, options=options, searcher=searcher, names=names)
    base = tuple((_occur(c), b) for c, b in zip(required, built[len(words) :], strict=True))
    return _Parts(tuple(label(w) for w in words), tuple(built[: len(words)]), base)


def _strict(
    text: str,
    node: q.Node,
    schema: tantivy.Schema,
    filters: q.Filters | None,
    options: qb.Options,
    searcher: tantivy.Searcher,
    relax: bool,
    names: dict[str, tuple[str, ...]],
) -> tuple[tantivy.Query, _Parts | None]:
    """The all-words query of `node`, and its parts when it may be relaxed (the words'
    queries are built once, for both); the words searched as names go into `names`."""
    relaxed = relax and not strict_syntax(text)
    parts = _split(node, schema, options, searcher, names) if relaxed else None
    if parts is None:
        query = qb.build(
            node, schema, filters=filters, options=options, searcher=searcher, names=names
        )
        return query, None
    every = [*parts.base, *((tantivy.Occur.Must, unit) for unit in parts.units)]
    return qb.restrict(tantivy.Query.boolean_query(every), schema, filters), parts


def plan(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    text: str,
    filters: q.Filters | None = None,
    options: qb.Options | None = None,
    exact: bool = False,
    correct: bool = True,
) -> Plan:
    """How to answer `text`: corrected or not, strictly or with pages lacking words.

    `exact`: the query as typed, every word required (no correction, no relaxation);
    `correct=False`: never answer with a correction (saved queries run as saved)."""
    options = options or qb.Options()
    if exact:  # as typed: no name in another script or spelling
        options = replace(options, names=False)
    node = q.parse(text)
    names: dict[str, tuple[str, ...]] = {}
    strict, parts = _strict(text, node, schema, filters, options, searcher, not exact, names)
    read = searcher.search(strict, FIRST_PAGE_HITS, count=True)  # the run starts from them
    first: tantivy.SearchResult | None = read
    pages = hit_count(read)
    corrected_from = suggestion = None
    other = None if exact else _other_form_tier(searcher, schema, node, filters, options)
    # A word the index prints as a name (in any script or spelling), or another form of it,
    # is no typo: it is never corrected into another word (Volkov is not "volvo").
    if pages < SUGGEST_BELOW and not names and other is None:
        suggestion = suggest(searcher, schema, text, node)
        if suggestion is not None:
            fixed_node = q.parse(suggestion)
            relax = not exact
            fixed, fixed_parts = _strict(
                suggestion, fixed_node, schema, filters, options, searcher, relax, names
            )
            fixed_pages = pages_of(searcher, fixed)
            if fixed_pages <= pages:
                suggestion = None
            elif pages == 0 and correct and not exact and correctable(node):
                corrected_from, text, node, strict = text, suggestion, fixed_node, fixed
                pages, parts, suggestion, first = fixed_pages, fixed_parts, None, None
    tiers: tuple[Tier, ...] = (Tier(0, strict),)
    if names and pages:  # pages printing every word as typed first, then through a name
        tiers, first = _typed_first(strict, text, node, schema, filters, options, searcher)
    done = Plan(
        text,
        node,
        corrected_from,
        tiers,
        strict_pages=pages,
        suggestion=suggestion,
        first=first,
        names=names,
    )
    if parts is not None and pages < RELAX_BELOW:
        done = _relaxed(done, parts, searcher, schema, filters)
    if other is None or corrected_from is not None:
        return done
    return _with_other_forms(done, *other, searcher)


def _with_other_forms(
    done: Plan, query: tantivy.Query, forms: dict[str, tuple[str, ...]], searcher: tantivy.Searcher
) -> Plan:
    """`done` with a last tier: the pages of `query` (another form of a surname) that no
    tier before has."""
    last = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, done.query)]
    )
    if not pages_of(searcher, last):
        return done
    tiers = (*done.tiers, Tier(0, last, other_form=True))
    return replace(done, tiers=tiers, other_forms=forms, first=None)


def _other_form_tier(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    node: q.Node,
    filters: q.Filters | None,
    options: qb.Options,
) -> tuple[tantivy.Query, dict[str, tuple[str, ...]]] | None:
    """The pages that print the query with another form of a surname in it (Волкова for
    Volkov), and those forms; None when no word has another form the index prints."""
    if not options.names:
        return None
    words = [w.text for w in q.walk_words(node) if isinstance(w, q.Word) and not w.field]
    held = other_forms(searcher, [w for w in words if not is_initial(w)])
    if not held:
        return None

    def swapped(n: q.Node) -> q.Node:
        if isinstance(n, q.Word) and n.field is None and n.text in held:
            return q.Or(tuple(q.Word(f) for f in held[n.text]))
        if isinstance(n, q.And):
            return q.And(tuple(swapped(c) for c in n.nodes))
        return n

    plain = replace(options, names=False)
    query = qb.build(swapped(node), schema, filters=filters, options=plain, searcher=searcher)
    return query, held


def _typed_first(
    strict: tantivy.Query,
    text: str,
    node: q.Node,
    schema: tantivy.Schema,
    filters: q.Filters | None,
    options: qb.Options,
    searcher: tantivy.Searcher,
) -> tuple[tuple[Tier, ...], None]:
    """Two tiers of pages with every word: as typed, then the others, which hold some word
    only in another script or spelling (a name key); no hits read yet for either."""
    as_typed = replace(options, names=False)
    typed, _ = _strict(text, node, schema, filters, as_typed, searcher, False, {})
    keyed = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, strict), (tantivy.Occur.MustNot, typed)]
    )
    return (Tier(0, typed), Tier(0, keyed)), None


def _relaxed(
    done: Plan,
    parts: _Parts,
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    filters: q.Filters | None,
) -> Plan:
    """`done` with tiers of pages lacking one, then two of the words."""
    n = len(parts.units)
    tiers, found = list(done.tiers), done.strict_pages
    for missing in range(1, MAX_MISSING + 1):
        if found >= RELAX_BELOW or n - missing < 2:
            break
        combos = []
        for lacking in combinations(range(n), missing):
            clauses = [
                *parts.base,
                *(
                    (tantivy.Occur.MustNot if i in lacking else tantivy.Occur.Must, unit)
                    for i, unit in enumerate(parts.units)
                ),
            ]
            combo = qb.restrict(tantivy.Query.boolean_query(clauses), schema, filters)
            combos.append((tuple(parts.labels[i] for i in lacking), combo))
        query = tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for _, c in combos])
        pages = pages_of(searcher, query)
        if pages:
            tiers.append(Tier(missing, query, tuple(combos)))
            found += pages
    if len(tiers) == 1:
        return done
    return replace(done, tiers=tuple(tiers), words=parts.labels, units=parts.units)
