"""Extraction cache: what pdfminer found in a file, keyed by content hash and extractor
version, so rebuilding the index (new analyzers, new schema) or moving a file never runs
pdfminer again on bytes it has already read; and the page texts made from it
(normalization, language detection: :mod:`indexer.extraction.analyze`), keyed by the
same hash and by what the text was asked for, so a rebuild does not detect languages again either.

Location: ``--cache DIR``, else ``$PUBSEARCH_CACHE``, else ``$XDG_CACHE_HOME/pubsearch``
(``~/.cache/pubsearch``). One gzip'd JSON file per PDF under ``extract/v<version>/``, its
page texts under ``text/v<extractor version>.<analysis version>/``; OCR
results live beside it under ``ocr/v<version>/`` (:class:`indexer.extraction.ocr.OcrCache`).
``pubsearch cache clear`` removes it. Entries are written atomically (temp file + rename),
so a killed run never leaves a half-written entry.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from indexer.model import (
    ANALYSIS_VERSION,
    EXTRACTOR_VERSION,
    Extraction,
    FileFailure,
    FileText,
    Limits,
    PageQuality,
    PageText,
    PdfInfo,
    RawPage,
    Reason,
    TextRequest,
)

CACHE_ENV = "PUBSEARCH_CACHE"


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pubsearch"


def write_json_gz(target: Path, data: object) -> None:
    """Write `data` as gzip'd JSON to `target` atomically (temp file + rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as fp:
            json.dump(data, fp, ensure_ascii=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonCache:
    """A folder of gzip'd JSON entries, ``root/<subdir>/v<version>/<key[:2]>/<key>.json.gz``."""

    subdir = ""
    version: int | str = 0

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / self.subdir / f"v{self.version}"

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json.gz"

    def size(self) -> tuple[int, int]:
        """(entries, bytes) in the cache, of every version."""
        base = self.root / self.subdir
        files = list(base.glob("*/*/*.json.gz")) if base.is_dir() else []
        return len(files), sum(f.stat().st_size for f in files)

    def clear(self) -> tuple[int, int]:
        """Remove every entry (of every version); returns what was removed."""
        removed = self.size()
        shutil.rmtree(self.root / self.subdir, ignore_errors=True)
        return removed


class ExtractionCache(JsonCache):
    """Extraction results on disk, by SHA-256 of the PDF's bytes."""

    subdir = "extract"
    version = EXTRACTOR_VERSION

    def get(self, sha256: str) -> Extraction | None:
        try:
            with gzip.open(self._file(sha256), "rt", encoding="utf-8") as fp:
                data = json.load(fp)
            info = PdfInfo(**data["info"]) if data["info"] else None
            pages = tuple(_raw_page(p) for p in data["pages"])
            failure = data["failure"]
            timeout, page_timeout, memory_mb = data["limits"]
            return Extraction(
                info=info,
                pages=pages,
                failure=FileFailure(reason=Reason(failure[0]), detail=failure[1])
                if failure
                else None,
                limits=Limits(
                    timeout=float(timeout),
                    page_timeout=float(page_timeout),
                    memory_mb=int(memory_mb),
                ),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, unreadable or of an older layout: extract again

    def put(self, sha256: str, extraction: Extraction) -> None:
        target = self._file(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        failure = extraction.failure
        limits = extraction.limits
        data = {
            "info": asdict(extraction.info) if extraction.info else None,
            "pages": [asdict(p) for p in extraction.pages],
            "failure": [failure.reason, failure.detail] if failure else None,
            "limits": [limits.timeout, limits.page_timeout, limits.memory_mb],
        }
        write_json_gz(target, data)


def _raw_page(data: dict[str, Any]) -> RawPage:
    """A cached page; entries without a `reason` (an older layout) raise KeyError."""
    reason = data.pop("reason")
    return RawPage(**data, reason=Reason(reason) if reason else None)


class TextCache(JsonCache):
    """Page texts (:class:`~indexer.model.FileText`) by SHA-256 of the PDF's bytes and the
    :class:`~indexer.model.TextRequest` they were made for.

    Language detection costs about 25 ms a page, a third of pdfminer's time, and is all a
    rebuild from the extraction cache would otherwise spend its time on; a new schema or
    new analyzers do not change it. The version holds both the extractor's and the
    analysis's (:data:`~indexer.model.ANALYSIS_VERSION`), so either change makes new texts.
    Texts made with OCR text are not kept here (the OCR cache keeps what OCR read).
    """

    subdir = "text"
    version = f"{EXTRACTOR_VERSION}.{ANALYSIS_VERSION}"

    @staticmethod
    def key(sha256: str, request: TextRequest) -> str:
        asked = json.dumps(
            [list(request.languages), request.normalize, request.ocr_mode, request.ocr_runs]
        )
        return f"{sha256}-{hashlib.sha256(asked.encode()).hexdigest()[:16]}"

    def get(self, sha256: str, request: TextRequest) -> FileText | None:
        try:
            with gzip.open(self._file(self.key(sha256, request)), "rt", encoding="utf-8") as fp:
                data = json.load(fp)
            pages = tuple(
                PageText(number=int(n), text=t, language=lang, quality=PageQuality(q))
                for n, t, lang, q in data["pages"]
            )
            return FileText(
                pages=pages,
                needs_ocr=tuple(int(n) for n in data["needs_ocr"]),
                ocr_languages=tuple(data["ocr_languages"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, unreadable or of an older layout: make it again

    def put(self, sha256: str, request: TextRequest, text: FileText) -> None:
        data = {
            "pages": [[p.number, p.text, p.language, p.quality] for p in text.pages],
            "needs_ocr": list(text.needs_ocr),
            "ocr_languages": list(text.ocr_languages),
        }
        write_json_gz(self._file(self.key(sha256, request)), data)
