"""User query text -> a tree of :data:`Node` (parsing; :mod:`search.query.compile` turns it into a
Tantivy query), and the :class:`Filters` options add.

Query language (all words must match by default)::

    barn skydd              both words, in any language field or the title
    "skydd och stöd"        exact phrase
    tiggeri OR tvångsarbete either word
    -film                   exclude pages with this word
    title:barn author:unicef type:manual lang:sv id:nrm-sweden-2016
    year:2016  year:[2015 TO 2017]  year:[2016 TO *]
    (tiggeri OR stöld) barn grouping

No tantivy and no index here: parsing is pure, so a query can be checked (and its errors
shown) without opening anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from search.errors import BadOptionError, QuerySyntaxError, UnknownFieldError

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
    """``traffick*``: any word that starts with `text` (after analysis), in any language
    (page text and titles: a prefix takes no field)."""

    text: str


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


def year_error(name: str, text: str) -> str:
    """The one message for a year that is not four digits, in a query (`name` ``year``)
    and in an option (``--year``)."""
    return f"{name}: expected a year of four digits like 2016, not {text!r}"


def _year(text: str) -> int | None:
    if text == "*":
        return None
    if not re.fullmatch(r"\d{4}", text):
        raise QuerySyntaxError(year_error("year", text))
    return int(text)


def _year_range(text: str) -> YearRange:
    m = _RANGE.match(text)
    if not m:
        raise QuerySyntaxError(f"bad range {text}; write year:[2015 TO 2017]")
    return YearRange(_year(m.group(1)), _year(m.group(2)))


_ESCAPED = re.compile("[\udc80-\udcff]")


def as_meant(text: str) -> str:
    """`text` with each byte that was not UTF-8 read as Windows-1252 (Latin-1 where that
    has no character), as a Latin-1 terminal, a cp1252 script or a percent-encoded
    Latin-1 URL sends ``café``: Python keeps such bytes of ``argv`` as surrogate escapes
    (U+DC80-U+DCFF), which could not be searched or printed. Other text is unchanged."""

    def byte(m: re.Match[str]) -> str:
        raw = bytes([ord(m.group()) - 0xDC00])
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    return _ESCAPED.sub(byte, text)


def parse(text: str) -> Node:
    """Parse user query text into a tree, or raise :class:`QuerySyntaxError`."""
    return _Parser(text).parse()


def parse_years(text: str) -> tuple[int | None, int | None]:
    """``2016``, ``2015..2017``, ``2015..`` or ``..2017`` -> inclusive (low, high)."""
    m = re.fullmatch(r"\s*(\d+)?\s*(\.\.)?\s*(\d+)?\s*", text)
    if not m or not (m.group(1) or m.group(3)) or (not m.group(2) and m.group(3)):
        raise BadOptionError(f"--year: expected 2016, 2015..2017, 2015.. or ..2017, not {text!r}")
    for digits in (m.group(1), m.group(3)):
        if digits is not None and len(digits) != 4:
            raise BadOptionError(year_error("--year", digits))
    low = int(m.group(1)) if m.group(1) else None
    high = (int(m.group(3)) if m.group(3) else None) if m.group(2) else low
    if low is not None and high is not None and low > high:
        raise BadOptionError(f"--year: {low} is after {high}")
    return low, high


def walk_words(node: Node) -> Iterator[Word | Phrase | Prefix]:
    """The words, phrases and prefixes a query asks for (not those it excludes)."""
    if isinstance(node, (Word, Phrase, Prefix)):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.nodes:
            yield from walk_words(child)
