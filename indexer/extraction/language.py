"""Per-page language detection: the only module that imports langdetect.

Deterministic (fixed seed). A guess outside the analyzer table, below the confidence
threshold, or outside the languages a catalog entry declares, becomes ``und``. langdetect
has no Romani profile and calls Romani text Albanian, Croatian, Romanian...; a page whose
words are mostly Romani function words is therefore ``und`` too, never a stemmer that would
mangle it. Pages too short to judge inherit the document's language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from langdetect import detector_factory
from langdetect.detector_factory import DetectorFactory, init_factory
from langdetect.lang_detect_exception import LangDetectException

from indexer.index.schema import LANGUAGES, UNDETERMINED

DetectorFactory.seed = 0

#: Fewer letters than this: too short to judge; the page takes the document's language.
MIN_LETTERS = 60
#: A guess below this probability is not trusted.
MIN_CONFIDENCE = 0.70
#: With declared languages, the chosen one must still have at least this raw probability.
MIN_SUPPORT = 0.20
#: Only this many characters of a page are read (detection is statistical; more adds time).
SAMPLE_CHARS = 1500
#: Codes langdetect uses that differ from ours.
_ALIASES = {"nb": "no", "nn": "no", "zh-cn": "zh", "zh-tw": "zh"}

_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[^\W\d_]+")
#: Frequent Romani (Vlax/Kalderash orthography) words that are not words of the languages
#: langdetect confuses it with. Ratio of page words in this set marks a page as Romani.
ROMANI_MARKERS = frozenset(
    [
        "thaj",
        "vaš",
        "kaj",
        "sar",
        "khere",
        "manuš",
        "manušen",
        "manuša",
        "ćhave",
        "ćhavo",
        "ćhaven",
        "šaj",
        "naj",
        "sine",
        "amen",
        "tumen",
        "lenge",
        "lengo",
        "lengi",
        "lenđe",
        "tumenge",
        "amenge",
        "maj",
        "but",
        "ando",
        "andi",
        "andre",
        "kana",
        "savo",
        "savi",
        "save",
        "avela",
        "kerel",
        "keren",
        "kerela",
        "dikhel",
        "phenel",
        "žutipe",
        "žutisarel",
        "butji",
        "buti",
        "sastipe",
        "khetane",
        "nasul",
        "nasulipe",
        "drom",
        "romano",
        "romani",
        "roma",
        "ramol",
        "hramol",
        "dživdipe",
        "trajo",
        "ađes",
        "akana",
        "trobul",
        "trubul",
    ]
)
ROMANI_SHARE = 0.06
ROMANI = "rom"


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language chosen for one page.

    code: a key of :data:`indexer.index.schema.LANGUAGES` (``und`` when unsure).
    confidence: langdetect's probability for it (0.0 when not detected but inherited).
    detected: what langdetect said before constraints (``rom`` for Romani), for reports.
    """

    code: str
    confidence: float
    detected: str


def load_profiles() -> None:
    """Load langdetect's language profiles now (they load on first use otherwise)."""
    init_factory()


def _probabilities(text: str) -> list[tuple[str, float]]:
    init_factory()
    detector = detector_factory._factory.create()
    detector.append(text[:SAMPLE_CHARS].lower())  # all-caps tables otherwise look English
    try:
        return [(_ALIASES.get(p.lang, p.lang), p.prob) for p in detector.get_probabilities()]
    except LangDetectException:
        return []


def looks_romani(text: str) -> bool:
    words = [w.lower() for w in _WORDS.findall(text[:SAMPLE_CHARS])]
    if len(words) < 10:
        return False
    hits = sum(1 for w in words if w in ROMANI_MARKERS)
    return hits / len(words) >= ROMANI_SHARE


def detect(text: str, allowed: Iterable[str] = ()) -> LanguageGuess:
    """Guess the language of one page's text.

    `allowed`: the languages the publication declares; when given, only those can be chosen.
    Returns ``und`` for short text (see :func:`detect_document` for inheritance).
    """
    allowed_set = frozenset(allowed)
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0, UNDETERMINED)
    if (not allowed_set or ROMANI in allowed_set) and looks_romani(text):
        return LanguageGuess(UNDETERMINED, 0.0, ROMANI)
    probs = _probabilities(text)
    if not probs:
        return LanguageGuess(UNDETERMINED, 0.0, UNDETERMINED)
    top = probs[0][0]
    candidates = [
        (c, p) for c, p in probs if c in LANGUAGES and (not allowed_set or c in allowed_set)
    ]
    if candidates:
        code, prob = candidates[0]
        # Among the declared languages, judge the best one by its share of their mass.
        share = prob / sum(p for _, p in candidates) if allowed_set else prob
        if prob >= MIN_SUPPORT and share >= MIN_CONFIDENCE:
            return LanguageGuess(code, prob, top)
    return LanguageGuess(UNDETERMINED, probs[0][1], top)


def detect_document(texts: Sequence[str], allowed: Iterable[str] = ()) -> list[LanguageGuess]:
    """Detect every page of a document; short pages inherit the document's language.

    The document's language is the most common language among its judged pages, else the
    single supported language the catalog declares, else ``und``.
    """
    allowed_list = list(allowed)
    guesses = [detect(t, allowed_list) for t in texts]
    judged = Counter(
        g.code
        for g, t in zip(guesses, texts, strict=False)
        if len(_LETTER.findall(t)) >= MIN_LETTERS
    )
    judged.pop(UNDETERMINED, None)
    declared = [c for c in allowed_list if c in LANGUAGES and c != UNDETERMINED]
    if judged:
        doc_lang = judged.most_common(1)[0][0]
    elif len(declared) == 1:
        doc_lang = declared[0]
    else:
        doc_lang = UNDETERMINED
    return [
        g
        if len(_LETTER.findall(t)) >= MIN_LETTERS or not t
        else LanguageGuess(doc_lang, 0.0, g.detected)
        for g, t in zip(guesses, texts, strict=False)
    ]
