"""The one snippet record: built from tantivy's snippet once, rendered at the edges."""

from __future__ import annotations

import re

import tantivy

from search.results.snippets import Snippet, Snippets, from_tantivy, opening, whole_page

TEXT = 'Ett "barn" & <b>stöd</b>  för\n\n  barnen, it\'s  barn é<barn>.'


def _index(text: str) -> tuple[tantivy.Searcher, tantivy.Query, tantivy.Schema, tantivy.Document]:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True)
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(text=text))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    query = index.parse_query("barn", ["text"])
    return searcher, query, schema, searcher.doc(searcher.search(query, 1).hits[0][1])


def test_a_snippet_keeps_the_json_string_tantivy_wrote() -> None:
    searcher, query, schema, doc = _index(TEXT)
    found = Snippets(searcher, query, schema).snippet(doc, "text")
    generator = tantivy.SnippetGenerator.create(searcher, query, schema, "text")
    generator.set_max_num_chars(220)
    expected = re.sub(r"\s+", " ", generator.snippet_from_doc(doc).to_html()).strip()
    assert found.tagged() == expected
    assert found.text == 'Ett "barn" & <b>stöd</b> för barnen, it\'s barn é<barn'
    assert [found.text[a:b] for a, b in found.marks] == ["barn", "barn", "barn"]


def test_a_whole_page_snippet_marks_character_ranges_not_bytes() -> None:
    searcher, query, schema, doc = _index(TEXT)
    found = whole_page(searcher, query, schema, doc, "text")
    snippet = from_tantivy(found)
    assert snippet.tagged() == found.to_html()
    assert [snippet.text[a:b] for a, b in snippet.marks] == ["barn", "barn", "barn"]
    assert snippet.marks[-1] == (TEXT.index("é<barn") + 2, TEXT.index("é<barn") + 6)


def test_folding_and_splitting_keep_marks_on_their_words() -> None:
    snippet = Snippet(text="  ett  barn\n\n och   barnen ", marks=((7, 11), (20, 26)))
    paragraphs = [p.folded() for p in snippet.split("\n\n")]
    assert paragraphs == [
        Snippet(text="ett barn", marks=((4, 8),)),
        Snippet(text="och barnen", marks=((4, 10),)),
    ]


def test_unmarked_text_is_escaped_without_touching_quotes() -> None:
    assert opening('a "b" & <c>').tagged() == 'a "b" &amp; &lt;c&gt;'
    assert Snippet(text="'x'", marks=((1, 2),)).tagged() == "&#x27;<b>x</b>&#x27;"
    assert list(Snippet(text="abc", marks=((0, 1),)).parts()) == [("a", True), ("bc", False)]


def test_folding_keeps_marks_on_their_characters_across_every_kind_of_run() -> None:
    text = "  a\n\tb  c d\u00a0e\r\n"  # runs: two spaces, newline+tab, two spaces, one, NBSP, CRLF
    marks = ((2, 4), (5, 6), (8, 9), (10, 11), (12, 13))
    folded = Snippet(text=text, marks=marks).folded()
    assert folded.text == "a b c d e"
    assert list(folded.parts()) == [
        ("a ", True),
        ("b", True),
        (" ", False),
        ("c", True),
        (" ", False),
        ("d", True),
        (" ", False),
        ("e", True),
    ]
    lone = Snippet(text="one two", marks=((4, 7),))
    assert lone.folded() == lone
    assert Snippet(text=" \n ", marks=((0, 1),)).folded() == Snippet(text="")
