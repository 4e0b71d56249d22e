"""Extraction + normalization on the bundled corpus and on real-world PDFs."""

import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import EmptyPDFError, EncryptedPDFError, ExtractionError
from indexer.extraction.normalize import TextQuality, normalize_document
from indexer.extraction.pdf import PdfInfo, iter_pages
from indexer.model import Source
from indexer.planning.records import read_publication
from tests.support import ROOT, real_pdf


def clean_pages(path: Path, passwords: tuple[str, ...] = ()) -> list[str]:
    return [c.text for c in normalize_document([p.text for p in iter_pages(path, passwords)])]


CORPUS = ROOT / "corpus" / "pdf"


def test_corpus_title_page_and_document_info() -> None:
    info: list[PdfInfo] = []
    pages = list(iter_pages(CORPUS / "nrm-sweden-2016.pdf", on_info=info.append))
    assert info[0].title == (
        "National Referral Mechanism – Protecting and supporting victims of Trafficking "
        "in Human Beings in Sweden"
    )
    assert info[0].author == "Länsstyrelsen Stockholm"
    assert info[0].year == 2016
    assert info[0].page_count == len(pages) == 8
    assert pages[0].text.startswith("Länsstyrelsen Stockholm")


def test_corpus_ligatures_and_hyphens_undone() -> None:
    raw = [p.text for p in iter_pages(CORPUS / "nrm-sweden-2016.pdf")]
    assert "\ufb01" in raw[1] and "sup-\nported" in raw[1]  # the PDF really has them
    pages = [c.text for c in normalize_document(raw)]
    assert "identified" in pages[1] and "supported" in pages[1]
    assert "sufficient" in pages[5]  # "suﬃ-\ncient": ligature and line-end hyphen at once
    assert not any("\ufb01" in p or "\ufb02" in p for p in pages)


def test_corpus_running_header_and_page_number_removed() -> None:
    pages = clean_pages(CORPUS / "lagesrapport-17-2016.pdf")
    assert pages[2].startswith("Polisens uppdrag som nationell rapportör")
    assert not pages[2].endswith("3")


def test_corpus_two_column_page_reads_column_by_column() -> None:
    page = clean_pages(CORPUS / "lagesrapport-17-2016.pdf")[6]
    assert page.startswith("Människohandel för andra ändamål")
    assert "tvångsarbete" in page and "brottsofferstödet" in page


def test_corpus_table_cells_extracted() -> None:
    page = clean_pages(CORPUS / "nrm-sweden-2016.pdf")[4]
    assert "Step" in page and "Responsible actor" in page and "Key measures" in page


def test_corpus_compound_hyphen_kept() -> None:
    text = " ".join(clean_pages(CORPUS / "barn-polisarenden-2017.pdf"))
    assert "EU-medborgare" in text
    assert "EU medborgare" not in text and "EUmedborgare" not in text


def test_corpus_romanian_page_comma_below_after_indexing() -> None:
    entry_langs = ("sv", "en", "ro", "rom", "bg", "ru")
    from indexer.planning.catalog import load_catalog

    entry = next(e for e in load_catalog(ROOT / "corpus" / "catalog.toml")
                 if e.languages == entry_langs)  # fmt: skip
    raw = next(p.text for p in iter_pages(CORPUS / "regional-coordinator-2017.pdf")
               if p.number == 4)  # fmt: skip
    assert "ş" in raw  # typeset with cedilla, as old Romanian PDFs are
    _, pages = read_publication(Source(path=entry.pdf, entry=entry), entry.id)
    assert pages[3].language == "ro"
    assert "ș" in pages[3].text and "ş" not in pages[3].text and "victimele" in pages[3].text


# ------------------------------------------------------------------ real-world files


def test_swedish_bill() -> None:
    pages = clean_pages(real_pdf("lang-sv/ferenda__39db8153.pdf"))
    assert len(pages) == 4
    assert "Tilläggsdirektiv till Utredningen om en översyn av fondregelverket" in pages[0]


def test_swedish_line_end_hyphens_rejoined() -> None:
    path = real_pdf(
        "lang-sv/ferenda__tillaggsdirektiv-till-forskningsdatautredningen-u-201604--dir.-201729.pdf"
    )
    page = clean_pages(path)[0]
    assert "Forskningsdatautredningen" in page
    assert "personuppgiftsbehandling" in page and "dataskyddsförordning" in page
    assert "Forskningsdatautred-" not in page


def test_russian() -> None:
    path = real_pdf(
        "lang-ru/tiru__0d398293ad70eb0877dc089b2acdecaac5ee9b6afbaded59bd7c0ef83a911d0e.pdf"
    )
    pages = clean_pages(path)
    assert pages[0].startswith("ЮЖНО-УРАЛЬСКИЙ ГОСУДАРСТВЕННЫЙ УНИВЕРСИТЕТ")
    assert "Физика и астрономия" in pages[1]


def test_bulgarian() -> None:
    pages = clean_pages(real_pdf("lang-bg/neispuo__Help.pdf"))
    assert len(pages) == 10
    assert "Печати в системата на предучилищното и училищното образование" in pages[1]


@pytest.mark.slow
def test_romanian_cedilla_mapped_to_comma_below() -> None:
    path = real_pdf("lang-ro/ocaro__202005 OMFP_2493_2019.pdf")
    pub, pages = read_publication(Source(path=path), "omfp")
    assert pages[0].language == "ro"
    assert "precum și pentru modificarea și completarea" in pages[0].text
    assert "ş" not in pages[0].text and "ţ" not in pages[0].text
    assert pub.year == 2019 and pub.languages == ("ro",)


def test_ligature_glyphs_expanded() -> None:
    pages = clean_pages(real_pdf("weird/pdfjs__copy_paste_ligatures.pdf"))
    assert pages == ["abcdef" + "ff" + "fi" + "fl" + "ffi" + "ffl" + "st" + "st" + "ghijklmno"]


def test_unmapped_glyph_page_marked_not_indexed_as_junk() -> None:
    path = real_pdf("weird/pdfpig__document_with_failed_fonts.pdf")
    cleaned = normalize_document([p.text for p in iter_pages(path)])
    assert [c.quality for c in cleaned] == [
        TextQuality.OK, TextQuality.UNMAPPED, TextQuality.OK, TextQuality.OK,
    ]  # fmt: skip
    assert "Truhlář.cz" in cleaned[0].text
    assert all("(cid:" not in c.text for c in cleaned)


def test_owner_only_encryption_opens_with_empty_password() -> None:
    info: list[PdfInfo] = []
    first = next(iter_pages(real_pdf("encrypted/ferenda__basic-7.pdf"), on_info=info.append))
    assert info[0].encrypted and info[0].page_count == 81
    assert "Insatser för vissa nyanlända invandrares" in " ".join(first.text.split())


def test_user_password() -> None:
    path = real_pdf("encrypted/pypdf__r2-user-password.pdf")
    with pytest.raises(EncryptedPDFError, match="password required; skipped"):
        list(iter_pages(path))
    assert len(list(iter_pages(path, ("wrong", "asdfzxcv")))) == 1


@pytest.mark.parametrize(
    ("name", "error", "detail"),
    [
        ("broken/plumber__empty.pdf", ExtractionError, "empty file (0 bytes)"),
        ("broken/ocrmypdf__invalid.pdf", ExtractionError, "not a readable PDF"),
        ("broken/pdfpig__SpookyPass.pdf", ExtractionError, "not a readable PDF"),
    ],
)
def test_broken_files_raise_with_path_and_reason(
    name: str, error: type[ExtractionError], detail: str
) -> None:
    path = real_pdf(name)
    with pytest.raises(error) as info:
        list(iter_pages(path))
    assert str(path) in str(info.value) and detail in str(info.value)
    assert info.value.reason == "corrupt"


def test_no_pages_error_is_its_own_reason() -> None:
    assert EmptyPDFError("x.pdf", "the PDF has no pages").reason == "no-pages"


@pytest.mark.slow
def test_same_bytes_same_text_whatever_the_process_read_before() -> None:
    # pdfminer breaks ties between equally distant boxes by memory address; page 3 of this
    # file (a table of short cells) then read differently after another file was read
    table = real_pdf("lang-sv/ferenda__f690153e.pdf")
    other = real_pdf("lang-sv/ferenda__2012-13-144__index.pdf")
    code = (
        "import hashlib, sys; from pathlib import Path\n"
        "from indexer.extraction.pdf import iter_pages\n"
        "for name in sys.argv[2:]: list(iter_pages(Path(name)))\n"
        "junk = [object() for _ in range(int(sys.argv[1]))]\n"
        f"pages = list(iter_pages(Path({str(table)!r})))\n"
        "print(hashlib.sha256(''.join(p.text for p in pages).encode()).hexdigest())"
    )

    def text_hash(*before: str) -> str:
        args = [sys.executable, "-c", code, *before]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    fresh = text_hash("0")
    assert text_hash("77777") == fresh
    assert text_hash("5", str(other)) == fresh
