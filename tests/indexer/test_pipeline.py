"""The indexing pipeline on small PDFs written in code and on real-world folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indexer import pipeline
from indexer.errors import CatalogError, PathNotFoundError
from indexer.model import IndexSettings
from indexer.planning.catalog import load_catalog
from indexer.planning.changes import slugify
from indexer.planning.records import guess_title
from search.query.syntax import Filters
from search.results.answer import search
from tests.support import CATALOG, real_pdf

SV = "Socialtjänsten ska ge barnen stöd och skydd när de har utsatts för människohandel."


def test_pdf_outside_catalog_takes_document_info(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    pdf = make_pdf([SV, SV], name="Rapport_2019.pdf", title="Stöd till barn", author="Kommunen")
    report = pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[pdf]))
    assert report.ok and report.pages == 2
    hit = search(tmp_path / "ix", "barn").hits[0]
    assert (hit.id, hit.title, hit.authors, hit.path) == (
        "rapport-2019", "Stöd till barn", ("Kommunen",), str(pdf),
    )  # fmt: skip
    assert hit.languages == ("sv",) and hit.type is None and hit.year is not None


def test_reindexing_replaces_and_keeps_others(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    first = make_pdf([SV], name="a/first.pdf")
    second = make_pdf(["Polisen utreder tiggeri och tvångsarbete bland EU-medborgare i landet."],
                      name="b/second.pdf")  # fmt: skip
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[first]))
    pipeline.index(IndexSettings(index_dir=ix, paths=[second]))
    pipeline.index(IndexSettings(index_dir=ix, paths=[second]))  # again: replaced, not duplicated
    assert {h.id for h in search(ix, "barn OR tiggeri").hits} == {"first", "second"}
    assert search(ix, "tiggeri").total_pages == 1
    pipeline.index(IndexSettings(index_dir=ix, paths=[second], rebuild=True))
    assert {h.id for h in search(ix, "barn OR tiggeri").hits} == {"second"}


def test_same_file_name_in_two_folders_gets_two_ids(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    one = make_pdf([SV], name="x/rapport.pdf")
    two = make_pdf(["Ett helt annat dokument om tiggeri och tvångsarbete i Sverige."],
                   name="y/rapport.pdf")  # fmt: skip
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[one]))
    pipeline.index(IndexSettings(index_dir=ix, paths=[two]))
    ids = sorted(h.id for h in search(ix, "sverige OR barn", limit=5).hits)
    assert ids[0] == "rapport" and ids[1].startswith("rapport-") and len(ids) == 2


def test_folder_is_walked_recursively_any_case(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    make_pdf([SV], name="in/a.pdf")
    make_pdf([SV], name="in/sub/B.PDF")
    (tmp_path / "in" / "notes.txt").write_text("not a pdf")
    report = pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[tmp_path / "in"]))
    assert sorted(Path(f.path).name for f in report.files) == ["B.PDF", "a.pdf"]


def test_missing_path_is_an_error_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(PathNotFoundError, match=r"nope\.pdf: no such file or folder"):
        pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[tmp_path / "nope.pdf"]))
    assert not (tmp_path / "ix").exists()


def test_catalog_pdf_indexed_by_path_keeps_catalog_metadata(tmp_path: Path) -> None:
    entry = next(e for e in load_catalog(CATALOG) if e.id == "nrm-sweden-2016")
    assert entry.pdf is not None
    pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[entry.pdf], catalog=CATALOG))
    hit = search(tmp_path / "ix", "referral").hits[0]
    assert (hit.id, hit.type, hit.year) == ("nrm-sweden-2016", "manual", 2016)


def test_bad_catalog(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.toml"
    bad.write_text('[[publication]]\nid = "x"\n')
    with pytest.raises(CatalogError, match="publication #1: missing or empty `title`"):
        load_catalog(bad)


def test_slugify() -> None:
    assert slugify("Ръководство на потребителя - Helpdesk") == "ръководство-на-потребителя-helpdesk"
    assert slugify("202005 OMFP_2493_2019") == "202005-omfp-2493-2019"


@pytest.mark.parametrize(
    ("info", "first_page", "title"),
    [
        ("Microsoft Word - 121314400", "Prop. 2012/13:144\n\nRegeringens proposition 2012/13:144",
         "Regeringens proposition 2012/13:144"),
        (None, "Kommittédirektiv\n\nTilläggsdirektiv till Utredningen (Fi 2014:15)",
         "Tilläggsdirektiv till Utredningen (Fi 2014:15)"),
        ("Microsoft Word - Ñâåäåíèÿ î äîõîäàõ", "Сведения о доходах за 2010 год",
         "Сведения о доходах за 2010 год"),
        ("Dir. 2016:15 Dataskyddsförordningen", "Kommittédirektiv",
         "Dir. 2016:15 Dataskyddsförordningen"),
        (None, "4 2 0\n\n6 0 4 7 0", "ferenda 2013-07406 index"),
    ],
)  # fmt: skip
def test_guess_title(info: str | None, first_page: str, title: str) -> None:
    assert guess_title(info, first_page, "ferenda__2013-07406__index") == title


@pytest.mark.slow
def test_real_swedish_bills_found_on_the_right_pages(tmp_path: Path) -> None:
    files = [
        real_pdf("lang-sv/ferenda__39db8153.pdf"),
        real_pdf("lang-sv/ferenda__2012-13-144__index.pdf"),
        real_pdf("lang-sv/ferenda__tillaggsdirektiv-till-forskningsdatautredningen-u-201604--dir.-201729.pdf"),
        real_pdf("encrypted/ferenda__basic-7.pdf"),
    ]  # fmt: skip
    report = pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=files))
    assert report.ok and report.pages == 4 + 10 + 4 + 81
    ix = tmp_path / "ix"
    hits = search(ix, "fondregelverket").hits  # in the title, so every page matches
    assert [h.id for h in hits] == ["ferenda-39db8153"] and hits[0].pages[0].page == 1
    hits = search(ix, "sjöfartsstödets inriktning", pages=1).hits
    assert hits[0].id == "ferenda-2012-13-144-index"
    assert hits[0].title == "Regeringens proposition 2012/13:144"
    # stemming: "nyanlända" and "etableringen" as inflected forms of the bill's words
    hits = search(ix, "nyanländas etableringen", pages=1).hits
    assert hits[0].id == "ferenda-basic-7"
    hits = search(ix, "Forskningsdatautredningen", Filters(languages=("sv",))).hits
    assert hits[0].id.startswith("ferenda-tillaggsdirektiv") and hits[0].pages[0].page == 1


@pytest.mark.slow
def test_every_real_language_folder_indexes(tmp_path: Path) -> None:
    names = [
        "lang-bg/neispuo__Help.pdf", "lang-bg/nimsccu__manual.pdf", "lang-bg/pdfcpu__bulgarian.pdf",
        "lang-ro/ocaro__etransport_10032023.pdf", "lang-ro/pdfcpu__romanian.pdf",
        "lang-ru/tiru__complicated.pdf", "lang-ru/pdfpig__issue_671.pdf",
    ]  # fmt: skip
    report = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[real_pdf(n) for n in names])
    )
    assert report.ok, report.failures
    langs = {lang for f in report.files for lang in f.languages}
    assert langs == {"ro", "bg", "ru"}
    hit = search(tmp_path / "ix", "ръководство", Filters(languages=("bg",))).hits[0]
    assert hit.id == "nimsccu-manual" and hit.pages[0].page == 1
    hit = search(tmp_path / "ix", "правительства", Filters(languages=("ru",))).hits[0]
    assert hit.id == "pdfpig-issue-671"
