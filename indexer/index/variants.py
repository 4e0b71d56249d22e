"""Lookup terms written at index time, so that query-time expansion is a bounded lookup.

:mod:`search.query.expansions` bridges what the stemmers leave apart. Two of its bridges relate a
typed word to index terms in ways a term dictionary sorted by term cannot answer with a
prefix range of the field itself:

- **diacritic folding**: the terms whose folded form is the plain word typed
  (``förordning`` for ``forordning``);
- **compounds**: the terms that end in the word (``människohandelsoff`` for ``off``).

So every page document also carries, in the field :data:`indexer.index.schema.F_VARIANTS`, one
lookup term per distinct term of its text and title fields that needs one:

- ``<field>:f:<folded term>:<term>`` for a term with diacritics, in a Latin-script field;
- ``<field>:r:<term reversed>`` for a term of at least :data:`MIN_COMPOUND` letters in a
  compounding language's field;
- ``<field>:w:<plain word>:<term>`` for a word with diacritics, in a Latin-script field,
  whose term the folded lookups cannot reach from the word's plain spelling because the
  stemmer reads the two spellings differently (``text_ro:w:situatiile:situ``: Romanian
  ``situațiile`` stems to ``situ``, ``situatiile`` to ``situat``);
- ``n:<name key>:<field>:<term>:<word as printed>`` for each name-like word (capitalized,
  three letters or more) of any language's field (:mod:`indexer.index.names`): a name typed
  in another script or spelling reaches the page through its key (``n:volkov:`` finds
  ``Волков`` in ``text_ru``, whose term is ``волк``).

"Terms of ``text_sv`` that fold to ``forordning``" are then the terms starting with
``text_sv:f:forordning:``, and "terms of ``text_sv`` ending in ``off``" those starting with
``text_sv:r:ffo``: prefix ranges whose length is the size of the answer, not of the
vocabulary. A lookup term is written once per page that holds its term, so its document
frequency is the term's, and "most frequent first" reads straight off the range. Being terms
of the very documents they describe, they are committed, deleted and merged with them.

Terms are analyzed with the field's own analyzer (:func:`indexer.index.schema.analyzer`), so they
are exactly the terms Tantivy writes; terms never contain ``:`` (the tokenizer splits on
anything but letters and digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import tantivy

from indexer.index import schema as s
from indexer.index.names import name_lookups
from indexer.model import STANDARD

#: Letters a plain-ASCII query letter also stands for, in Latin-script languages.
#: (fmt: skip: one letter group per entry, several entries per line.)
FOLDS: dict[str, str] = {
    "a": "aáàâäåãăąæ", "c": "cçčć", "d": "dďđ", "e": "eéèêëěęė", "g": "gğ", "i": "iíìîïı",
    "l": "lłľ", "n": "nñňń", "o": "oóòôöõøőœ", "r": "rř", "s": "sșşšśß", "t": "tțţť",
    "u": "uúùûüůű", "y": "yýÿ", "z": "zžźż",
}  # fmt: skip
#: Languages whose words may be typed without their diacritics.
LATIN = frozenset(
    {"sv", "en", "ro", "de", "fr", "da", "no", "fi", "nl", "it", "pt", "es", "hu", "tr", "und"}
)
#: Languages that write compounds as one word.
COMPOUNDING = frozenset({"sv", "de", "da", "no", "nl"})
#: A compound is at least three letters before a part of at least three.
MIN_PART = 3
MIN_COMPOUND = 2 * MIN_PART
SEPARATOR = ":"
FOLDED = "f"
REVERSED = "r"
WORD = "w"

_FOLD_TABLE = str.maketrans({ch: plain for plain, chars in FOLDS.items() for ch in chars[1:]})


def fold(text: str) -> str:
    """`text` with diacritics removed (``förordning`` -> ``forordning``)."""
    return text.translate(_FOLD_TABLE)


def folded_key(field: str, plain: str) -> str:
    """The prefix of the lookup terms of `field`'s terms that fold to `plain`."""
    return f"{field}:{FOLDED}:{plain}:"


def word_key(field: str, plain_word: str) -> str:
    """The prefix of the lookup terms of `field`'s terms written as `plain_word` with
    diacritics (the terms of the words whose stem the plain spelling does not reach)."""
    return f"{field}:{WORD}:{plain_word}:"


def reached(term: str, plain_word: str, plain_token: str) -> bool:
    """Whether :func:`search.query.expansions.Terms.folded` finds `term` from the plain spelling
    `plain_word` (analyzed: `plain_token`) through the folded lookup terms alone."""
    plain = fold(term)
    shortest = max(4, len(plain_token))
    return plain == plain_token or (len(plain) >= shortest and plain_word.startswith(plain))


def reversed_key(field: str, ending: str) -> str:
    """The prefix of the lookup terms of `field`'s terms that end in `ending`."""
    return f"{field}:{REVERSED}:{ending[::-1]}"


def wanted(language: str) -> bool:
    """Whether fields of `language` get lookup terms at all."""
    return language in LATIN or language in COMPOUNDING


def lookup_terms(field: str, language: str, terms: Iterable[str]) -> Iterator[str]:
    """The lookup terms for the distinct `terms` of `field` (a field of `language`)."""
    latin, compounding = language in LATIN, language in COMPOUNDING
    folded, backwards = f"{field}:{FOLDED}:", f"{field}:{REVERSED}:"
    for term in terms:
        if latin and not term.isascii():
            plain = term.translate(_FOLD_TABLE)
            if plain != term:
                yield f"{folded}{plain}:{term}"
        if compounding and len(term) >= MIN_COMPOUND:
            yield backwards + term[::-1]


_WORDS = re.compile(r"[^\W_]+")


def word_lookups(field: str, analyzer: tantivy.TextAnalyzer, text: str) -> Iterator[str]:
    """``<field>:w:<plain word>:<term>`` for each distinct word of `text` with diacritics
    whose term the folded lookups do not reach from the word's plain spelling: the stemmer
    reads the two spellings differently (Romanian ``situațiile`` -> ``situ``, but
    ``situatiile`` -> ``situat``)."""
    seen: set[str] = set()
    for word in _WORDS.findall(text):
        word = word.lower()
        if word.isascii() or word in seen or len(word.encode()) > s.MAX_TOKEN_BYTES:
            continue
        seen.add(word)
        plain = fold(word)
        terms, plain_terms = analyzer.analyze(word), analyzer.analyze(plain)
        if len(terms) != 1 or len(plain_terms) != 1 or plain == word:
            continue
        if not reached(terms[0], plain, plain_terms[0]):
            yield f"{field}{SEPARATOR}{WORD}{SEPARATOR}{plain}{SEPARATOR}{terms[0]}"


def term_of(lookup: str) -> str:
    """The index term a lookup term stands for."""
    _, kind, rest = lookup.split(SEPARATOR, 2)
    return rest[::-1] if kind == REVERSED else rest.rsplit(SEPARATOR, 1)[1]


def lookup_text(sources: Iterable[tuple[str, str, str]], analysis: str = STANDARD) -> str:
    """The lookup terms of one document, space-separated, for the ``variants`` field.

    sources: (field, language code, text as added to that field) for each text field of the
    document. Only an index with the standard analysis gets lookup terms (the neutral one,
    an evaluation ablation, is never expanded)."""
    if analysis != STANDARD:
        return ""
    found: list[str] = []
    for field, code, text in sources:
        language = s.LANGUAGES.get(code, s.LANGUAGES[s.UNDETERMINED]).code
        if not text:
            continue
        analyzer = s.analyzer(language)
        if wanted(language):
            found.extend(lookup_terms(field, language, sorted(set(analyzer.analyze(text)))))
            if language in LATIN:
                found.extend(word_lookups(field, analyzer, text))
        found.extend(name_lookups(field, analyzer, text))
    return " ".join(found)
