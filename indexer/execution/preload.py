"""Loaded once by the worker pool's fork server (:mod:`indexer.execution.pool`), so that every
worker forked from it starts with pdfminer, langdetect and langdetect's language profiles
in memory (loading the profiles alone takes about a second per process)."""

from __future__ import annotations

from indexer import errors
from indexer.extraction import analyze
from indexer.extraction import pdf as extract
from indexer.extraction.language import load_profiles

__all__ = ["analyze", "errors", "extract"]

load_profiles()
