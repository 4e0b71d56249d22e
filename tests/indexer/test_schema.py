import json
from pathlib import Path

import pytest
import tantivy

from indexer.errors import IndexNotFoundError, SchemaVersionError
from indexer.index import schema


@pytest.mark.parametrize(
    ("code", "text", "tokens"),
    [
        (
            "sv",
            "Barnen och skydd för människohandelsoffer",
            ["barn", "skydd", "människohandelsoff"],
        ),
        ("en", "The victims are identified", ["victim", "identifi"]),
        ("ro", "Victimele și traficul de persoane", ["victim", "trafic", "persoan"]),
        ("ru", "Жертвы торговли людьми и жертвам", ["жертв", "торговл", "людьм", "жертв"]),
        ("bg", "Помощ за жертви на трафик на хора", ["помощ", "жертви", "трафик", "хора"]),
        ("und", "Manuš thaj ćhave", ["manuš", "thaj", "ćhave"]),
        ("de", "Die Kinder und Opfer", ["kind", "opf"]),
    ],
)
def test_analyzer_tokens(code: str, text: str, tokens: list[str]) -> None:
    assert schema.analyzer(code).analyze(text) == tokens


def test_long_words_survive_in_every_script() -> None:
    # 24 Cyrillic letters = 48 bytes: above Tantivy's default 40-byte token limit.
    word = "человеконенавистничество"
    assert schema.analyzer("und").analyze(word) == [word]
    assert schema.analyzer("bg").analyze("високоспециализираните") == ["високоспециализираните"]
    sv = "människohandelsutredningarnas"
    assert schema.analyzer("und").analyze(sv) == [sv]


def test_unknown_language_gets_neutral_analyzer() -> None:
    assert schema.analyzer("xx").analyze("Kuća Kuće") == ["kuća", "kuće"]
    assert schema.text_field("xx") == "text_und"


def test_every_language_has_fields_in_schema(tmp_path: Path) -> None:
    index = schema.create_index(tmp_path / "ix")
    writer = index.writer()
    for code, spec in schema.LANGUAGES.items():
        writer.add_document(tantivy.Document(**{schema.F_ID: code, spec.text_field: "text"}))
    writer.commit()
    index.reload()
    assert index.searcher().num_docs == len(schema.LANGUAGES)


def test_open_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="pubsearch index --index"):
        schema.open_index(tmp_path / "none")


def test_open_index_of_other_schema_version(tmp_path: Path) -> None:
    schema.create_index(tmp_path)
    (tmp_path / schema.META_FILE).write_text(json.dumps({"schema_version": 0}))
    with pytest.raises(SchemaVersionError, match=r"rebuild with `pubsearch index --rebuild"):
        schema.open_index(tmp_path)
