"""Write the fixed list of ``make bench-screen`` (``tests/benchmarks/screen-names.txt``).

Half of the names are surnames printed in Cyrillic in ``../shared/realpdfs`` (the Russian
staff declarations and the Bulgarian class diary), each written in Latin letters the way
one system of the field writes it, in turn: ICAO 9303 passports, BGN/PCGN, German and
Swedish styles for Russian; the official Bulgarian system for Bulgarian. The other half are
made-up names in the same shapes, which no page holds. The list is kept in the repository,
so every run screens the same names; run this again only to change it.

    .venv/bin/python tests/benchmarks/make_screen_list.py INDEX   # an index of realpdfs
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "screen-names.txt"
SIZE = 1000

_COMMON = dict(zip("абвгдзклмнопрстуф", "abvgdzklmnoprstuf", strict=True))
#: Each system's letters where they differ (hand-written from the published tables, for
#: making test data only: the product's keys never use them).
SYSTEMS: dict[str, dict[str, str]] = {
    "icao": {"е": "e", "ё": "e", "ж": "zh", "и": "i", "й": "i", "х": "kh", "ц": "ts",
             "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e",
             "ю": "iu", "я": "ia"},
    "bgn": {"е": "e", "ё": "yo", "ж": "zh", "и": "i", "й": "y", "х": "kh", "ц": "ts",
            "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
            "ю": "yu", "я": "ya"},
    "german": {"е": "e", "ё": "jo", "ж": "sch", "и": "i", "й": "j", "х": "ch", "ц": "z",
               "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e",
               "ю": "ju", "я": "ja", "в": "w"},
    "swedish": {"е": "e", "ё": "jo", "ж": "zj", "и": "i", "й": "j", "х": "ch", "ц": "ts",
                "ч": "tj", "ш": "sj", "щ": "sjtj", "ъ": "", "ы": "y", "ь": "", "э": "e",
                "ю": "ju", "я": "ja"},
    "bulgarian": {"е": "e", "ж": "zh", "и": "i", "й": "y", "х": "h", "ц": "ts", "ч": "ch",
                  "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya"},
}  # fmt: skip
RUSSIAN = ("icao", "bgn", "german", "swedish")
SURNAME = re.compile(r"^[А-ЯЁ][а-яё]{3,}(?:ов|ев|ёв|ин|ова|ева|ёва|ина|ский|ская|ски|ска)$")


def romanize(word: str, system: str) -> str:
    table = {**_COMMON, **SYSTEMS[system]}
    out = "".join(table.get(c, c) for c in word.lower())
    return out[:1].upper() + out[1:]


def printed_surnames(index_dir: Path) -> list[tuple[str, str]]:
    """(word, language) of the Cyrillic surnames the index's name lookup terms hold."""
    from indexer.index import schema as s
    from search.reader import view_of

    view = view_of(index_dir)
    found: dict[str, str] = {}
    for lookup, _ in view.searcher.terms_with_prefix(s.F_VARIANTS, "n:", limit=2_000_000):
        parts = lookup.split(":", 4)
        if len(parts) == 5 and parts[2] in ("text_ru", "text_bg") and SURNAME.match(parts[4]):
            found.setdefault(parts[4], parts[2][-2:])
    return sorted(found.items())


def made_up(rng: random.Random) -> str:
    onsets = ["Br", "Kv", "Zd", "Pl", "Gr", "Vr", "Sk", "Tr", "Dv", "Mr", "Fl", "Kl"]
    vowels = ["a", "o", "u", "e", "i"]
    codas = ["zg", "mp", "rt", "lk", "vd", "gn", "ks"]
    endings = ["ov", "ova", "ev", "eva", "in", "ina", "ski", "ska"]
    stem = rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) + rng.choice(vowels)
    return stem + rng.choice(codas) + rng.choice(endings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    args = parser.parse_args()
    rng = random.Random(20261207)
    surnames = printed_surnames(args.index)
    rng.shuffle(surnames)
    present = []
    for i, (word, language) in enumerate(surnames[: SIZE // 2]):
        system = "bulgarian" if language == "bg" else RUSSIAN[i % len(RUSSIAN)]
        present.append(f"{romanize(word, system)}\t# {word} ({system})")
    absent = sorted({made_up(rng) for _ in range(SIZE)})[: SIZE - len(present)]
    lines = [
        "# The names of `make bench-screen` (tests/benchmarks/make_screen_list.py wrote them):",
        f"# {len(present)} Latin spellings of surnames printed in Cyrillic in ../shared/realpdfs,",
        f"# then {len(absent)} made-up names no page holds.",
        *[line.split("\t")[0] for line in present],
        *absent,
    ]
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "screen-names-sources.txt").write_text(
        "\n".join(line.replace("\t", "  ") for line in present) + "\n", encoding="utf-8"
    )
    print(f"wrote {TARGET}: {len(present)} present, {len(absent)} absent")


if __name__ == "__main__":
    main()
