"""``pubsearch index``, ``stats`` and ``cache``: building the index and looking at it.

The commands import what reads the index (tantivy) when they run, so that importing
:mod:`search.cli` (and ``pubsearch --help``) stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from indexer.catalog import default_catalog
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
from search import format as fmt
from search.cli_common import cache_option, default_index_dir, index_option
from search.errors import ExitCode
from search.progress import Progress


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
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one file may take.",
)
@click.option(
    "--page-timeout",
    type=click.FloatRange(1),
    default=DEFAULT_PAGE_TIMEOUT,
    show_default=True,
    help="Seconds one page may take; the rest of the file goes on.",
)
@click.option(
    "--memory-limit",
    type=click.IntRange(0),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    help="MB of memory per extraction process (0: no limit).",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try again files that failed or timed out, even if unchanged.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Extraction cache [default: $PUBSEARCH_CACHE, else ~/.cache/pubsearch].",
)
@click.option(
    "--commit-every",
    type=click.IntRange(1),
    default=COMMIT_EVERY_FILES,
    show_default=True,
    help="Commit after this many files (and every 10 s).",
)
@click.option(
    "--ocr",
    type=click.Choice(OCR_MODES),
    default=OcrMode.AUTO.value,
    show_default=True,
    help="auto: OCR pages without usable text; off: flag them as needing OCR; force: OCR "
    "every page.",
)
@click.option(
    "--ocr-timeout",
    type=click.FloatRange(1),
    default=DEFAULT_OCR_TIMEOUT,
    show_default=True,
    help="Seconds OCR may take on one page.",
)
@click.option(
    "--scheduler",
    envvar="PUBSEARCH_SCHEDULER",
    default=None,
    metavar="ADDRESS",
    help="Run the per-file work on a Dask cluster: tcp://HOST:8786, or local[:N] for N "
    "processes on this machine [env: PUBSEARCH_SCHEDULER]; needs pubsearch[cluster].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; only failures and the summary.")
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
    # every other command, and importing search.cli, stays light.
    from indexer.pipeline import index

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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """What the index holds: publications, pages, languages, files not fully indexed."""
    from search.stats import index_stats

    stats = index_stats(index_dir or default_index_dir())
    click.echo(
        json.dumps(fmt.stats_json(stats), ensure_ascii=False, indent=2)
        if as_json
        else fmt.stats_text(stats)
    )


@click.group("cache")
def cache_group() -> None:
    """The cache: text already read from PDFs (by file hash) and OCR'd pages (by image)."""


def _caches(cache_dir: Path | None) -> tuple[Path, list[tuple[str, Any]]]:
    from indexer.cache import ExtractionCache, TextCache, default_cache_dir
    from indexer.ocr import OcrCache, OcrWordsCache
    from search.pageimage import PictureCache

    root = cache_dir or default_cache_dir()
    return root, [
        ("extracted files", ExtractionCache(root)),
        ("page texts", TextCache(root)),
        ("OCR pages", OcrCache(root)),
        ("OCR word boxes", OcrWordsCache(root)),
        ("page pictures", PictureCache(root)),
    ]


@cache_group.command("info")
@cache_option
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how much it holds (extracted text, OCR'd pages)."""
    root, caches = _caches(cache_dir)
    parts = []
    for name, cache in caches:
        entries, size = cache.size()
        parts.append(f"{entries} {name} ({size / 1e6:.1f} MB)")
    click.echo(f"{root}: {', '.join(parts)}")


@cache_group.command("clear")
@cache_option
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached extraction and OCR result (the next run reads PDFs again)."""
    root, caches = _caches(cache_dir)
    parts = []
    for name, cache in caches:
        entries, size = cache.clear()
        parts.append(f"{entries} {name} ({size / 1e6:.1f} MB)")
    click.echo(f"removed {', '.join(parts)} from {root}")
