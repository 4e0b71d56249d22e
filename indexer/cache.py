"""Extraction cache: what pdfminer found in a file, keyed by content hash and extractor
version, so rebuilding the index (new analyzers, new schema) or moving a file never runs
pdfminer again on bytes it has already read.

Location: ``--cache DIR``, else ``$PUBSEARCH_CACHE``, else ``$XDG_CACHE_HOME/pubsearch``
(``~/.cache/pubsearch``). One gzip'd JSON file per PDF under ``extract/v<version>/``; OCR
results live beside it under ``ocr/v<version>/`` (:class:`indexer.ocr.OcrCache`).
``pubsearch cache clear`` removes it. Entries are written atomically (temp file + rename),
so a killed run never leaves a half-written entry.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from indexer.records import EXTRACTOR_VERSION, FileText, PdfInfo, RawPage

CACHE_ENV = "PUBSEARCH_CACHE"


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pubsearch"


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extraction produced for one file.

    info: document facts, or None when the file could not be opened.
    pages: every page in order (with per-page errors such as ``timeout``).
    failure: (reason, detail) when the whole file failed, else None.
    limits: the (file timeout s, page timeout s, memory MB) it ran under; a cached timeout
        or out-of-memory is retried only under a larger limit.
    text: the pages normalized and language-tagged by the worker that read them (not
        cached: it depends on the run's settings), or None when the worker could not.
    """

    info: PdfInfo | None
    pages: tuple[RawPage, ...]
    failure: tuple[str, str] | None
    limits: tuple[float, float, float]
    text: FileText | None = None


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
    version = 0

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
            pages = tuple(RawPage(**p) for p in data["pages"])
            failure = tuple(data["failure"]) if data["failure"] else None
            limits = tuple(float(x) for x in data["limits"])
            if len(limits) != 3:
                return None
            return Extraction(info, pages, failure, limits)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: extract again

    def put(self, sha256: str, extraction: Extraction) -> None:
        target = self._file(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "info": asdict(extraction.info) if extraction.info else None,
            "pages": [asdict(p) for p in extraction.pages],
            "failure": list(extraction.failure) if extraction.failure else None,
            "limits": list(extraction.limits),
        }
        write_json_gz(target, data)
