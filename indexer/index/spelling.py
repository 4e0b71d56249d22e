"""Spellings one language writes two ways, made one: applied to page text after language
detection (:mod:`indexer.extraction.analyze`), to titles per language field
(:mod:`indexer.index.documents`) and to query words per field (:mod:`search.query.compile`),
so that the index and the query always agree."""

from __future__ import annotations

#: Romanian's s and t with a cedilla (the legacy encoding) -> with a comma below (correct).
ROMANIAN_COMMA_BELOW = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})


def for_language(text: str, language: str) -> str:
    """Language-specific fixes applied after detection (and to query terms per field)."""
    if language == "ro":
        return text.translate(ROMANIAN_COMMA_BELOW)
    return text
