"""Index-aware expansion of one query word within one language field.

The Snowball stemmers leave gaps that the evaluation set shows (``tests/eval``): Swedish
definite forms (``skyddet`` stays ``skyddet`` while ``skydd`` is ``skydd``), Bulgarian (no
stemmer at all: ``ръководството`` vs ``ръководство``), compounds (``offer`` inside
``människohandelsoffer``) and words typed without diacritics (``forordning``). Each is
bridged at query time against the terms the index really holds, so the analyzers, the
stored text and the highlighting stay as they are:

- **inflection variants**: terms that differ from the analyzed word by a known ending of the
  language (added or removed): each candidate is one term lookup in the field;
- **compounds** (Swedish, German, Danish, Norwegian, Dutch): terms that end with the word
  after at least three other letters;
- **diacritic folding**: a word typed in plain ASCII also matches terms that differ only by
  diacritics (``förordning``), stemmed first and folded after, and the stem of the same
  word written with diacritics where the stemmer reads the two spellings differently
  (``situatiile`` -> ``situat``, ``situațiile`` -> ``situ``).

The last two are prefix ranges of the lookup terms the indexer writes beside every page
(:mod:`indexer.index.variants`). No expansion reads more of the term dictionary than its answer
(capped at :data:`MAX_LOOKUP` terms), so the cost of a query does not grow with the
vocabulary. Every expansion is an ordinary term query of the word's own field, weighted
below the word as typed, so exact forms rank first, scores stay BM25, and snippets
highlight the expanded words too.
"""

from __future__ import annotations

from collections.abc import Iterator

import tantivy

from indexer.index import schema as s
from indexer.index import variants as v
from indexer.index.variants import COMPOUNDING, FOLDS, LATIN, MIN_PART, fold

#: Endings that mark inflection the stemmer does not remove (definite article, plural).
#: (fmt: skip on this table and FOLDS: one language or letter group per line.)
ENDINGS: dict[str, tuple[str, ...]] = {
    "sv": ("et", "en", "n", "t", "na", "ets", "ens", "nas", "er", "ar", "or", "erna", "arna"),
    "no": ("et", "en", "a", "ene", "er"),
    "da": ("et", "en", "ene", "er"),
    "bg": ("ът", "ят", "та", "то", "те", "а", "я", "и", "е", "о", "ите", "ата", "ята", "ове",
           "овете", "ия", "ият", "ията", "ища", "ищата", "ен", "на", "но", "ни", "ния", "ната",
           "ното", "ните"),
}  # fmt: skip
INFLECTION_WEIGHT = 0.9
FOLDED_WEIGHT = 0.8
COMPOUND_WEIGHT = 0.6
MAX_VARIANTS = 40
#: Most lookup terms one folded or compound lookup reads (far above any real answer).
MAX_LOOKUP = 5_000
#: Most terms read to find a word's inflection variants at once (past that, one lookup
#: per variant: a few dozen, each as costly as reading about 30 terms).
MAX_PREFIX = 300


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
    candidates = {root + ending for root in roots for ending in ("", *endings)} - {token}
    # Every candidate starts with the shortest root: one bounded read of the terms with
    # that prefix answers for all of them, unless the prefix starts too many terms
    # (then each candidate is one lookup).
    listed = searcher.terms_with_prefix(field, min(roots, key=len), limit=MAX_PREFIX + 1)
    if len(listed) <= MAX_PREFIX:
        held = {term for term, _ in listed}
        found = [term for term in candidates if term in held]
    else:
        found = [term for term in candidates if searcher.doc_freq(field, term) > 0]
    return sorted(found)[:MAX_VARIANTS]


def foldable(word: str, token: str) -> bool:
    """Whether `word` was typed in plain ASCII and its `token` has letters that
    diacritics could change (then terms with diacritics are looked up)."""
    return word.isascii() and token.isascii() and any(c in FOLDS for c in token)


def compoundable(language: str, token: str) -> bool:
    """Whether compounds ending in `token` are looked up (compounding languages only)."""
    return language in COMPOUNDING and len(token) >= MIN_PART


class Terms:
    """Lookups in the term dictionaries of one searcher (one commit of the index)."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher

    def _lookup(self, key: str) -> list[tuple[str, int]]:
        """(index term, pages holding it) for every lookup term starting with `key`."""
        found = self.searcher.terms_with_prefix(s.F_VARIANTS, key, limit=MAX_LOOKUP)
        return [(v.term_of(lookup), n) for lookup, n in found]

    def folded(self, field: str, word: str, token: str) -> list[str]:
        """Terms of `field` that equal `token` but for diacritics, or whose folded form
        starts the folded `word` and is no shorter than `token` (the stemmer read the
        plain spelling differently: Romanian ``declaratie`` -> ``declarați``), most
        frequent first."""
        plain_word, plain_token = fold(word), fold(token)
        shortest = max(4, len(plain_token))
        longest = min(len(plain_word), s.MAX_TOKEN_BYTES)  # no term is longer
        plains = {plain_token} | {plain_word[:n] for n in range(shortest, longest + 1)}
        keys = [v.folded_key(field, plain) for plain in sorted(plains)]
        keys.append(v.word_key(field, plain_word))  # the stem of the word with diacritics
        pages = {term: n for key in keys for term, n in self._lookup(key) if term != token}
        found = [(n, term) for term, n in pages.items()]
        return [t for _, t in sorted(found, reverse=True)[:MAX_VARIANTS]]

    def compounds(self, field: str, token: str) -> list[str]:
        """Terms of `field` that end in `token` after at least three other letters, most
        frequent first."""
        shortest = len(token) + MIN_PART
        found = [
            (n, t) for t, n in self._lookup(v.reversed_key(field, token)) if len(t) >= shortest
        ]
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

    seen = {token}  # each term once, at the weight of its first (closest) kind

    def weighted(found: list[str], weight: float) -> Iterator[tantivy.Query]:
        for term in found:
            if term not in seen:
                seen.add(term)
                yield tantivy.Query.boost_query(
                    tantivy.Query.term_query(schema, field, term), weight
                )

    yield from weighted(
        inflection_variants(terms.searcher, field, language, token), INFLECTION_WEIGHT
    )
    if language in LATIN and foldable(word, token):
        yield from weighted(terms.folded(field, word, token), FOLDED_WEIGHT)
    if compoundable(language, token):
        yield from weighted(terms.compounds(field, token), COMPOUND_WEIGHT)
