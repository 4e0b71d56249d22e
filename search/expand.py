"""Index-aware expansion of one query word within one language field.

The Snowball stemmers leave gaps that the evaluation set shows (``tests/eval``): Swedish
definite forms (``skyddet`` stays ``skyddet`` while ``skydd`` is ``skydd``), Bulgarian (no
stemmer at all: ``ръководството`` vs ``ръководство``), compounds (``offer`` inside
``människohandelsoffer``) and words typed without diacritics (``forordning``). Each is
bridged at query time against the terms the index really holds, so the analyzers, the
stored text and the highlighting stay as they are:

- **inflection variants**: terms that differ from the analyzed word by a known ending of the
  language (added or removed), found with a prefix scan of the field's term dictionary;
- **compounds** (Swedish, German, Danish, Norwegian, Dutch): terms that end with the word
  after at least three other letters;
- **diacritic folding**: a word typed in plain ASCII also matches terms that differ only by
  diacritics (``f[oöø]rordning``), stemmed first and folded after.

The last two scan the field's term dictionary (read once per query). Every expansion is an
ordinary term query, weighted below the word as typed, so exact forms rank first, scores
stay BM25, and snippets highlight the expanded words too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tantivy

#: Endings that mark inflection the stemmer does not remove (definite article, plural).
#: (fmt: skip on this table and FOLDS: one language or letter group per line.)
ENDINGS: dict[str, tuple[str, ...]] = {
    "sv": ("et", "en", "n", "t", "na", "ets", "ens", "nas", "er", "ar", "or", "erna", "arna"),
    "no": ("et", "en", "a", "ene", "er"),
    "da": ("et", "en", "ene", "er"),
    "bg": ("ът", "ят", "та", "то", "те", "а", "я", "и", "е", "о", "ите", "ата", "ята", "ове",
           "овете", "ия", "ият", "ията", "ища", "ищата", "ен", "на", "но", "ни", "ния", "ната",
           "ното", "ните", "ия", "ен"),
}  # fmt: skip
COMPOUNDING = frozenset({"sv", "de", "da", "no", "nl"})
#: Letters a plain-ASCII query letter also stands for, in Latin-script languages.
FOLDS: dict[str, str] = {
    "a": "aáàâäåãăąæ", "c": "cçčć", "d": "dďđ", "e": "eéèêëěęė", "g": "gğ", "i": "iíìîïı",
    "l": "lłľ", "n": "nñňń", "o": "oóòôöõøőœ", "r": "rř", "s": "sșşšśß", "t": "tțţť",
    "u": "uúùûüůű", "y": "yýÿ", "z": "zžźż",
}  # fmt: skip
LATIN = frozenset(
    {"sv", "en", "ro", "de", "fr", "da", "no", "fi", "nl", "it", "pt", "es", "hu", "tr", "und"}
)
INFLECTION_WEIGHT = 0.9
FOLDED_WEIGHT = 0.8
COMPOUND_WEIGHT = 0.6
MAX_VARIANTS = 40
#: A field with more terms than this is not scanned for compounds and folded forms.
MAX_TERMS = 2_000_000


def inflection_variants(
    searcher: tantivy.Searcher, field: str, language: str, token: str
) -> list[str]:
    """Index terms of `field` that are `token` with a known ending added or removed."""
    endings = ENDINGS.get(language)
    if not endings or len(token) < 3:
        return []
    roots = {token}
    for ending in endings:  # every way of reading an ending off the word
        base = token[: -len(ending)]
        if token.endswith(ending) and len(base) >= 3:
            roots.add(base)
    found: set[str] = set()
    allowed = {"", *endings}
    for root in roots:
        for term, _ in searcher.terms_with_prefix(field, root, limit=MAX_VARIANTS * 4):
            if term != token and term[len(root) :] in allowed:
                found.add(term)
    return sorted(found)[:MAX_VARIANTS]


def folded_pattern(word: str, token: str) -> str | None:
    """A regex matching `token` with any diacritics, when `word` was typed in plain ASCII
    and `token` has letters that diacritics could change; else None."""
    if not word.isascii() or not token.isascii() or not any(c in FOLDS for c in token):
        return None
    return "".join(f"[{FOLDS[c]}]" if c in FOLDS else re.escape(c) for c in token)


def compound_pattern(language: str, token: str) -> str | None:
    """A regex for compounds ending in `token` (compounding languages only)."""
    if language not in COMPOUNDING or len(token) < 3:
        return None
    return ".{3,}" + re.escape(token)


_FOLD_TABLE = str.maketrans({ch: plain for plain, chars in FOLDS.items() for ch in chars[1:]})


def fold(text: str) -> str:
    """`text` with diacritics removed (``förordning`` -> ``forordning``)."""
    return text.translate(_FOLD_TABLE)


class Terms:
    """Term dictionaries of a searcher's fields, read once per query and kept."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self._terms: dict[str, list[tuple[str, int]]] = {}

    def of(self, field: str) -> list[tuple[str, int]]:
        if field not in self._terms:
            self._terms[field] = self.searcher.terms_with_prefix(field, "", limit=MAX_TERMS)
        return self._terms[field]

    def folded(self, field: str, word: str, token: str) -> list[str]:
        """Terms of `field` that equal `token` but for diacritics, or whose folded form
        starts the folded `word` and is no shorter than `token` (the stemmer read the
        plain spelling differently: Romanian ``declaratie`` -> ``declarați``), most
        frequent first."""
        plain_word, plain_token = fold(word), fold(token)
        shortest = max(4, len(plain_token))
        found = []
        for term, n in self.of(field):
            if term == token:
                continue
            plain = fold(term)
            if plain == plain_token or (
                plain != term and len(plain) >= shortest and plain_word.startswith(plain)
            ):
                found.append((n, term))
        return [t for _, t in sorted(found, reverse=True)[:MAX_VARIANTS]]

    def matching(self, field: str, pattern: str, exclude: str) -> list[str]:
        """Terms of `field` that fully match `pattern`, most frequent first."""
        rx = re.compile(pattern)
        found = [(n, t) for t, n in self.of(field) if t != exclude and rx.fullmatch(t)]
        return [t for _, t in sorted(found, reverse=True)[:MAX_VARIANTS]]


def expansions(
    terms: Terms,
    schema: tantivy.Schema,
    field: str,
    language: str,
    word: str,
    token: str,
) -> Iterator[tantivy.Query]:
    """Weighted alternatives to the term `token` (from the typed `word`) in `field`."""

    def weighted(found: list[str], weight: float) -> Iterator[tantivy.Query]:
        for term in found:
            yield tantivy.Query.boost_query(tantivy.Query.term_query(schema, field, term), weight)

    yield from weighted(
        inflection_variants(terms.searcher, field, language, token), INFLECTION_WEIGHT
    )
    if language in LATIN and folded_pattern(word, token) is not None:
        yield from weighted(terms.folded(field, word, token), FOLDED_WEIGHT)
    pattern = compound_pattern(language, token)
    if pattern is not None:
        yield from weighted(terms.matching(field, pattern, token), COMPOUND_WEIGHT)
