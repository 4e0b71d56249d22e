from indexer.extraction.normalize import (
    TextQuality,
    normalize_document,
    normalize_page,
    strip_running_lines,
)
from indexer.index.spelling import for_language


def test_ligatures_expanded_and_nfc() -> None:
    text = normalize_page("e\ufb03cient \ufb01nancial re\ufb02ection Cafe\u0301 o\ufb06").text
    assert text == "efficient financial reflection Café ost"


def test_soft_hyphens_removed() -> None:
    assert normalize_page("männis\u00adko\u00adhandel och mer text").text == (
        "människohandel och mer text"
    )


def test_line_end_hyphen_rejoined() -> None:
    page = "Det gäller män-\nniskohandel och förunder-\nsökningar i hela landet."
    assert normalize_page(page).text == (
        "Det gäller människohandel och förundersökningar i hela landet."
    )


def test_a_word_broken_over_three_lines_is_rejoined_whole() -> None:
    # A narrow column breaks one compound twice (lang-sv/ferenda__f690153e.pdf, p. 80).
    page = "Vid anläggnings-\nbyggnads-\narbete och sam-\nordning-\nen gäller detta."
    assert normalize_page(page).text == (
        "Vid anläggningsbyggnadsarbete och samordningen gäller detta."
    )


def test_real_compounds_keep_their_hyphen() -> None:
    page = "De är EU-\nmedborgare. Åren 2015-\n2016 och Malmö-\nLund samt för-\noch eftervård."
    assert normalize_page(page).text == (
        "De är EU-medborgare. Åren 2015-2016 och Malmö-Lund samt för- och eftervård."
    )


def test_document_vocabulary_decides_ambiguous_breaks() -> None:
    pages = ["Ett barn-\nperspektiv behövs.", "Vi har ett barn-perspektiv i arbetet här."]
    assert normalize_document(pages)[0].text == "Ett barn-perspektiv behövs."
    pages = ["Ett barn-\nperspektiv behövs.", "Vi har ett barnperspektiv i arbetet här."]
    assert normalize_document(pages)[0].text == "Ett barnperspektiv behövs."


def test_whitespace_collapsed_paragraphs_kept() -> None:
    assert normalize_page("  Rubrik \n\n\n Första   rad\nandra\trad  ").text == (
        "Rubrik\n\nFörsta rad andra rad"
    )


def test_mostly_unmapped_glyphs_marks_page() -> None:
    result = normalize_page("(cid:12)(cid:13)(cid:14)(cid:15) ab")
    assert result == normalize_page("(cid:12)(cid:13)(cid:14)(cid:15) ab")
    assert result.quality is TextQuality.UNMAPPED
    assert result.text == ""
    assert result.unmapped_glyphs == 4


def test_some_unmapped_glyphs_dropped_words_kept() -> None:
    result = normalize_page("Regeringen (cid:3)(cid:4) beslutade idag om direktiv")
    assert result.quality is TextQuality.OK
    assert result.text == "Regeringen beslutade idag om direktiv"
    assert result.unmapped_glyphs == 2


def test_empty_page() -> None:
    assert normalize_page(" \n 12 \n").quality is TextQuality.EMPTY


def test_romanian_cedilla_only_for_romanian() -> None:
    assert for_language("şi ţară Şcoala Ţara", "ro") == "și țară Școala Țara"
    assert for_language("Beşiktaş", "tr") == "Beşiktaş"


def test_running_headers_and_footers_dropped() -> None:
    bodies = ["Barn och stöd.", "Skydd för offer.", "Om tiggeri.", "Polisens arbete."]
    pages = [f"Rapport om stöd\n\n{b}\n\nLänsstyrelsen {n}" for n, b in enumerate(bodies, 1)]
    assert strip_running_lines(pages) == bodies
    # two pages are too few to tell a running header from content
    assert strip_running_lines(pages[:2]) == pages[:2]
