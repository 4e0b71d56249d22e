"""Name keys: one key for a name in any script and romanization, kept apart from other
forms of the same surname and from other words."""

from __future__ import annotations

import pytest

from indexer.index import schema
from indexer.index.names import NameLookup, is_name_like, name_key, name_keys, name_lookups

#: One name as passports (ICAO 9303), BGN/PCGN and the English press, ISO 9 / GOST, the
#: Bulgarian official system, German and Swedish styles and diacritics write it.
SAME = [
    ("Volkov", "Волков", "Wolkow", "VOLKOV", "Volkoff"),
    ("Volkova", "Волкова", "Wolkowa"),
    ("Abyzov", "Абызов"),
    ("Tarabrin", "Тарабрин"),
    ("Kostadinova", "Костадинова"),
    ("Kanchev", "Кънчев"),  # Bulgarian ъ is a (the official system)
    ("Natalia", "Natalya", "Nataliya", "Natalja", "Наталья", "Наталия"),
    ("Iuliia", "Yulia", "Julia", "Юлия"),
    ("Shchepetkin", "Schtschepetkin", "Sjtjepetkin", "Щепеткин"),
    ("Yermakova", "Ermakova", "Ермакова"),
    ("Sergey", "Sergei", "Sergej", "Сергей"),
    ("Alexander", "Aleksandr", "Александр"),
    ("Khrushchev", "Chrusjtjov", "Chruschtschow", "Хрущёв", "Хрущев"),
    ("Gorbachev", "Gorbatjov", "Gorbatschow", "Горбачёв"),
    ("Zhukov", "Zjukov", "Schukow", "Жуков"),
    ("Stefanescu", "Ștefănescu", "Ştefănescu"),
    ("Shterev", "Щерев"),  # Bulgarian щ is sht
    ("Zhechev", "Жечев"),
    ("Tsvetanova", "Цветанова"),
    ("Washington", "Вашингтон"),
    ("Reinfeldt", "Рейнфельдт"),
    ("Johnson", "Джонсон"),  # English j is дж
    ("Dorochina", "Дорохина"),  # Swedish ch is х
    ("Kuznezow", "Кузнецов"),  # German z is з, or ц
    ("Solnzewa", "Солнцева"),
]
#: Never one key: other forms of a surname, other words.
APART = [
    ("Volkov", "Volkova"),
    ("Ivanov", "Ivanova"),
    ("Волков", "Волкова"),
    ("Volkov", "Volvo"),
    ("Abyzov", "above"),
    ("tiggeri", "tigeri"),
    ("Petrov", "Petrova"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda s: s[0])
def test_one_name_one_key(spellings: tuple[str, ...]) -> None:
    first = set(name_keys(spellings[0]))
    for other in spellings[1:]:
        assert first & set(name_keys(other)), (spellings[0], other, name_keys(other))


@pytest.mark.parametrize(("a", "b"), APART)
def test_other_forms_and_words_stay_apart(a: str, b: str) -> None:
    assert not set(name_keys(a)) & set(name_keys(b))


def test_keys_are_exact() -> None:
    assert name_keys("Волков") == ("volkov",)
    assert name_keys("Щепеткин") == ("qepetkin",)
    assert name_keys("Tatjana") == ("tacana", "tatiana")  # Swedish ч, or т and a glide
    assert name_key("Кънчев") == "kancev"


def test_name_like_words() -> None:
    assert is_name_like("Волков") and is_name_like("VOLKOV") and is_name_like("Åsa")
    assert not is_name_like("волков")  # not capitalized
    assert not is_name_like("Ив")  # too short
    assert not is_name_like("B2B")


def test_lookup_terms_carry_field_term_and_word_as_printed() -> None:
    analyzer = schema.analyzer("ru")
    text = "Волков В.Л. и Волкова; волк Волков"
    lookups = list(name_lookups("text_ru", analyzer, text))
    # the Russian analyzer stems Волков to волк (wolf): the key is built from the word
    assert lookups == [
        "n:volkov:text_ru:волк:Волков",
        "n:volkova:text_ru:волков:Волкова",
    ]
    parsed = NameLookup.parse(lookups[0], 3)
    assert parsed == NameLookup(
        lookup=lookups[0], field="text_ru", term="волк", word="Волков", pages=3
    )
    assert NameLookup.parse("text_sv:f:forordning:förordning", 1) is None
