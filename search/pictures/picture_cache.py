"""Page pictures and word boxes on disk (:class:`PictureCache`), by content hash, page and
width, under a size cap; also the pages that could not be rendered, so they are not tried
again."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

#: Picture widths in pixels one may ask for (the page view offers them all in a srcset,
#: so the browser picks the one that is sharp at its size and pixel density).
WIDTHS = (400, 600, 800, 1000, 1200, 1600, 2000, 2400)
DEFAULT_WIDTH = 1200

CACHE_CAP_MB = 256  # pictures kept on disk
PICTURES_VERSION = 1


class PictureCache:
    """Rendered pages and word boxes on disk, by content hash, page (and width), with a
    size cap; also the pages that could not be rendered, so they are not tried again."""

    subdir = "pictures"

    def __init__(self, root: Path, cap_mb: int = CACHE_CAP_MB) -> None:
        self.root = root
        self.folder = root / self.subdir / f"v{PICTURES_VERSION}"
        self.cap = cap_mb * 1024 * 1024
        self._lock = threading.Lock()
        self._total: int | None = None

    def _file(self, sha256: str, name: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}-{name}"

    def png(self, sha256: str, page: int, width: int, marked: str = "") -> Path:
        return self._file(sha256, f"{page}-{width}{marked}.png")

    def words_file(self, sha256: str, page: int) -> Path:
        return self._file(sha256, f"{page}.words.json")

    def failure_file(self, sha256: str, page: int) -> Path:
        return self._file(sha256, f"{page}.failed")

    def failure(self, sha256: str, page: int) -> str | None:
        try:
            return self.failure_file(sha256, page).read_text(encoding="utf-8")
        except OSError:  # no failure recorded for this page
            return None

    def write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        self.added(target)

    def touch(self, path: Path) -> None:
        """Mark `path` as just used (the cap removes the least recently used first)."""
        with contextlib.suppress(OSError):  # removed meanwhile by the cap: nothing to mark
            os.utime(path)

    def added(self, path: Path) -> None:
        """Count a new file against the cap; over it, remove the oldest files to 90 %."""
        with self._lock:
            if self._total is None:
                self._total = self.size()[1]
            else:
                try:
                    self._total += path.stat().st_size
                except OSError:  # removed meanwhile (another request's clean-up)
                    return
            if self._total <= self.cap:
                return
            files = []
            for f in self.folder.glob("*/*"):
                try:
                    st = f.stat()
                except OSError:  # removed meanwhile: not there to count or remove
                    continue
                files.append((st.st_mtime, st.st_size, f))
            files.sort()
            total = sum(size for _, size, _ in files)
            for _, size, f in files:
                if total <= self.cap * 0.9:
                    break
                if f != path:
                    f.unlink(missing_ok=True)
                    total -= size
            self._total = total

    def size(self) -> tuple[int, int]:
        """(files, bytes) in the cache, of every version."""
        base = self.root / self.subdir
        files = [f for f in base.glob("*/*/*") if f.is_file()] if base.is_dir() else []
        return len(files), sum(f.stat().st_size for f in files)

    def clear(self) -> tuple[int, int]:
        removed = self.size()
        shutil.rmtree(self.root / self.subdir, ignore_errors=True)
        with self._lock:
            self._total = None
        return removed
