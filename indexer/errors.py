"""Errors raised while building or opening an index, and the exit codes of ``pubsearch``.

Every error of pubsearch derives from :class:`PubsearchError` and carries the
:class:`ExitCode` the command line ends with (``exit_code``); the CLI's one handler reads
it. The search side's errors are in :mod:`search.errors`. Hierarchy::

    PubsearchError                               exit_code ERROR unless said otherwise
    ├── IndexerError
    │   ├── CatalogError (+ ValueError)          CATALOG: the catalog is missing or malformed
    │   ├── ExtractionError                      one PDF could not be read; the batch goes on
    │   │   ├── EncryptedPDFError               locked and no password opened it
    │   │   └── EmptyPDFError                   the file has no pages
    │   ├── PathNotFoundError (+ FileNotFoundError)   USAGE: a path to index does not exist
    │   ├── PathNameError (+ ValueError)        USAGE: a PDF's or the index's name is not UTF-8
    │   ├── IndexNotFoundError (+ FileNotFoundError)  NO_INDEX: no index at the folder
    │   ├── SchemaVersionError                  NO_INDEX: built by another schema version
    │   ├── IndexLockedError                    INDEX_LOCKED: another indexer is writing
    │   ├── OcrUnavailableError                 Tesseract (or a language pack) is missing
    │   └── ClusterError                        CLUSTER: the --scheduler cluster cannot run it
    │       ├── SchedulerUnreachableError       no Dask scheduler answers at the address
    │       ├── NoWorkersError                  the scheduler has no workers
    │       └── ClusterVersionError             a worker lacks pubsearch or runs another version
    └── SearchError                             see :mod:`search.errors`

Standard library only, so both packages import it without tantivy.

Every message says what happened, where, and what to do next.
"""

from __future__ import annotations

import os
from enum import IntEnum
from typing import ClassVar

from indexer.codes import Reason


class ExitCode(IntEnum):
    """Exit codes of ``pubsearch``; documented in the README."""

    OK = 0  # success (also: a search with no hits)
    ERROR = 1  # unexpected error (a bug: run again with --verbose and report it)
    USAGE = 2  # bad command line (click's own usage errors)
    BAD_QUERY = 3  # query syntax error or unknown field; bad option value
    NO_INDEX = 4  # no index at the location, or one of another schema version
    FILES_FAILED = 5  # indexing finished but some files failed (the rest is indexed)
    CATALOG = 6  # the catalog file is missing or malformed
    INDEX_LOCKED = 7  # another `pubsearch index` is updating the index
    CLUSTER = 8  # --scheduler: no scheduler answers, no workers, or workers lack this pubsearch
    NOT_FOUND = 9  # no such publication or page in the index
    DAEMON = 10  # pubsearch daemon: another daemon listens there, or its socket cannot be made
    NO_MATCH = 11  # pubsearch screen: no name of the list appears anywhere (not an error)
    BAD_LIST = 12  # pubsearch screen: the list cannot be read (empty, not UTF-8, no name column)


class PubsearchError(Exception):
    """Base class of every pubsearch error; `exit_code` is what the CLI exits with."""

    exit_code: ClassVar[ExitCode] = ExitCode.ERROR


class IndexerError(PubsearchError):
    """Base class of every error raised by the indexer package."""


class CatalogError(IndexerError, ValueError):
    """The corpus catalog cannot be read or has an invalid entry."""

    exit_code = ExitCode.CATALOG


class ExtractionError(IndexerError):
    """A PDF could not be extracted; `reason` is its machine-readable code."""

    reason: ClassVar[Reason] = Reason.CORRUPT

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {self.reason}: {detail}")


class EncryptedPDFError(ExtractionError):
    """The PDF is encrypted and neither the empty nor a given password opened it."""

    reason = Reason.ENCRYPTED


class EmptyPDFError(ExtractionError):
    """The PDF parsed but holds no pages."""

    reason = Reason.NO_PAGES


class PathNotFoundError(IndexerError, FileNotFoundError):
    """A path given to ``pubsearch index`` does not exist (a usage error: nothing is written)."""

    exit_code = ExitCode.USAGE

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: no such file or folder")


class PathNameError(IndexerError, ValueError):
    """A PDF to index, or the index folder, has a name that is not valid UTF-8 (the index
    stores paths as text, and Tantivy opens folders by a text name)."""

    exit_code = ExitCode.USAGE

    def __init__(
        self,
        path: str,
        what: str = "file name",
        fix: str = "nothing indexed (rename it, e.g. `convmv -f latin1 -t utf-8 --notest FILE`)",
    ) -> None:
        self.path = path
        super().__init__(f"{path}: the {what} is not valid UTF-8; {fix}")


def shown(path: os.PathLike[str] | str) -> str:
    """`path` as printed in a message: bytes that are not UTF-8 as ``\\xe9`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_utf8(path: os.PathLike[str] | str) -> bool:
    """Whether `path` is valid UTF-8 (Python keeps other bytes as surrogate escapes)."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class IndexNotFoundError(IndexerError, FileNotFoundError):
    """There is no pubsearch index in the given folder."""

    exit_code = ExitCode.NO_INDEX

    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        super().__init__(
            f"no index at {index_dir}; build one with `pubsearch index --index {index_dir}` "
            "(or set PUBSEARCH_INDEX)"
        )


class SchemaVersionError(IndexerError):
    """The index on disk was written with a different schema version."""

    exit_code = ExitCode.NO_INDEX

    def __init__(self, index_dir: str, found: object, expected: int) -> None:
        self.index_dir = index_dir
        super().__init__(
            f"index at {index_dir} has schema version {found}, this pubsearch needs {expected}; "
            f"rebuild with `pubsearch index --rebuild --index {index_dir}`"
        )


class IndexLockedError(IndexerError):
    """Another ``pubsearch index`` holds the index's writer lock."""

    exit_code = ExitCode.INDEX_LOCKED

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

    exit_code = ExitCode.CLUSTER


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
        if found is None:
            what = "does not have pubsearch installed"
        else:
            what = f"runs pubsearch {found}, this machine {wanted}"
        super().__init__(
            f"Dask worker {worker} (scheduler {address}) {what}; install the same version on "
            f"every worker: pip install 'pubsearch[cluster]=={wanted}'"
        )
