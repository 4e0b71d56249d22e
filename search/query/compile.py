"""A parsed query + filters -> a Tantivy query (building), and how it is explained.

Every word is analyzed separately for each language field with that field's analyzer, so
``barnen`` is stemmed as Swedish against Swedish pages and as Russian against Russian ones.
A word that one language drops as a stop word is satisfied by every page of that language.
Title and subtitle matches (``meta_*`` fields) are boosted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import tantivy

from indexer.index import documents
from indexer.index import schema as s
from indexer.index.spelling import for_language
from indexer.model import STANDARD
from search.errors import QuerySyntaxError
from search.query.expansions import Terms, expansions
from search.query.names import is_initial, name_forms, name_query
from search.query.syntax import (
    And,
    Filters,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Word,
    YearRange,
    walk_words,
)

#: A publication whose title or subtitle matches a query word ranks by its best page's
#: score times this; in page scores, title matches count this much of a page-text match.
TITLE_BOOST = 1.5
META_WEIGHT = 0.5
FUZZY_WEIGHT = 0.3
TIE_BREAKER = 0.3


@dataclass(frozen=True, slots=True)
class Options:
    """How queries are built: the index's analysis (see :data:`indexer.model.ANALYSES`) and
    the weight of title/subtitle matches."""

    analysis: str = STANDARD
    title_boost: float = TITLE_BOOST
    meta_weight: float = META_WEIGHT
    fuzzy: bool = False  # also match words within an edit distance (1, or 2 past 5 letters)
    expand: bool = (
        True  # index-aware expansion (search.query.expansions); off for an evaluation ablation
    )
    names: bool = True  # a word also finds its name in other scripts and spellings (names)
    fuzzy_max: int = 2  # the most edits `fuzzy` allows (1 up to five letters in any case)


def analyzed(code: str, text: str, analysis: str = STANDARD) -> list[tuple[int, str]]:
    """(position, token) pairs for `text` under language `code`'s analyzer."""
    analyzer = s.analyzer(code, analysis)
    return [(t.position, t.text) for t in analyzer.pre_tokenize(for_language(text, code)).tokens]


def _field_query(
    schema: tantivy.Schema, field: str, tokens: list[tuple[int, str]]
) -> tantivy.Query:
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, field, tokens[0][1])
    first = tokens[0][0]
    return tantivy.Query.phrase_query(schema, field, [(p - first, t) for p, t in tokens])


def _year_query(schema: tantivy.Schema, low: int | None, high: int | None) -> tantivy.Query:
    if low is not None and low == high:
        return tantivy.Query.term_query(schema, s.F_YEAR, low)
    return tantivy.Query.range_query(
        schema,
        s.F_YEAR,
        tantivy.FieldType.Integer,
        low if low is not None else 0,
        high if high is not None else 9999,
    )


def _raw_any(schema: tantivy.Schema, field: str, values: Sequence[str]) -> tantivy.Query:
    return tantivy.Query.term_set_query(schema, field, [v.lower() for v in values])


class _Builder:
    """Turns a parsed query into a Tantivy query for one schema and set of options.

    With a `searcher`, single words are also expanded against the index's own terms
    (:mod:`search.query.expansions`); languages with no page in the index are skipped for that.
    """

    def __init__(
        self,
        schema: tantivy.Schema,
        options: Options,
        searcher: tantivy.Searcher | None,
        names: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.schema, self.options, self.searcher = schema, options, searcher
        self.terms = Terms(searcher) if searcher is not None else None
        self._present: dict[str, bool] = {}
        #: Each word searched as a name -> the words of the index it also finds (as printed).
        self.names: dict[str, tuple[str, ...]] = {} if names is None else names

    def name(self, text: str) -> tantivy.Query | None:
        """The pages that print `text` (one word) in another script or spelling
        (:mod:`search.query.names`), or None."""
        if self.searcher is None or not self.options.names or self.options.analysis != STANDARD:
            return None
        forms = name_forms(self.searcher, text)
        if forms:
            self.names[text] = tuple(dict.fromkeys(f.word for f in forms))
        return name_query(self.schema, forms)

    def present(self, code: str) -> bool:
        if self.searcher is None:
            return False
        if code not in self._present:
            self._present[code] = self.searcher.doc_freq(s.F_LANG, code) > 0
        return self._present[code]

    def holds(self, field: str, tokens: list[tuple[int, str]]) -> bool:
        """Whether some document holds each of `tokens` in `field` (without a searcher:
        assumed). A term no document holds adds nothing to a query but its cost, paid in
        every segment of the index, so it is left out."""
        return self.searcher is None or all(self.searcher.doc_freq(field, t) for _, t in tokens)

    def field(
        self, code: str, field: str, word: str, tokens: list[tuple[int, str]]
    ) -> tantivy.Query | None:
        """`word` (analyzed: `tokens`) in `field` with its expansions, or None when no
        page or title holds any of them there."""
        exact = _field_query(self.schema, field, tokens) if self.holds(field, tokens) else None
        options = self.options
        if (
            len(tokens) != 1
            or not (options.expand or options.fuzzy)
            or options.analysis != STANDARD
            or not self.present(code)
        ):
            return exact
        assert self.terms is not None
        token = tokens[0][1]
        extra: list[tantivy.Query] = []
        if options.expand:
            extra += expansions(self.terms, self.schema, field, code, word.lower(), token)
        if options.fuzzy and len(token) >= 3:
            distance = min(1 if len(token) <= 5 else 2, options.fuzzy_max)
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field, token, distance)
            extra.append(tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT))
        if not extra:
            return exact
        # Forms of one word, as BM25 of their merged postings would: the best form in
        # full, every other form the page holds at the tie-breaker's share (a page with
        # both "offer" and "brottsoffer" above one with only "offer" as often).
        forms = [exact, *extra] if exact is not None else extra
        return tantivy.Query.disjunction_max_query(forms, TIE_BREAKER)

    def analyzed(self, code: str, text: str) -> list[tuple[int, str]]:
        return analyzed(code, text, self.options.analysis)

    def text(self, text: str) -> tantivy.Query:
        """`text` (a word or phrase) in any language's page text or in the title."""
        if not analyzed(s.UNDETERMINED, text):
            raise QuerySyntaxError(f"{text!r} has no letters or digits to search for")
        schema = self.schema
        alternatives: list[tantivy.Query] = []
        for code, spec in s.LANGUAGES.items():
            tokens = self.analyzed(code, text)
            if tokens:
                in_text = self.field(code, spec.text_field, text, tokens)
                if in_text is not None:
                    alternatives.append(in_text)
                in_meta = self.field(code, spec.meta_field, text, tokens)
                if in_meta is not None:
                    weight = self.options.meta_weight
                    alternatives.append(tantivy.Query.boost_query(in_meta, weight))
            else:  # only stop words for this language: every page of it satisfies them
                alternatives.append(
                    tantivy.Query.const_score_query(
                        tantivy.Query.term_query(schema, s.F_LANG, code), 0.0
                    )
                )
        as_name = self.name(text) if " " not in text.strip() else None
        if as_name is not None:
            alternatives.append(as_name)
        if not alternatives:  # in no page and no title
            return tantivy.Query.empty_query()
        return tantivy.Query.disjunction_max_query(alternatives, TIE_BREAKER)

    def prefix(self, text: str) -> tantivy.Query:
        """Words starting with `text` in any language's page text or in the title."""
        tokens = analyzed(s.UNDETERMINED, text)
        if len(tokens) != 1:
            raise QuerySyntaxError(f"{text}* : a prefix is one word of letters or digits")
        prefix = tokens[0][1]
        pattern = re.escape(prefix) + ".*"

        def holds(field: str) -> bool:  # one bounded lookup: a field without the prefix is left out
            found = self.searcher is None or self.searcher.terms_with_prefix(field, prefix, limit=1)
            return bool(found)

        alternatives = []
        for spec in s.LANGUAGES.values():
            if holds(spec.text_field):
                alternatives.append(
                    tantivy.Query.regex_query(self.schema, spec.text_field, pattern)
                )
            if holds(spec.meta_field):
                alternatives.append(
                    tantivy.Query.boost_query(
                        tantivy.Query.regex_query(self.schema, spec.meta_field, pattern),
                        self.options.meta_weight,
                    )
                )
        if not alternatives:
            return tantivy.Query.empty_query()
        return tantivy.Query.disjunction_max_query(alternatives, TIE_BREAKER)

    def title(self, text: str) -> tantivy.Query:
        alternatives = []
        neutral = analyzed(s.UNDETERMINED, text)
        if neutral:
            alternatives += [
                _field_query(self.schema, f, neutral)
                for f in (s.F_TITLE, s.F_SUBTITLE)
                if self.holds(f, neutral)
            ]
        for code, spec in s.LANGUAGES.items():
            tokens = self.analyzed(code, text)
            if tokens and self.holds(spec.meta_field, tokens):
                alternatives.append(_field_query(self.schema, spec.meta_field, tokens))
        if not alternatives:
            return tantivy.Query.empty_query()
        return tantivy.Query.disjunction_max_query(alternatives, TIE_BREAKER)

    def node(self, node: Node) -> tantivy.Query:
        schema = self.schema
        if isinstance(node, Prefix):
            return self.prefix(node.text)
        if isinstance(node, (Word, Phrase)):
            if node.field is None:
                return self.text(node.text)
            if node.field == "title":
                return self.title(node.text)
            if node.field == "author":
                tokens = analyzed(s.UNDETERMINED, node.text)
                if not tokens:
                    return tantivy.Query.empty_query()
                return _field_query(schema, s.F_AUTHORS, tokens)
            raw_field = {"type": s.F_TYPE, "lang": s.F_LANG, "id": s.F_ID}[node.field]
            value = node.text if node.field == "id" else node.text.lower()
            return tantivy.Query.term_query(schema, raw_field, value)
        if isinstance(node, YearRange):
            return _year_query(schema, node.low, node.high)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self.node(node.node)),
                ]
            )
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self.node(n)) for n in node.nodes]
            )
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for child in node.nodes:
            if isinstance(child, Not):
                clauses.append((tantivy.Occur.MustNot, self.node(child.node)))
            elif initial(child):  # V. L. beside a name: printed or not, in any order
                clauses.append((tantivy.Occur.Should, self.node(child)))
            else:
                clauses.append((tantivy.Occur.Must, self.node(child)))
        if all(occur != tantivy.Occur.Must for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)


def initial(node: Node) -> bool:
    """Whether `node` is an initial of a name (``V.``, ``V.L.``), never a required word."""
    return isinstance(node, Word) and node.field is None and is_initial(node.text)


def build(
    node: Node,
    schema: tantivy.Schema,
    *,
    filters: Filters | None = None,
    options: Options | None = None,
    searcher: tantivy.Searcher | None = None,
    names: dict[str, tuple[str, ...]] | None = None,
) -> tantivy.Query:
    """The Tantivy query for a parsed query plus filters, over page documents only.

    Given the index's `searcher`, words are also expanded against its terms (inflection,
    compounds, diacritics: :mod:`search.query.expansions`; names in other scripts and
    spellings: :mod:`search.query.names`, recorded in `names` when given)."""
    query = _Builder(schema, options or Options(), searcher, names).node(node)
    return restrict(query, schema, filters)


def build_each(
    nodes: Sequence[Node],
    schema: tantivy.Schema,
    *,
    options: Options | None = None,
    searcher: tantivy.Searcher | None = None,
    names: dict[str, tuple[str, ...]] | None = None,
) -> list[tantivy.Query]:
    """The Tantivy query of each node (unrestricted), built by one builder so that the
    index's terms are looked up once (:mod:`search.results.planner` combines them); the
    words searched as names are recorded in `names` when given."""
    builder = _Builder(schema, options or Options(), searcher, names)
    return [builder.node(node) for node in nodes]


def restrict(
    query: tantivy.Query, schema: tantivy.Schema, filters: Filters | None = None
) -> tantivy.Query:
    """`query` over page documents only, restricted by `filters`."""
    filters = filters or Filters()
    restrictions = [documents.pages_query(schema)]
    if filters.languages:
        restrictions.append(_raw_any(schema, s.F_LANG, filters.languages))
    if filters.types:
        restrictions.append(_raw_any(schema, s.F_TYPE, filters.types))
    if filters.years is not None:
        restrictions.append(_year_query(schema, *filters.years))
    if filters.run is not None:
        restrictions.append(tantivy.Query.term_query(schema, s.F_RUN, filters.run))
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, query)] + [(tantivy.Occur.Must, r) for r in restrictions]
    )


def title_query(
    node: Node,
    schema: tantivy.Schema,
    options: Options | None = None,
    searcher: tantivy.Searcher | None = None,
) -> tantivy.Query | None:
    """Pages whose publication title or subtitle matches any word or phrase of the query
    (None when the query has none): used to rank such publications higher. Given the
    index's `searcher`, terms no title holds are left out."""
    texts = [w.text for w in walk_words(node) if isinstance(w, (Word, Phrase)) and not w.field]
    if not texts:
        return None
    builder = _Builder(schema, options or Options(), searcher)
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, builder.title(t)) for t in texts])


def explain(node: Node, indent: int = 0, *, analysis: str = STANDARD) -> Iterator[str]:
    """Lines describing how a parsed query is searched, with the analyzers the query is
    built with (those of the index's `analysis`): per language, the terms of page text
    and titles after analysis (stemming, stop words); ``author:`` and the title fields
    as written with the language-neutral analyzer (no stemming)."""
    pad = "  " * indent
    if isinstance(node, And | Or):
        yield f"{pad}{'ALL OF' if isinstance(node, And) else 'ANY OF'}"
        for child in node.nodes:
            yield from explain(child, indent + 1, analysis=analysis)
    elif isinstance(node, Not):
        yield f"{pad}NOT"
        yield from explain(node.node, indent + 1, analysis=analysis)
    elif isinstance(node, Prefix):
        yield f"{pad}words starting with {node.text.lower()!r} in page text or title"
    elif isinstance(node, YearRange):
        low, high = (
            node.low if node.low is not None else "*",
            node.high if node.high is not None else "*",
        )
        yield f"{pad}year in [{low} TO {high}]"
    elif node.field in ("type", "lang", "id"):
        yield f"{pad}{node.field} = {node.text.lower() if node.field != 'id' else node.text}"
    else:
        kind = "phrase" if isinstance(node, Phrase) else "word"
        where = {None: "page text or title", "title": "title", "author": "authors"}[node.field]
        yield f'{pad}{kind} "{node.text}" in {where}:'
        neutral = " ".join(t for _, t in analyzed(s.UNDETERMINED, node.text)) or "(nothing)"
        if node.field == "author":  # as _Builder.node searches it: the neutral analyzer only
            yield f"{pad}  authors (not stemmed): {neutral}"
            return
        if node.field == "title":
            yield f"{pad}  title, subtitle (not stemmed): {neutral}"
        groups: dict[str, list[str]] = {}
        for code in s.LANGUAGES:
            stop = "(stop word: any page)" if node.field is None else "(stop word: not searched)"
            tokens = " ".join(t for _, t in analyzed(code, node.text, analysis)) or stop
            groups.setdefault(tokens, []).append(code)
        for tokens, codes in groups.items():
            yield f"{pad}  {','.join(codes)}: {tokens}"
