"""'Did you mean': corrections built from the index's own terms, in each page language.

For each word of a query that no page of a language holds, the closest term of that
language's field (edit distance 1, or 2 past five letters; ties go to the more frequent
term) is looked up, and shown as the word a page really uses: the stem is turned back into
a word by reading a page that contains it (``människohandl`` -> ``människohandel``).

The distance is taken from the stem of the typed word, from the word itself, and, in
languages with a table of inflection endings (:data:`search.query.expansions.ENDINGS`), from the
word
without such an ending, so a slip that changes how the stemmer reads a word still finds it
(``delgivningsförordnig`` stems to ``delgivningsförordn``, three edits from
``delgivningsförordning`` but one from the word as typed; ``dataskyddsförordnigen`` less
``en`` is one edit from ``dataskyddsförordning``). Candidates come from two bounded prefix
lookups of the term dictionary per language (the first two letters, and the first half of
a word of eight letters or more, when the first may have left some out), never from a scan
of the whole vocabulary. A word that any page holds as typed is never corrected, and costs
one term lookup per language. Most candidates are ruled out by their length or letters
before any table is computed, and none is compared farther than the best found so far.
"""

from __future__ import annotations

import re

import tantivy

from indexer.index import schema as s
from search.query.compile import analyzed
from search.query.expansions import ENDINGS
from search.query.syntax import Node, Phrase, Word, walk_words

_WORD = re.compile(r"\w+")
#: Terms read per prefix lookup: the two-letter prefix, and half of a word of 8+ letters.
SHORT_PREFIX_TERMS = 20_000
LONG_PREFIX_TERMS = 2_000


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it exceeds `limit`.

    Only the cells of the table within `limit` of its diagonal are computed (a path
    through any other costs more than `limit`), row by row until a row exceeds it."""
    n, m = len(a), len(b)
    if abs(n - m) > limit:
        return limit + 1
    over = limit + 1
    previous = [j if j <= limit else over for j in range(m + 1)]
    for i in range(1, n + 1):
        ca = a[i - 1]
        low, high = max(1, i - limit), min(m, i + limit)
        current = [over] * (m + 1)
        current[0] = i if i <= limit else over
        best = current[0]
        for j in range(low, high + 1):
            cell = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != b[j - 1]))
            current[j] = cell if cell <= limit else over
            best = min(best, current[j])
        if best > limit:
            return over
        previous = current
    return previous[m]


class _Forms:
    """The forms of one typed word that a term's distance is taken from (see the module
    docstring), each with what rules a term out before its table is computed: a length
    too different, or too many letters that only one of the two has (an edit adds or
    removes at most two distinct letters)."""

    def __init__(self, forms: set[str]) -> None:
        self._forms = sorted((len(f), f, frozenset(f)) for f in forms)
        self.shortest, self.longest = self._forms[0][0], self._forms[-1][0]

    def distance(self, term: str, limit: int) -> int:
        """The least distance of `term` to a form, or `limit + 1` when none is within it."""
        best = limit + 1
        letters: set[str] | None = None
        for length, form, form_letters in self._forms:
            if abs(length - len(term)) >= best:
                continue
            if letters is None:
                letters = set(term)
            if len(form_letters ^ letters) > 2 * (best - 1):
                continue
            best = min(best, distance(form, term, best - 1))
            if best == 0:
                break
        return best


def _surface(searcher: tantivy.Searcher, schema: tantivy.Schema, code: str, term: str) -> str:
    """A word of a stored page whose analysis is `term` (else `term` itself)."""
    field = s.text_field(code)
    hits = searcher.search(tantivy.Query.term_query(schema, field, term), 1, count=False).hits
    if hits:
        text = str(searcher.doc(hits[0][1]).get_first(field) or "")
        for word in _WORD.findall(text):
            tokens = analyzed(code, word)
            if len(tokens) == 1 and tokens[0][1] == term:
                return str(word.lower())
    return term


def _candidates(searcher: tantivy.Searcher, field: str, token: str, plain: str) -> dict[str, int]:
    """Terms of `field` sharing a prefix with `token` or the typed word `plain`: the first
    two letters, and the first half of a word of eight letters or more (read only when the
    first lookup may have left some of those terms out)."""
    short = token[:2]
    found = dict(searcher.terms_with_prefix(field, short, limit=SHORT_PREFIX_TERMS))
    half = plain[: len(plain) // 2]
    if len(plain) >= 8 and (len(found) >= SHORT_PREFIX_TERMS or not half.startswith(short)):
        found.update(searcher.terms_with_prefix(field, half, limit=LONG_PREFIX_TERMS))
    return found


def correction(searcher: tantivy.Searcher, schema: tantivy.Schema, word: str) -> str | None:
    """The closest word the index holds for `word`, or None (known or nothing close)."""
    best: tuple[int, int, str, str] | None = None  # (distance, -doc freq, term, language)
    plain_tokens = analyzed(s.UNDETERMINED, word)
    if len(plain_tokens) != 1:
        return None
    plain = plain_tokens[0][1]
    unknown: list[tuple[str, str, str]] = []  # (language, field, token) of the word
    for code in s.LANGUAGES:
        if searcher.doc_freq(s.F_LANG, code) == 0:
            continue
        tokens = analyzed(code, word)
        if len(tokens) != 1:
            continue
        token = tokens[0][1]
        field = s.text_field(code)
        if searcher.doc_freq(field, token) > 0:
            return None  # some language knows the word as typed: no term is compared
        unknown.append((code, field, token))
    for code, field, token in unknown:
        limit = 1 if len(token) <= 5 else 2
        forms = _Forms(
            {token, plain}
            | {
                plain[: -len(e)]
                for e in ENDINGS.get(code, ())
                if plain.endswith(e) and len(plain) > len(e) + 3
            }
        )
        for term, freq in _candidates(searcher, field, token, plain).items():
            # a term farther than the best so far cannot win: compare only up to it
            within = limit if best is None else min(limit, best[0])
            if not forms.shortest - within <= len(term) <= forms.longest + within:
                continue
            d = forms.distance(term, within)
            if d <= limit:
                candidate = (d, -freq, term, code)
                best = candidate if best is None or candidate < best else best
    if best is None:
        return None
    return _surface(searcher, schema, best[3], best[2])


def suggest(
    searcher: tantivy.Searcher, schema: tantivy.Schema, text: str, node: Node
) -> str | None:
    """The query text with unknown words replaced by their corrections, or None."""
    suggestion = text
    changed = False
    for word in walk_words(node):
        if not isinstance(word, Word) or word.field is not None:
            continue
        fixed = correction(searcher, schema, word.text)
        if fixed and fixed != word.text.lower():
            suggestion = re.sub(rf"(?<!\w){re.escape(word.text)}(?!\w)", fixed, suggestion, count=1)
            changed = True
    return suggestion if changed else None


def correctable(node: Node) -> bool:
    """Whether results for a correction may be shown in place of none: not for a query
    with a quoted phrase (its words were chosen exactly)."""
    return not any(isinstance(w, Phrase) for w in walk_words(node))
