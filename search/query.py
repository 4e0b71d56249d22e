"""User query text + filters -> a Tantivy query (parse first, build second).

Query language (all words must match by default)::

    barn skydd              both words, in any language field or the title
    "skydd och stöd"        exact phrase
    tiggeri OR tvångsarbete either word
    -film                   exclude pages with this word
    title:barn author:unicef type:manual lang:sv id:nrm-sweden-2016
    year:2016  year:[2015 TO 2017]  year:[2016 TO *]
    (tiggeri OR stöld) barn grouping

Every word is analyzed separately for each language field with that field's analyzer, so
``barnen`` is stemmed as Swedish against Swedish pages and as Russian against Russian ones.
A word that one language drops as a stop word is satisfied by every page of that language.
Title and subtitle matches (``meta_*`` fields) are boosted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import tantivy

from indexer import schema as s
from indexer.normalize import for_language
from search.errors import BadOptionError, QuerySyntaxError, UnknownFieldError
from search.expand import Terms, expansions

#: A publication whose title or subtitle matches a query word ranks by its best page's
#: score times this; in page scores, title matches count this much of a page-text match.
TITLE_BOOST = 1.5
META_WEIGHT = 0.5
FUZZY_WEIGHT = 0.3
TIE_BREAKER = 0.3
#: field name in queries -> what it searches (documented in the README).
FIELDS = ("title", "author", "type", "lang", "year", "id")
_ALIASES = {"authors": "author", "language": "lang", "subtitle": "title"}


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Prefix:
    """``traffick*``: any word that starts with `text` (after analysis), in any language."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class YearRange:
    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node: TypeAlias = Word | Phrase | Prefix | YearRange | Not | And | Or


@dataclass(frozen=True, slots=True)
class Options:
    """How queries are built: the index's analysis (see :data:`indexer.schema.ANALYSES`) and
    the weight of title/subtitle matches."""

    analysis: str = s.STANDARD
    title_boost: float = TITLE_BOOST
    meta_weight: float = META_WEIGHT
    fuzzy: bool = False  # also match words within an edit distance (1, or 2 past 5 letters)
    expand: bool = True  # index-aware expansion (search.expand); off for an evaluation ablation


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions from command-line options, applied to every page hit.

    languages: page language codes (any of them); types: publication types (any of them);
    years: inclusive (low, high), either end None for open; run: an index run's id.
    """

    languages: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    years: tuple[int | None, int | None] | None = None
    run: int | None = None  # only pages written by this index run ("what's new")


# ---------------------------------------------------------------- parsing

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<neg>-(?=[^\s\-]))
  | (?P<field>[A-Za-z]+):(?=\S)
  | (?P<range>\[[^\]]*\]?)
  | (?P<quote>"[^"]*"?)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _lex(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None and m.lastgroup is not None  # every char matches some branch
        kind, value = m.lastgroup, m.group(0)
        if kind == "quote" and (len(value) < 2 or not value.endswith('"')):
            raise QuerySyntaxError(f"unclosed quote at position {pos + 1}: {value[:30]}")
        if kind == "range" and not value.endswith("]"):
            raise QuerySyntaxError(f"unclosed range at position {pos + 1}: {value[:30]}")
        if kind != "space":
            tokens.append(_Tok(kind, value, pos))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.sequence()
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError(f"unexpected ')' at position {tok.pos + 1}")
        return node

    def sequence(self) -> Node:
        items: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != "close":
            if tok.kind == "word" and tok.text == "AND":
                self.take()
                continue
            items.append(self.disjunction())
        if not items:
            raise QuerySyntaxError("empty query" if self.i == 0 else "empty group '()'")
        return items[0] if len(items) == 1 else And(tuple(items))

    def disjunction(self) -> Node:
        items = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind == "word" and tok.text == "OR":
            self.take()
            following = self.peek()
            if following is None or following.kind == "close":
                raise QuerySyntaxError(f"OR at position {tok.pos + 1} has nothing after it")
            items.append(self.unary())
        if len(items) > 1 and any(isinstance(n, Not) for n in items):
            raise QuerySyntaxError("an excluded term (-word) cannot be part of OR")
        return items[0] if len(items) == 1 else Or(tuple(items))

    def unary(self) -> Node:
        tok = self.take()
        if tok.kind == "neg":
            if self.peek() is None:
                raise QuerySyntaxError(f"'-' at position {tok.pos + 1} has nothing after it")
            return Not(self.unary())
        if tok.kind == "word" and tok.text in ("OR", "NOT"):
            if tok.text == "NOT" and self.peek() is not None:
                return Not(self.unary())
            raise QuerySyntaxError(f"{tok.text} at position {tok.pos + 1} needs a term before it")
        if tok.kind == "open":
            node = self.sequence()
            if self.peek() is None:
                raise QuerySyntaxError(f"unclosed '(' at position {tok.pos + 1}")
            self.take()
            return node
        if tok.kind == "close":
            raise QuerySyntaxError(f"unexpected ')' at position {tok.pos + 1}")
        if tok.kind == "field":
            return self.fielded(tok)
        if tok.kind == "quote":
            return _phrase(tok.text[1:-1], None, tok.pos)
        if tok.text.endswith("*") and len(tok.text.rstrip("*")) >= 2:
            return Prefix(tok.text.rstrip("*"))
        if tok.text.endswith("*"):
            raise QuerySyntaxError(
                f"a prefix needs two letters or more before '*' (position {tok.pos + 1})"
            )
        return Word(tok.text)  # word, or a bare [..] range used as text

    def fielded(self, tok: _Tok) -> Node:
        name = tok.text[:-1].lower()
        name = _ALIASES.get(name, name)
        if name not in FIELDS:
            raise UnknownFieldError(
                f"unknown field '{tok.text[:-1]}' at position {tok.pos + 1}; "
                f"valid fields: {', '.join(FIELDS)}"
            )
        value = self.take()
        if name == "year":
            if value.kind == "range":
                return _year_range(value.text)
            return YearRange(*[_year(value.text.strip('"'))] * 2)
        if value.kind == "quote":
            return _phrase(value.text[1:-1], name, value.pos)
        if value.kind in ("word", "range"):
            return Word(value.text, name)
        raise QuerySyntaxError(f"{name}: at position {tok.pos + 1} needs a value")


def _phrase(text: str, field: str | None, pos: int) -> Phrase:
    if not text.strip():
        raise QuerySyntaxError(f'empty phrase "" at position {pos + 1}')
    return Phrase(text, field)


def _year(text: str) -> int | None:
    if text == "*":
        return None
    if not re.fullmatch(r"\d{1,4}", text):
        raise QuerySyntaxError(f"year must be a number like 2016, not {text!r}")
    return int(text)


def _year_range(text: str) -> YearRange:
    m = _RANGE.match(text)
    if not m:
        raise QuerySyntaxError(f"bad range {text}; write year:[2015 TO 2017]")
    return YearRange(_year(m.group(1)), _year(m.group(2)))


def parse(text: str) -> Node:
    """Parse user query text into a tree, or raise :class:`QuerySyntaxError`."""
    return _Parser(text).parse()


def parse_years(text: str) -> tuple[int | None, int | None]:
    """``2016``, ``2015..2017``, ``2015..`` or ``..2017`` -> inclusive (low, high)."""
    m = re.fullmatch(r"\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*", text)
    if not m or not (m.group(1) or m.group(3)) or (not m.group(2) and m.group(3)):
        raise BadOptionError(f"--year: expected 2016, 2015..2017, 2015.. or ..2017, not {text!r}")
    low = int(m.group(1)) if m.group(1) else None
    high = (int(m.group(3)) if m.group(3) else None) if m.group(2) else low
    if low is not None and high is not None and low > high:
        raise BadOptionError(f"--year: {low} is after {high}")
    return low, high


# ---------------------------------------------------------------- building


def analyzed(code: str, text: str, analysis: str = s.STANDARD) -> list[tuple[int, str]]:
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
        schema, s.F_YEAR, tantivy.FieldType.Integer,
        low if low is not None else 0, high if high is not None else 9999,
    )  # fmt: skip


def _raw_any(schema: tantivy.Schema, field: str, values: Sequence[str]) -> tantivy.Query:
    return tantivy.Query.term_set_query(schema, field, [v.lower() for v in values])


class _Builder:
    """Turns a parsed query into a Tantivy query for one schema and set of options.

    With a `searcher`, single words are also expanded against the index's own terms
    (:mod:`search.expand`); languages with no page in the index are skipped for that.
    """

    def __init__(
        self, schema: tantivy.Schema, options: Options, searcher: tantivy.Searcher | None
    ) -> None:
        self.schema, self.options, self.searcher = schema, options, searcher
        self.terms = Terms(searcher) if searcher is not None else None
        self._present: dict[str, bool] = {}

    def present(self, code: str) -> bool:
        if self.searcher is None:
            return False
        if code not in self._present:
            self._present[code] = self.searcher.doc_freq(s.F_LANG, code) > 0
        return self._present[code]

    def field(
        self, code: str, field: str, word: str, tokens: list[tuple[int, str]]
    ) -> tantivy.Query:
        exact = _field_query(self.schema, field, tokens)
        if (
            len(tokens) != 1
            or not self.options.expand
            or self.options.analysis != s.STANDARD
            or not self.present(code)
        ):
            return exact
        assert self.terms is not None
        token = tokens[0][1]
        extra = list(expansions(self.terms, self.schema, field, code, word.lower(), token))
        if self.options.fuzzy and len(token) >= 3:
            distance = 1 if len(token) <= 5 else 2
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field, token, distance)
            extra.append(tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT))
        return tantivy.Query.disjunction_max_query([exact, *extra]) if extra else exact

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
                alternatives.append(self.field(code, spec.text_field, text, tokens))
                alternatives.append(
                    tantivy.Query.boost_query(
                        self.field(code, spec.meta_field, text, tokens),
                        self.options.meta_weight,
                    )
                )
            else:  # only stop words for this language: every page of it satisfies them
                alternatives.append(
                    tantivy.Query.const_score_query(
                        tantivy.Query.term_query(schema, s.F_LANG, code), 0.0
                    )
                )
        return tantivy.Query.disjunction_max_query(alternatives, TIE_BREAKER)

    def prefix(self, text: str) -> tantivy.Query:
        """Words starting with `text` in any language's page text or in the title."""
        tokens = analyzed(s.UNDETERMINED, text)
        if len(tokens) != 1:
            raise QuerySyntaxError(f"{text}* : a prefix is one word of letters or digits")
        pattern = re.escape(tokens[0][1]) + ".*"
        alternatives = []
        for spec in s.LANGUAGES.values():
            alternatives.append(tantivy.Query.regex_query(self.schema, spec.text_field, pattern))
            alternatives.append(
                tantivy.Query.boost_query(
                    tantivy.Query.regex_query(self.schema, spec.meta_field, pattern),
                    self.options.meta_weight,
                )
            )
        return tantivy.Query.disjunction_max_query(alternatives, TIE_BREAKER)

    def title(self, text: str) -> tantivy.Query:
        alternatives = []
        neutral = analyzed(s.UNDETERMINED, text)
        if neutral:
            alternatives += [
                _field_query(self.schema, f, neutral) for f in (s.F_TITLE, s.F_SUBTITLE)
            ]
        for code, spec in s.LANGUAGES.items():
            tokens = self.analyzed(code, text)
            if tokens:
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
                [(tantivy.Occur.Must, tantivy.Query.all_query()),
                 (tantivy.Occur.MustNot, self.node(node.node))]
            )  # fmt: skip
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self.node(n)) for n in node.nodes]
            )
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for child in node.nodes:
            if isinstance(child, Not):
                clauses.append((tantivy.Occur.MustNot, self.node(child.node)))
            else:
                clauses.append((tantivy.Occur.Must, self.node(child)))
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)


def build(
    node: Node,
    schema: tantivy.Schema,
    filters: Filters | None = None,
    options: Options | None = None,
    searcher: tantivy.Searcher | None = None,
) -> tantivy.Query:
    """The Tantivy query for a parsed query plus filters, over page documents only.

    Given the index's `searcher`, words are also expanded against its terms (inflection,
    compounds, diacritics: :mod:`search.expand`)."""
    query = _Builder(schema, options or Options(), searcher).node(node)
    return restrict(query, schema, filters)


def build_each(
    nodes: Sequence[Node],
    schema: tantivy.Schema,
    options: Options | None = None,
    searcher: tantivy.Searcher | None = None,
) -> list[tantivy.Query]:
    """The Tantivy query of each node (unrestricted), built by one builder so that the
    index's terms are looked up once (:mod:`search.relax` combines them)."""
    builder = _Builder(schema, options or Options(), searcher)
    return [builder.node(node) for node in nodes]


def restrict(
    query: tantivy.Query, schema: tantivy.Schema, filters: Filters | None = None
) -> tantivy.Query:
    """`query` over page documents only, restricted by `filters`."""
    filters = filters or Filters()
    restrictions = [tantivy.Query.term_query(schema, s.F_KIND, s.KIND_PAGE)]
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


def walk_words(node: Node) -> Iterator[Word | Phrase | Prefix]:
    """The words, phrases and prefixes a query asks for (not those it excludes)."""
    if isinstance(node, (Word, Phrase, Prefix)):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.nodes:
            yield from walk_words(child)


def title_query(
    node: Node, schema: tantivy.Schema, options: Options | None = None
) -> tantivy.Query | None:
    """Pages whose publication title or subtitle matches any word or phrase of the query
    (None when the query has none): used to rank such publications higher."""
    texts = [w.text for w in walk_words(node) if isinstance(w, (Word, Phrase)) and not w.field]
    if not texts:
        return None
    builder = _Builder(schema, options or Options(), None)
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, builder.title(t)) for t in texts])


# ---------------------------------------------------------------- explaining


def explain(node: Node, indent: int = 0) -> Iterator[str]:
    """Lines describing how a parsed query is searched: per language, the terms after
    analysis (stemming, stop words)."""
    pad = "  " * indent
    if isinstance(node, And | Or):
        yield f"{pad}{'ALL OF' if isinstance(node, And) else 'ANY OF'}"
        for child in node.nodes:
            yield from explain(child, indent + 1)
    elif isinstance(node, Not):
        yield f"{pad}NOT"
        yield from explain(node.node, indent + 1)
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
        groups: dict[str, list[str]] = {}
        for code in s.LANGUAGES:
            tokens = " ".join(t for _, t in analyzed(code, node.text)) or "(stop word: any page)"
            groups.setdefault(tokens, []).append(code)
        for tokens, codes in groups.items():
            yield f"{pad}  {','.join(codes)}: {tokens}"
