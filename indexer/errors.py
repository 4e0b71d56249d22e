"""Errors raised while building or opening an index.

Hierarchy::

    IndexerError
    ├── CatalogError (+ ValueError)          the catalog file is missing or malformed
    ├── ExtractionError                      one PDF could not be read; the batch goes on
    │   ├── EncryptedPDFError               locked and no password opened it
    │   └── EmptyPDFError                   the file has no pages
    ├── IndexNotFoundError (+ FileNotFoundError)  no index at the given folder
    ├── SchemaVersionError                  the index was built by another schema version
    ├── IndexLockedError                    another indexer is writing to the index
    ├── OcrUnavailableError                 Tesseract (or a language pack) is not installed
    └── ClusterError                        the --scheduler cluster cannot run the index run
        ├── SchedulerUnreachableError       no Dask scheduler answers at the address
        ├── NoWorkersError                  the scheduler has no workers
        └── ClusterVersionError             a worker lacks pubsearch or runs another version

Every message says what happened, where, and what to do next.
"""

from __future__ import annotations


class IndexerError(Exception):
    """Base class of every error raised by the indexer package."""


class CatalogError(IndexerError, ValueError):
    """The corpus catalog cannot be read or has an invalid entry."""


class ExtractionError(IndexerError):
    """A PDF could not be extracted; `reason` is a short machine-readable code."""

    reason = "corrupt"

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {self.reason}: {detail}")


class EncryptedPDFError(ExtractionError):
    """The PDF is encrypted and neither the empty nor a given password opened it."""

    reason = "encrypted"


class EmptyPDFError(ExtractionError):
    """The PDF parsed but holds no pages."""

    reason = "no-pages"


class IndexNotFoundError(IndexerError, FileNotFoundError):
    """There is no pubsearch index in the given folder."""

    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        super().__init__(
            f"no index at {index_dir}; build one with `pubsearch index --index {index_dir}` "
            "(or set PUBSEARCH_INDEX)"
        )


class SchemaVersionError(IndexerError):
    """The index on disk was written with a different schema version."""

    def __init__(self, index_dir: str, found: object, expected: int) -> None:
        self.index_dir = index_dir
        super().__init__(
            f"index at {index_dir} has schema version {found}, this pubsearch needs {expected}; "
            f"rebuild with `pubsearch index --rebuild --index {index_dir}`"
        )


class IndexLockedError(IndexerError):
    """Another ``pubsearch index`` holds the index's writer lock."""

    def __init__(self, index_dir: str, pid: object, since: object) -> None:
        self.index_dir = index_dir
        super().__init__(
            f"index at {index_dir} is being updated by process {pid} since {since}; "
            "wait for it to finish (searches keep working meanwhile)"
        )


class OcrUnavailableError(IndexerError):
    """Tesseract or its language packs are missing; the message names the apt command."""


class ClusterError(IndexerError):
    """The Dask cluster given with ``--scheduler`` cannot run this index run."""


class SchedulerUnreachableError(ClusterError):
    """No Dask scheduler answered at the address."""

    def __init__(self, address: str, detail: str) -> None:
        self.address = address
        super().__init__(
            f"no Dask scheduler answers at {address} ({detail}); start one there with "
            "`dask scheduler` (and workers with `dask worker ADDRESS --nthreads 1`), "
            "or index without --scheduler"
        )


class NoWorkersError(ClusterError):
    """The scheduler answered but no worker joined it in time."""

    def __init__(self, address: str, waited: float) -> None:
        self.address = address
        super().__init__(
            f"the Dask scheduler at {address} has no workers (waited {waited:.0f} s); start "
            f"them with `dask worker {address} --nworkers K --nthreads 1`"
        )


class ClusterVersionError(ClusterError):
    """A worker lacks pubsearch, or runs another version of it."""

    def __init__(self, address: str, worker: str, found: str | None, wanted: str) -> None:
        self.worker = worker
        what = "does not have pubsearch installed" if found is None else (
            f"runs pubsearch {found}, this machine {wanted}"
        )  # fmt: skip
        super().__init__(
            f"Dask worker {worker} (scheduler {address}) {what}; install the same version on "
            f"every worker: pip install 'pubsearch[cluster]=={wanted}'"
        )
