from pathlib import Path

import pytest

from indexer.extraction.language import detect, detect_document, looks_romani
from indexer.extraction.normalize import normalize_document
from indexer.extraction.pdf import iter_pages
from indexer.model import Source
from indexer.planning.catalog import load_catalog
from indexer.planning.records import read_publication
from tests.support import CATALOG, ROOT, real_pdf

SV = "Barnen och skyddet för människohandelsoffer är viktigt för alla myndigheter i Sverige."
RU = "Жертвы торговли людьми могут получить помощь и защиту в Швеции бесплатно и конфиденциально."
BG = "Жертвите на трафик на хора могат да получат помощ и закрила в Швеция безплатно и поверително."
RO = (
    "Victimele traficului de persoane pot primi sprijin și protecție în Suedia, "
    "gratuit și confidențial."
)
ROM = (
    "O manuš kaj si ćhorardo šaj te lel žutipe thaj sastipe. Amen keras buti khetane "
    "le themeske institucijencar vaš te žutisaras tumen kana trobul."
)


@pytest.mark.parametrize(("text", "code"), [(SV, "sv"), (RU, "ru"), (BG, "bg"), (RO, "ro")])
def test_detects_supported_languages(text: str, code: str) -> None:
    assert detect(text).code == code


def test_detection_is_deterministic() -> None:
    assert len({detect(SV + " " + RO).confidence for _ in range(5)}) == 1


def test_romani_is_undetermined_not_a_wrong_stemmer() -> None:
    assert looks_romani(ROM)
    guess = detect(ROM, ["sv", "en", "ro", "rom", "bg", "ru"])
    assert (guess.code, guess.detected) == ("und", "rom")


def test_declared_languages_constrain_detection() -> None:
    assert detect(RU, ["sv"]).code == "und"  # Russian text in a Swedish-only publication
    assert detect(BG, ["bg", "ru"]).code == "bg"


def test_short_pages_inherit_the_document_language() -> None:
    guesses = detect_document([SV * 2, "Bilaga 1", SV], ["sv"])
    assert [g.code for g in guesses] == ["sv", "sv", "sv"]
    assert detect_document(["Bilaga 1"])[0].code == "und"


def test_six_language_brochure_page_by_page() -> None:
    entry = next(e for e in load_catalog(CATALOG) if e.id == "regional-coordinator-2017")
    _, pages = read_publication(Source(path=entry.pdf, entry=entry), entry.id)
    assert [p.language for p in pages] == ["en", "sv", "en", "ro", "und", "bg", "ru", "sv"]
    assert "manuš" in pages[4].text.lower()  # the Romani page, indexed language-neutral


def test_every_corpus_page_has_its_declared_language() -> None:
    for entry in load_catalog(CATALOG):
        if entry.pdf is None or len(entry.languages) > 1:
            continue
        _, pages = read_publication(Source(path=entry.pdf, entry=entry), entry.id)
        assert {p.language for p in pages} == set(entry.languages), entry.id


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("lang-sv/ferenda__39db8153.pdf", "sv"),
        ("lang-bg/neispuo__Help.pdf", "bg"),
        ("lang-ro/pdfcpu__romanian.pdf", "ro"),
        ("lang-ru/tiru__complicated.pdf", "ru"),
    ],
)
def test_real_files_language(name: str, code: str) -> None:
    path: Path = real_pdf(name)
    texts = [c.text for c in normalize_document([p.text for p in iter_pages(path)])]
    assert {g.code for g in detect_document(texts)} == {code}


def test_latin_lookalike_garbage_is_not_russian() -> None:
    path = real_pdf("scanned/tiru__4043_0.pdf")
    texts = [c.text for c in normalize_document([p.text for p in iter_pages(path)])]
    assert "ru" not in {g.code for g in detect_document(texts)}


assert ROOT.is_dir()
