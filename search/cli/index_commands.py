"""``pubsearch index``, ``stats`` and ``cache``: building the index and looking at it.

Each command imports the indexer pipeline or the index reader only when it runs: importing
:mod:`search.cli.main` loads neither (``pubsearch --help`` stays fast).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from indexer.model import (
    COMMIT_EVERY_FILES,
    DEFAULT_MEMORY_MB,
    DEFAULT_OCR_TIMEOUT,
    DEFAULT_PAGE_TIMEOUT,
    DEFAULT_TIMEOUT,
    OCR_MODES,
    IndexSettings,
    Limits,
    OcrMode,
)
from indexer.planning.catalog import default_catalog
from search import render as fmt
from search.cli.options import (
    cache_option,
    default_index_dir,
    index_option,
    json_flag,
    shown_option,
)
from search.cli.progress import Progress
from search.errors import ExitCode


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--catalog",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Catalog file [default: $PUBSEARCH_CATALOG, else corpus/catalog.toml].",
)
@click.option(
    "--rebuild", is_flag=True, help="Index everything anew (extraction comes from the cache)."
)
@click.option(
    "--password", "passwords", multiple=True, help="Password to try on encrypted PDFs (repeatable)."
)
@click.option(
    "--passwords-file",
    type=click.File("r", encoding="utf-8"),
    help="File with one password per line, tried on encrypted PDFs.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Extraction processes [default: number of cores].",
)
@shown_option("--timeout", click.FloatRange(1), DEFAULT_TIMEOUT, "Seconds one file may take.")
@shown_option(
    "--page-timeout",
    click.FloatRange(1),
    DEFAULT_PAGE_TIMEOUT,
    "Seconds one page may take; the rest of the file goes on.",
)
@shown_option(
    "--memory-limit",
    click.IntRange(0),
    DEFAULT_MEMORY_MB,
    "MB of memory per extraction process (0: no limit).",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try again files that failed or timed out, even if unchanged.",
)
@cache_option
@shown_option(
    "--commit-every",
    click.IntRange(1),
    COMMIT_EVERY_FILES,
    "Commit after this many files (and every 10 s).",
)
@shown_option(
    "--ocr",
    click.Choice(OCR_MODES),
    OcrMode.AUTO.value,
    "auto: OCR pages without usable text; off: flag them as needing OCR; force: OCR every page.",
)
@shown_option(
    "--ocr-timeout", click.FloatRange(1), DEFAULT_OCR_TIMEOUT, "Seconds OCR may take on one page."
)
@click.option(
    "--scheduler",
    envvar="PUBSEARCH_SCHEDULER",
    default=None,
    metavar="ADDRESS",
    help="Run the per-file work on a Dask cluster: tcp://HOST:8786, or local[:N] for N "
    "processes on this machine [env: PUBSEARCH_SCHEDULER]; needs pubsearch[cluster].",
)
@json_flag(help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; only failures and the summary.")
# Long: click passes each of the 17 options as a parameter, and they all become one
# IndexSettings; splitting it would only move the list.
def index_cmd(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    catalog: Path | None,
    rebuild: bool,
    passwords: tuple[str, ...],
    passwords_file: Any,
    workers: int | None,
    timeout: float,
    page_timeout: float,
    memory_limit: int,
    retry_failed: bool,
    cache_dir: Path | None,
    commit_every: int,
    ocr: str,
    ocr_timeout: float,
    scheduler: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Index PDFs (files or folders) or, with no PATHS, the catalog's publications.

    Only what changed since the last run is read: new and changed files are extracted,
    renamed ones re-linked, removed ones dropped, unchanged ones skipped. A file that fails
    is reported with its reason and the run goes on; the exit code is 5 if any failed.
    """
    # The pipeline (tantivy's writer side, multiprocessing) loads only for this command:
    # every other command, and importing search.cli.main, stays light.
    from indexer.pipeline import index  # loaded per command: search.cli.main stays light

    if passwords_file is not None:
        passwords += tuple(line.strip() for line in passwords_file if line.strip())
    catalog_path = catalog or default_catalog()
    with Progress(enabled=not quiet, stream=sys.stderr) as progress:
        settings = IndexSettings(
            index_dir=index_dir or default_index_dir(),
            paths=paths,
            catalog=catalog_path if (not paths or catalog_path.is_file()) else None,
            passwords=passwords,
            rebuild=rebuild,
            retry_failed=retry_failed,
            workers=workers,
            limits=Limits(
                timeout=timeout,
                page_timeout=page_timeout,
                memory_mb=memory_limit,
                ocr_timeout=ocr_timeout,
            ),
            cache_dir=cache_dir,
            ocr=OcrMode(ocr),
            commit_every=commit_every,
            scheduler=scheduler or None,
            on_plan=progress.start,
            on_file=progress.file_done,
        )
        report = index(settings)
    click.echo(
        json.dumps(fmt.report_json(report), ensure_ascii=False)
        if as_json
        else fmt.report_text(report)
    )
    if not report.ok:
        sys.exit(int(ExitCode.FILES_FAILED))


@click.command("stats")
@index_option
@json_flag(help="Print one JSON object.")
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """What the index holds: publications, pages, languages, files not fully indexed."""
    from search import api  # loaded per command: search.cli.main stays light

    stats = api.stats(index_dir or default_index_dir())
    click.echo(
        json.dumps(fmt.stats_json(stats), ensure_ascii=False, indent=2)
        if as_json
        else fmt.stats_text(stats)
    )


@click.group("cache")
def cache_group() -> None:
    """The cache: text already read from PDFs (by file hash) and OCR'd pages (by image)."""


def _caches(cache_dir: Path | None) -> tuple[Path, list[tuple[str, Any]]]:
    # loaded per command: search.cli.main stays light
    from indexer.extraction.cache import ExtractionCache, TextCache, default_cache_dir
    from indexer.extraction.ocr import OcrCache, OcrWordsCache
    from search.pictures.picture_cache import PictureCache

    root = cache_dir or default_cache_dir()
    return root, [
        ("extracted files", ExtractionCache(root)),
        ("page texts", TextCache(root)),
        ("OCR pages", OcrCache(root)),
        ("OCR word boxes", OcrWordsCache(root)),
        ("page pictures", PictureCache(root)),
    ]


def _each(cache_dir: Path | None, *, clear: bool) -> tuple[Path, str]:
    """The cache folder and what each cache holds (or held, when `clear` empties it)."""
    root, caches = _caches(cache_dir)
    parts = []
    for name, cache in caches:
        entries, size = cache.clear() if clear else cache.size()
        parts.append(f"{entries} {name} ({size / 1e6:.1f} MB)")
    return root, ", ".join(parts)


@cache_group.command("info")
@cache_option
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how much it holds (extracted text, OCR'd pages)."""
    root, held = _each(cache_dir, clear=False)
    click.echo(f"{root}: {held}")


@cache_group.command("clear")
@cache_option
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached extraction and OCR result (the next run reads PDFs again)."""
    root, held = _each(cache_dir, clear=True)
    click.echo(f"removed {held} from {root}")
