"""The web page's words in Swedish (the default) and English.

:func:`from_accept_language` picks the interface language from the Accept-Language header
(the web app asks it when the URL has no ``?ui=``);
:data:`TEXTS` holds one dict of strings per language, with the same keys.
"""

from __future__ import annotations

import re

DEFAULT = "sv"
UI_LANGUAGES = ("sv", "en")

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "html_lang": "sv",
        "site": "Publikationer",
        "tagline": "Sök i rapporter, handböcker och broschyrer om människohandel, sida för sida",
        "intro": "Sök enkelt efter publikationer genom att ange typ eller skriv ord eller "
        "löpande text i sökfältet.",
        "query_label": "Sökord",
        "query_placeholder": 't.ex. skydd för barn, "frivilligt återvändande", жертвам',
        "type_label": "Typ",
        "all_types": "Alla typer",
        "sort_label": "Sortering",
        "sort_relevance": "Relevans",
        "sort_date": "Nyast först",
        "submit": "Sök",
        "switch": "English",
        "switch_ui": "en",
        "found": "{total} publikationer, {pages} sidor",
        "found_one": "1 publikation, {pages} sidor",
        "listing": "{total} publikationer, nyast först",
        "none": "Inga träffar för {query}.",
        "did_you_mean": "Menade du",
        "showing_for": "Visar resultat för",
        "no_pages_match": "inga sidor matchar {query}",
        "search_exact": "Sök exakt efter {query}",
        "relaxed": "{n} sidor har alla orden; därefter kommer sidor där något av orden saknas.",
        "relaxed_one": "1 sida har alla orden; därefter kommer sidor där något av orden saknas.",
        "only_all_words": "Visa bara sidor med alla orden",
        "missing": "saknar: {words}",
        "matched_as": "{printed}, för {typed}",
        "other_form": "annan form: {printed}, för {typed}",
        "screen_title": "Granska en namnlista",
        "screen_label": "Ett namn per rad",
        "screen_submit": "Granska",
        "screen_pages": "{n} sidor",
        "screen_more": "och {n} till",
        "screen_none": "Inga sidor",
        "screen_skipped": "Rad {line} hoppades över: {reason}",
        "tier_as-printed": "som skrivet",
        "tier_other-script": "annan skrift",
        "tier_spelling": "annan stavning",
        "tier_other-form": "annan form",
        "matched_as_title": "Namnet står så på sidan (annan skrift eller stavning)",
        "filters": "Avgränsa",
        "facet_type": "Typ",
        "facet_language": "Språk (sidor)",
        "facet_year": "År",
        "remove_filter": "ta bort",
        "authors": "Författad av",
        "published": "Publicerad",
        "languages": "Språk",
        "type": "Typ",
        "no_pdf": "Ingen PDF (endast katalogpost)",
        "download": "Ladda ner PDF",
        "matched_pages": "Träff på {n} sidor",
        "matched_page": "Träff på 1 sida",
        "page": "Sida",
        "page_of": "Sida {page} av {count}",
        "open_pdf": "Öppna PDF:en på sidan {page}",
        "show_page": "Visa sidan med träffarna markerade",
        "ocr": "OCR",
        "ocr_title": "Texten är inläst med OCR från en skannad sida (medelsäkerhet per ord)",
        "previous": "Föregående",
        "next": "Nästa",
        "result_page": "Resultatsida {page} av {count}",
        "back": "Tillbaka till sökningen",
        "new_search": "Ny sökning",
        "page_language": "Sidans språk",
        "empty_page": "Sidan har ingen text.",
        "picture_alt": "Sida {page} som bild",
        "picture_failed": "Sidan kunde inte visas som bild: {reason}",
        "marked": "{n} träffar markerade på sidan",
        "marked_one": "1 träff markerad på sidan",
        "marked_none": "Inga träffar på den här sidan",
        "prev_hit": "Föregående träffsida",
        "next_hit": "Nästa träffsida",
        "keys": "Tangenter: j/k nästa/föregående träffsida, ←/→ sida",
        "view_text": "Text",
        "view_picture": "Bild",
        "error_422": "Sidan kan inte visas",
        "error_400": "Felaktig förfrågan",
        "error_404": "Hittades inte",
        "error_503": "Inget sökindex",
        "footer": "Sökningen görs i PDF-filernas text; sidnummer räknas från PDF:ens första sida.",
        "type.report": "Rapport",
        "type.manual": "Handbok",
        "type.brochure": "Broschyr",
        "type.film": "Film",
        "lang.sv": "svenska",
        "lang.en": "engelska",
        "lang.ro": "rumänska",
        "lang.rom": "romani",
        "lang.bg": "bulgariska",
        "lang.ru": "ryska",
        "lang.und": "obestämt",
        "lang.no": "norska",
        "lang.da": "danska",
        "lang.fi": "finska",
        "lang.de": "tyska",
        "lang.fr": "franska",
        "lang.es": "spanska",
        "lang.uk": "ukrainska",
    },
    "en": {
        "html_lang": "en",
        "site": "Publications",
        "tagline": "Search inside reports, manuals and brochures on human trafficking, "
        "page by page",
        "intro": "Search for publications by picking a type, or type words or running text "
        "into the search field.",
        "query_label": "Search words",
        "query_placeholder": 'e.g. protection children, "voluntary return", жертвам',
        "type_label": "Type",
        "all_types": "All types",
        "sort_label": "Order",
        "sort_relevance": "Relevance",
        "sort_date": "Newest first",
        "submit": "Search",
        "switch": "Svenska",
        "switch_ui": "sv",
        "found": "{total} publications, {pages} pages",
        "found_one": "1 publication, {pages} pages",
        "listing": "{total} publications, newest first",
        "none": "Nothing found for {query}.",
        "did_you_mean": "Did you mean",
        "showing_for": "Showing results for",
        "no_pages_match": "no pages match {query}",
        "search_exact": "Search for {query} as typed",
        "relaxed": "{n} pages have every word; after them come pages that lack some of the words.",
        "relaxed_one": "1 page has every word; after it come pages that lack some of the words.",
        "only_all_words": "Only pages with every word",
        "missing": "missing: {words}",
        "matched_as": "{printed}, for {typed}",
        "other_form": "other form: {printed}, for {typed}",
        "screen_title": "Screen a list of names",
        "screen_label": "One name per line",
        "screen_submit": "Screen",
        "screen_pages": "{n} pages",
        "screen_more": "and {n} more",
        "screen_none": "No pages",
        "screen_skipped": "Line {line} skipped: {reason}",
        "tier_as-printed": "as printed",
        "tier_other-script": "other script",
        "tier_spelling": "other spelling",
        "tier_other-form": "other form",
        "matched_as_title": "The name as the page prints it (another script or spelling)",
        "filters": "Narrow down",
        "facet_type": "Type",
        "facet_language": "Language (pages)",
        "facet_year": "Year",
        "remove_filter": "remove",
        "authors": "Written by",
        "published": "Published",
        "languages": "Languages",
        "type": "Type",
        "no_pdf": "No PDF (catalog entry only)",
        "download": "Download PDF",
        "matched_pages": "Matches on {n} pages",
        "matched_page": "Matches on 1 page",
        "page": "Page",
        "page_of": "Page {page} of {count}",
        "open_pdf": "Open the PDF at page {page}",
        "show_page": "Show the page with the matches marked",
        "ocr": "OCR",
        "ocr_title": "Text read with OCR from a scanned page (mean word confidence)",
        "previous": "Previous",
        "next": "Next",
        "result_page": "Result page {page} of {count}",
        "back": "Back to the search",
        "new_search": "New search",
        "page_language": "Page language",
        "empty_page": "This page has no text.",
        "picture_alt": "Page {page} as a picture",
        "picture_failed": "The page could not be shown as a picture: {reason}",
        "marked": "{n} matches marked on the page",
        "marked_one": "1 match marked on the page",
        "marked_none": "No matches on this page",
        "prev_hit": "Previous page with matches",
        "next_hit": "Next page with matches",
        "keys": "Keys: j/k next/previous page with matches, ←/→ page",
        "view_text": "Text",
        "view_picture": "Picture",
        "error_422": "The page cannot be shown",
        "error_400": "Bad request",
        "error_404": "Not found",
        "error_503": "No search index",
        "footer": "Searches the text of the PDF files; page numbers count from the PDF's "
        "first page.",
        "type.report": "Report",
        "type.manual": "Manual",
        "type.brochure": "Brochure",
        "type.film": "Film",
        "lang.sv": "Swedish",
        "lang.en": "English",
        "lang.ro": "Romanian",
        "lang.rom": "Romani",
        "lang.bg": "Bulgarian",
        "lang.ru": "Russian",
        "lang.und": "undetermined",
        "lang.no": "Norwegian",
        "lang.da": "Danish",
        "lang.fi": "Finnish",
        "lang.de": "German",
        "lang.fr": "French",
        "lang.es": "Spanish",
        "lang.uk": "Ukrainian",
    },
}

_ACCEPT = re.compile(r"\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")


def from_accept_language(header: str | None) -> str | None:
    """The interface language the browser prefers most, if we have it (RFC 9110 q-values)."""
    best: tuple[float, str] | None = None
    for position, part in enumerate((header or "").split(",")):
        m = _ACCEPT.fullmatch(part)
        if not m:
            continue
        try:
            weight = float(m.group(2)) if m.group(2) else 1.0
        except ValueError:
            continue
        code = m.group(1).lower()
        if code in UI_LANGUAGES and weight > 0:
            candidate = (weight - position * 1e-6, code)
            best = candidate if best is None or candidate > best else best
    return best[1] if best else None


class Texts:
    """The strings of one interface language; unknown codes fall back to the code itself."""

    def __init__(self, ui: str) -> None:
        self.ui = ui
        self._strings = TEXTS[ui]

    def __getitem__(self, key: str) -> str:
        return self._strings[key]

    def __call__(self, key: str, **values: object) -> str:
        return self._strings[key].format(**values)

    def language(self, code: str) -> str:
        return self._strings.get(f"lang.{code}", code)

    def type_name(self, code: str | None) -> str:
        if not code:
            return ""
        return self._strings.get(f"type.{code}", code)
