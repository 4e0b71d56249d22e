"""A query word as a name: the words of the index that share its name key.

``Volkov`` reaches ``Волков`` (printed in a Russian declaration), ``Wolkow`` and
``VOLKOV``; ``Кънчев`` reaches ``Kanchev``; ``Stefanescu`` reaches ``Ștefănescu``. The
indexer writes a lookup term ``n:<key>:<field>:<term>:<word as printed>`` beside every page
for each name-like word (:mod:`indexer.index.names`), so the words of one key are a prefix
range of the lookup terms: one bounded read per query word, never a scan.

Each word found becomes an alternative of the query word, weighted below it
(:data:`NAME_WEIGHT`): the page must hold that very lookup term (it printed the word) and is
scored by the word's term in its own field, so BM25 still counts how often the page says
it, and the snippet marks it. A key keeps surname forms apart (``Volkova`` is not
``Volkov``) and never uses edit distance or sound-alike codes, so corrections of ordinary
words (``tigeri`` -> ``tiggeri``) are untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import tantivy

from indexer.index import schema as s
from indexer.index.names import MIN_NAME_LETTERS, NameLookup, name_key_prefix, name_keys
from indexer.index.variants import fold

__all__ = [
    "NAME_WEIGHT",
    "is_initial",
    "matched_as",
    "name_forms",
    "name_query",
    "near_forms",
    "surname_forms",
]

#: A page reached through a name key scores this share of the same match as typed.
NAME_WEIGHT = 0.5
#: Most words of one key used in a query (most frequent first; far above real answers).
MAX_FORMS = 24
#: Most lookup terms one key reads.
MAX_LOOKUP = 2_000
_LETTERS = re.compile(r"[^\W\d_]+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?|[^\W\d_]")


def is_initial(word: str) -> bool:
    """Whether a query word is an initial or a run of them (``V``, ``V.``, ``V.L.``): a name
    is printed with or without them, in any order, so they never decide whether a page
    matches (they only add to its score)."""
    return _INITIALS.fullmatch(word) is not None


def _plain(word: str) -> str:
    return fold(word.lower())


def name_forms(
    searcher: tantivy.Searcher, word: str, *, as_typed: bool = False
) -> tuple[NameLookup, ...]:
    """The words of the index, as printed, that share a name key with `word` but are not
    `word` itself (up to case and diacritics: those the word as typed finds; with
    `as_typed`, those too), most pages first. Empty for a word of fewer than
    :data:`MIN_NAME_LETTERS` letters or with digits."""
    if len(word) < MIN_NAME_LETTERS or not _LETTERS.fullmatch(word):
        return ()
    typed = _plain(word)
    found: dict[tuple[str, str, str], NameLookup] = {}
    for key in name_keys(word):
        prefix = name_key_prefix(key)
        for lookup, pages in searcher.terms_with_prefix(s.F_VARIANTS, prefix, limit=MAX_LOOKUP):
            parsed = NameLookup.parse(lookup, pages)
            if parsed is not None and (as_typed or _plain(parsed.word) != typed):
                found.setdefault((parsed.field, parsed.term, parsed.word), parsed)
    ranked = sorted(found.values(), key=lambda f: (-f.pages, f.word, f.field))
    return tuple(ranked[:MAX_FORMS])


def name_query(schema: tantivy.Schema, forms: Sequence[NameLookup]) -> tantivy.Query | None:
    """The pages that print one of `forms`, scored by its term in its field and weighted
    by :data:`NAME_WEIGHT`; None when there are none."""
    alternatives = [
        tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.const_score_query(
                        tantivy.Query.term_query(schema, s.F_VARIANTS, form.lookup), 0.0
                    ),
                ),
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, form.field, form.term)),
            ]
        )
        for form in forms
    ]
    if not alternatives:
        return None
    return tantivy.Query.boost_query(
        tantivy.Query.disjunction_max_query(alternatives, 0.0), NAME_WEIGHT
    )


def matched_as(text: str, names: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """For each query word of `names` (word -> the words of its key, as printed) that the
    page `text` does not hold as typed, the first of its words the page prints."""
    if not names:
        return {}
    printed = set(_LETTERS.findall(text))
    out: dict[str, str] = {}
    for word, forms in names.items():
        typed, length = _plain(word), len(word)
        if any(len(w) == length and _plain(w) == typed for w in printed):
            continue  # the page has it as typed: no label
        for form in forms:
            if form in printed:
                out[word] = form
                break
    return out


#: Endings of the two forms of a surname, both ways (Latin and Cyrillic spellings).
_FORMS = (
    ("ov", "ova"), ("ev", "eva"), ("in", "ina"), ("ski", "ska"), ("sky", "skaya"),
    ("skiy", "skaya"), ("ов", "ова"), ("ев", "ева"), ("ин", "ина"), ("ский", "ская"),
    ("ски", "ска"),
)  # fmt: skip


def surname_forms(word: str) -> list[str]:
    """The surname's form for the other gender: Volkov / Volkova, Петров / Петрова."""
    lower = word.lower()
    forms = []
    for male, female in _FORMS:
        if lower.endswith(female):
            forms.append(word[: len(word) - len(female)] + male)
        elif lower.endswith(male):
            forms.append(word[: len(word) - len(male)] + female)
    return forms


def other_forms(searcher: tantivy.Searcher, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each word that may be a surname, the words of the index that print its other
    form, in any script or spelling (Volkov -> Volkova, Волкова); words with none are left
    out."""
    found: dict[str, tuple[str, ...]] = {}
    for word in words:
        forms = [
            f.word
            for other in surname_forms(word)
            for f in name_forms(searcher, other, as_typed=True)
        ]
        if forms:
            found[word] = tuple(dict.fromkeys(forms))
    return found


def distance(a: str, b: str, limit: int | None = None) -> int:
    """The Levenshtein distance of two words, case folded; past `limit` edits it stops and
    answers ``limit + 1``."""
    a, b = a.casefold(), b.casefold()
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
        if limit is not None and min(row) > limit:
            return limit + 1
    return row[-1]


def near_forms(
    searcher: tantivy.Searcher, word: str, max_edits: int
) -> tuple[tuple[NameLookup, int], ...]:
    """Words of the index whose name key is within `max_edits` edits of a key of `word`
    (but not the same key), with that distance, fewest edits and most pages first: a
    spelling variant that no system of the key explains (Volkof, Wolkov with a typo). Read
    from the lookup terms whose key starts with the same two letters (bounded), so the
    cost does not grow with the archive."""
    if len(word) < MIN_NAME_LETTERS or not _LETTERS.fullmatch(word):
        return ()
    found: dict[tuple[str, str, str], tuple[NameLookup, int]] = {}
    for key in name_keys(word):
        prefix = name_key_prefix(key[:2]).rstrip(":")
        for lookup, pages in searcher.terms_with_prefix(s.F_VARIANTS, prefix, limit=MAX_LOOKUP):
            other = lookup.split(":", 2)[1]
            if other == key or abs(len(other) - len(key)) > max_edits:
                continue
            edits = distance(other, key, max_edits)
            parsed = NameLookup.parse(lookup, pages) if edits <= max_edits else None
            if parsed is not None:
                found.setdefault((parsed.field, parsed.term, parsed.word), (parsed, edits))
    ranked = sorted(found.values(), key=lambda f: (f[1], -f[0].pages, f[0].word))
    return tuple(ranked[:MAX_FORMS])
