"""Name keys: one spelling-independent key per word, so that a name typed in Latin letters
finds the same name printed in Cyrillic, the Swedish or German way, or without diacritics.

``Волков``, ``Volkov`` and ``Wolkow`` share the key ``volkov``; ``Щепеткин``,
``Shchepetkin``, ``Schtschepetkin`` and ``Sjtjepetkin`` share ``qepetkin``; ``Кънчев``
(Bulgarian: ъ is a, the official system) and ``Kanchev`` share ``kancev``. The key keeps
what tells two names apart: ``Volkova`` (``volkova``) is not ``Volkov``, ``Ivanova`` is not
``Ivanov``, ``Volvo`` is not ``Volkov``; double letters stay (``tiggeri`` is not
``tigeri``).

How: Cyrillic is mapped letter by letter to a Latin skeleton in which the sounds that
romanization systems spell differently are one symbol each (ш/ж, щ, ч, х, ц); a Latin
spelling is cut into the same symbols by a longest-match rule over the spellings of
ICAO 9303 passports, BGN/PCGN and the English press, ISO 9 / GOST, the Bulgarian official
system, German (``Schtsch``, ``w``, ``ch``) and Swedish (``sjtj``, ``tj``, ``zj``) styles;
diacritics are dropped (``Ștefănescu`` = ``Stefanescu``); y/j/i runs become one ``i``
(Natalya = Natalia = Natalja = Наталья). Other scripts fall back to their letters without
diacritics.

Why not a library alone (measured, ``docs/names.md``): ICU's ``Any-Latin; Latin-ASCII`` and
``normality.ascii_text`` go through ISO 9 and then drop diacritics, losing ш/щ/ж/ч/ю/я
(Юлия -> ``ulia``, Щерев -> ``serev``): 7 of 22 test groups matched; rigour's name symbols
are dictionary ids (no Tarabrin, no Shchepetkin) and give Volkov and Volkova one id; the
phonetic codes of rigour and jellyfish merge Volkov with Volkova. This key matches all 22
groups and merges none of the pairs that must differ. It is standard library only and
cheap to import, so the query side can use it (about 20 µs a word, cached).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import tantivy

__all__ = [
    "MIN_NAME_LETTERS",
    "NameLookup",
    "is_name_like",
    "name_key",
    "name_key_prefix",
    "name_keys",
    "name_lookups",
]

#: Words shorter than this get no key (initials and short words would only add noise).
MIN_NAME_LETTERS = 3
#: Longer words get no lookup term (no name is that long; a term must stay small).
MAX_WORD_BYTES = 64

# Cyrillic -> the key's skeleton. Upper case letters are symbols, lowered at the end:
# S = ш/ж, Q = щ, C = ч, H = х, T = ц.
_LATIN_OF = (
    "a", "b", "v", "g", "d", "e", "e", "S", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "H", "T", "C", "S", "Q", "i", "e", "iu", "ia", "i", "i", "ie", "g",
    "u", "i", "C",
)  # fmt: skip
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщыэюяіїєґўјћ", _LATIN_OF, strict=True))
_CYRILLIC.update({"љ": "li", "њ": "ni", "џ": "dS", "ђ": "dz"})
_VOWELS = "аеёиоуыэюяіїєaeiouâ"
_CONSONANTS = "bdfgklmnprstvzQSCHT"
# Latin letters that romanizations write for one Cyrillic sound, before diacritics go.
_LATIN_LETTERS = {
    "š": "sh", "ž": "zh", "č": "tsch", "ć": "tsch", "ŝ": "shch", "ż": "zh", "û": "iu",
    "ŭ": "a", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
    "þ": "th", "ı": "i",
}  # fmt: skip
_APOSTROPHES = str.maketrans("", "", "'’ʼ`ʹʺ")
_ISO9 = re.compile(r"[čšžŝʹʺëûè]")
#: A German or Swedish spelling: there ``ch`` is х (Chruschtschow), in English ч.
_GERMANIC = re.compile(r"w|sch|sj|tj|zj|sz|cz|[šžč]|[aeiouy]j(?![aeiou])")
#: Latin spellings of one sound, longest first.
_SPELLINGS = re.compile(
    r"schtsch|shtsch|shtch|shch|sjtj|szcz|shh|scht|sjt|sht|tsch|tch|tj|cz|sch|sh"
    r"|sj|zh|zj|sz|kh|ch|ts|tz|tc|zw|ck|ph|th|[cxqwhjy]"
)
_SYMBOL = {
    **dict.fromkeys(("schtsch", "shtsch", "shtch", "shch", "sjtj", "szcz", "shh", "scht", "sjt",
                     "sht"), "Q"),
    **dict.fromkeys(("tsch", "tch", "cz"), "C"),
    **dict.fromkeys(("sch", "sh", "sj", "zh", "zj", "sz"), "S"),
    **dict.fromkeys(("ts", "tz", "tc"), "T"),
    "kh": "H", "h": "H", "zw": "Tv", "ck": "k", "ph": "f", "th": "t", "x": "ks", "q": "k",
    "w": "v", "j": "i", "y": "i",
}  # fmt: skip
_AFTER = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"St|SC", "Q"),  # Cyrillic шт / шч written for щ
        (r"tC", "C"),  # тч
        (f"(?![ts]ion)([{_CONSONANTS}])io(?=[{_CONSONANTS}])", r"\1e"),  # ё: Pyotr / Petr
        (r"i+", "i"),  # iy, ij, ii: Sergey / Sergei / Sergej
        (r"(^|[aeou])ie|ie(?=v)", r"\1e"),  # Yermakova / Ermakova, Andreyev / Andreev
        (r"([QSC])ov(a?)$", r"\1ev\2"),  # Gorbatschow / Gorbachev
        (r"([oe])ff(a?)$", r"\1v\2"),  # Volkoff
        (r"(nd)[ea]r$", r"\1r"),  # Alexander / Aleksandr
    )
]
_LOWER_SYMBOLS = str.maketrans("QSCHT", "qxchw")
#: A Latin word starting with j and a vowel may be English (j is дж), with a silent h
#: after a vowel (Johnson, John): it gets that reading as a second key.
_ENGLISH_J = re.compile(r"j(?=[aeiou])")
_SILENT_H = re.compile(r"(?<=[aeiou])h(?=[^aeiouy])")
#: A German z alone (not in sz, zh, zj, tz): ц.
_GERMAN_Z = re.compile(r"(?<![stz])z(?![hjz])")


def _from_cyrillic(word: str) -> str:
    out = []
    for i, letter in enumerate(word):
        before, after = word[i - 1 : i], word[i + 1 : i + 2]
        if letter in "ъьʹʺ":  # a glide before a vowel; Bulgarian ъ before a consonant is a
            if after and after in _VOWELS:
                out.append("i")
            elif letter == "ъ" and after:
                out.append("a")
        elif letter == "â":  # ISO 9's я, unless Romanian â
            iso9 = not before or before in "aeiou" or _ISO9.search(word)
            out.append("ia" if iso9 else "a")
        else:
            out.append(_CYRILLIC.get(letter, letter))
    return "".join(out)


def _plain(text: str) -> str:
    """`text` without diacritics (NFKD, combining marks dropped)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _key(w: str, germanic: bool, tj: str) -> str:
    """The key of the lower-case Latin `w`, reading ``tj`` as `tj` (``C``: ч, or ``ti``)."""

    def symbol(m: re.Match[str]) -> str:
        spelled, after = m.group(0), w[m.end() : m.end() + 1]
        if spelled == "ch":  # German and Swedish ch is х; English ch is ч
            return "H" if germanic or (m.start() == 0 and after in ("r", "l")) else "C"
        if spelled == "c":  # ISO 9 and Romanian c before e, i, y, v is ц; else k
            return "T" if after and after in "eiyv" else "k"
        return tj if spelled == "tj" else _SYMBOL[spelled]

    key = _SPELLINGS.sub(symbol, w)
    for pattern, replacement in _AFTER:
        key = pattern.sub(replacement, key)
    return key.translate(_LOWER_SYMBOLS)


@lru_cache(maxsize=1 << 16)
def name_keys(word: str) -> tuple[str, ...]:
    """The keys of `word`: one, or more where a Latin spelling reads two ways (``tj`` is
    Swedish ч, or т before a glide: Tatjana; an initial ``j`` is й, or English дж:
    Johnson; ``ch`` is English ч, or Swedish х: Dorochina; a German ``z`` is з, or ц:
    Kusnezow)."""
    w = unicodedata.normalize("NFC", word.lower()).translate(_APOSTROPHES)
    germanic = bool(_GERMANIC.search(w))
    if not w.isascii():
        w = _plain("".join(_LATIN_LETTERS.get(c, c) for c in _from_cyrillic(w)))
    if germanic:
        w = w.replace("ss", "s")  # Wassilij, Jessenin
    keys = [_key(w, germanic, "C")]
    if "tj" in w:
        keys.append(_key(w, germanic, "ti"))
    if _ENGLISH_J.match(w) and not germanic:  # English j is дж: Johnson / Джонсон
        keys.append(_key(_ENGLISH_J.sub("dzh", _SILENT_H.sub("", w), count=1), False, "C"))
    if not germanic and "ch" in w:  # Swedish ch is х too, with no other mark: Dorochina
        keys.append(_key(w, True, "C"))
    if germanic:  # German z is з, or ц: each reading of at most two of them (Kusnezow)
        spots = [m.start() for m in _GERMAN_Z.finditer(w)][:2]
        for chosen in range(1, 1 << len(spots)):
            spelled = "".join(
                "ts" if i in {s for n, s in enumerate(spots) if chosen >> n & 1} else c
                for i, c in enumerate(w)
            )
            keys.append(_key(spelled, True, "C"))
    return tuple(dict.fromkeys(keys))


def name_key(word: str) -> str:
    """The first key of `word` (see :func:`name_keys`)."""
    return name_keys(word)[0]


def is_name_like(word: str) -> bool:
    """Whether a word as printed may be a name: it starts with a capital letter and has at
    least :data:`MIN_NAME_LETTERS` letters (``ВОЛКОВ`` and ``Volkov`` yes, ``и`` no)."""
    return len(word) >= MIN_NAME_LETTERS and word[0].isupper() and word.isalpha()


# ---------------------------------------------------------------- lookup terms

#: The kind of lookup term (:mod:`indexer.index.variants`) that carries a name key.
NAME = "n"
SEPARATOR = ":"
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def name_key_prefix(key: str) -> str:
    """The prefix of the lookup terms of every word whose key is `key`."""
    return f"{NAME}{SEPARATOR}{key}{SEPARATOR}"


def name_lookups(field: str, analyzer: tantivy.TextAnalyzer, text: str) -> Iterator[str]:
    """``n:<key>:<field>:<term>:<word as printed>`` for each distinct name-like word of
    `text` (:func:`is_name_like`) and each of its keys: the word's term in `field` (by the
    field's own `analyzer`) is what a query reaches the page by, and the word as printed is
    what the hit shows (``Волков, for Volkov``). A word the analyzer drops (a stop word)
    or splits gets none."""
    seen: set[str] = set()
    for word in _WORDS.findall(text):
        if word in seen or not is_name_like(word):
            continue
        seen.add(word)
        terms = analyzer.analyze(word)
        if len(terms) != 1 or len(word.encode()) > MAX_WORD_BYTES:
            continue
        for key in name_keys(word):
            yield SEPARATOR.join((NAME, key, field, terms[0], word))


@dataclass(frozen=True, slots=True, kw_only=True)
class NameLookup:
    """One word of the index reached by a name key: its `lookup` term, the `field` and
    `term` to search, the `word` as printed, and `pages`, how many pages print it."""

    lookup: str
    field: str
    term: str
    word: str
    pages: int

    @classmethod
    def parse(cls, lookup: str, pages: int) -> NameLookup | None:
        """The word a name lookup term stands for (None: not a name lookup term)."""
        parts = lookup.split(SEPARATOR, 4)
        if len(parts) != 5 or parts[0] != NAME:
            return None
        _, _key, field, term, word = parts
        return cls(lookup=lookup, field=field, term=term, word=word, pages=pages)
