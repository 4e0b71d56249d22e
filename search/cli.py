"""The ``pubsearch`` command: thin click commands over the library, one error handler.

Each command parses its options, calls one library function and renders the result with
:mod:`search.format`. Errors are turned into a one-line message and an
:class:`~search.errors.ExitCode` in :meth:`PubsearchGroup.invoke`; tracebacks only with
``--verbose``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from indexer.errors import (
    CatalogError,
    IndexerError,
    IndexLockedError,
    IndexNotFoundError,
    SchemaVersionError,
)
from indexer.pipeline import COMMIT_EVERY_FILES
from indexer.workers import (
    DEFAULT_MEMORY_MB,
    DEFAULT_OCR_TIMEOUT,
    DEFAULT_PAGE_TIMEOUT,
    DEFAULT_TIMEOUT,
)
from search.errors import BadOptionError, ExitCode, QuerySyntaxError, SearchError

INDEX_ENV = "PUBSEARCH_INDEX"


def default_index_dir() -> Path:
    """``$PUBSEARCH_INDEX``, else ``$XDG_DATA_HOME/pubsearch/index`` (~/.local/share/...)."""
    env = os.environ.get(INDEX_ENV)
    if env:
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "pubsearch" / "index"


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code for an exception that reached the command line."""
    if isinstance(exc, (IndexNotFoundError, SchemaVersionError)):
        return ExitCode.NO_INDEX
    if isinstance(exc, (QuerySyntaxError, BadOptionError)):
        return ExitCode.BAD_QUERY
    if isinstance(exc, CatalogError):
        return ExitCode.CATALOG
    if isinstance(exc, IndexLockedError):
        return ExitCode.INDEX_LOCKED
    return ExitCode.ERROR


class PubsearchGroup(click.Group):
    """A click group whose commands share one error handler."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and cut short: not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stays open until exit)
            ctx.exit(0)
        except Exception as exc:
            code = exit_code_for(exc)
            verbose = bool(ctx.obj and ctx.obj.get("verbose"))
            if verbose:
                traceback.print_exc()
            message = str(exc) if isinstance(exc, (IndexerError, SearchError)) else (
                f"unexpected error: {type(exc).__name__}: {exc} (run again with --verbose)"
            )  # fmt: skip
            click.echo(f"pubsearch: {message}", err=True)
            ctx.exit(int(code))


def index_option(func: Any) -> Any:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Index folder [default: ${INDEX_ENV}, else ~/.local/share/pubsearch/index].",
    )(func)


cache_option = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Extraction cache folder [default: $PUBSEARCH_CACHE, else ~/.cache/pubsearch].",
)


def _use_color(stream: Any) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


@click.group(cls=PubsearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="pubsearch")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Full-text search inside publication PDFs, page by page, in many languages."""
    ctx.obj = {"verbose": verbose}


@cli.command("index")
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
    type=click.Choice(["auto", "off", "force"]),
    default="auto",
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
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; only failures and the summary.")
def index_cmd(
    paths: tuple[Path, ...], index_dir: Path | None, catalog: Path | None, rebuild: bool,
    passwords: tuple[str, ...], passwords_file: Any, workers: int | None, timeout: float,
    page_timeout: float, memory_limit: int, retry_failed: bool, cache_dir: Path | None,
    commit_every: int, ocr: str, ocr_timeout: float, as_json: bool, quiet: bool,
) -> None:  # fmt: skip
    """Index PDFs (files or folders) or, with no PATHS, the catalog's publications.

    Only what changed since the last run is read: new and changed files are extracted,
    renamed ones re-linked, removed ones dropped, unchanged ones skipped. A file that fails
    is reported with its reason and the run goes on; the exit code is 5 if any failed.
    """
    from indexer.catalog import default_catalog
    from indexer.pipeline import index
    from search import format as fmt
    from search.progress import Progress

    if passwords_file is not None:
        passwords += tuple(line.strip() for line in passwords_file if line.strip())
    catalog_path = catalog or default_catalog()
    with Progress(enabled=not quiet, stream=sys.stderr) as progress:
        report = index(
            index_dir or default_index_dir(),
            paths=list(paths),
            catalog=catalog_path if (not paths or catalog_path.is_file()) else None,
            passwords=passwords,
            rebuild=rebuild,
            on_file=progress.file_done,
            on_plan=progress.start,
            workers=workers,
            timeout=timeout,
            page_timeout=page_timeout,
            memory_mb=memory_limit,
            cache_dir=cache_dir,
            retry_failed=retry_failed,
            commit_every=commit_every,
            ocr=ocr,
            ocr_timeout=ocr_timeout,
        )
    click.echo(json.dumps(fmt.report_json(report), ensure_ascii=False) if as_json
               else fmt.report_text(report))  # fmt: skip
    if not report.ok:
        sys.exit(int(ExitCode.FILES_FAILED))


@cli.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """What the index holds: publications, pages, languages, files not fully indexed."""
    from search import format as fmt
    from search.stats import index_stats

    stats = index_stats(index_dir or default_index_dir())
    click.echo(json.dumps(fmt.stats_json(stats), ensure_ascii=False, indent=2) if as_json
               else fmt.stats_text(stats))  # fmt: skip


@cli.group("cache")
def cache_group() -> None:
    """The cache: text already read from PDFs (by file hash), OCR'd pages (by image), page
    pictures."""


def _caches(cache_dir: Path | None) -> tuple[Path, list[tuple[str, Any]]]:
    from indexer.cache import ExtractionCache, default_cache_dir
    from indexer.ocr import OcrCache, OcrWordsCache
    from search.pageimage import PictureCache

    root = cache_dir or default_cache_dir()
    return root, [
        ("extracted files", ExtractionCache(root)),
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


def json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


@cli.command("search")
@click.argument("query")
@index_option
@click.option(
    "--lang", "languages", multiple=True, help="Only pages in this language (sv, en, ...)."
)
@click.option("--type", "types", multiple=True, help="Only publications of this type.")
@click.option("--year", "years", help="Year or range: 2016, 2015..2017, 2015.., ..2017.")
@click.option(
    "--new", "only_new", is_flag=True, help="Only files added or changed by the latest index run."
)
@click.option("--fuzzy", is_flag=True, help="Also match words within 1-2 typos.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Rank by relevance, or newest publication first.",
)
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Publications to show.",
)
@click.option(
    "--pages",
    default=3,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="Pages to show per publication.",
)
@click.option(
    "--facets",
    "show_facets",
    is_flag=True,
    help="Also count matching publications by type, year, language, author.",
)
@click.option(
    "--format",
    "fmt_name",
    type=click.Choice(["text", "json", "csv", "jsonl"]),
    default="text",
    show_default=True,
    help="csv/jsonl: every matching page with a citation (for reports).",
)
@json_option
@click.option("--explain", is_flag=True, help="Show how the query is analyzed, then search.")
def search_cmd(
    query: str, index_dir: Path | None, languages: tuple[str, ...], types: tuple[str, ...],
    years: str | None, only_new: bool, fuzzy: bool, sort: str, limit: int, pages: int,
    show_facets: bool, fmt_name: str, as_json: bool, explain: bool,
) -> None:  # fmt: skip
    """Search inside the indexed PDFs; hits are grouped by publication.

    QUERY: words (all must match), "exact phrase", OR, -exclude, prefix*, field:value for
    title/author/type/lang/year/id, year:[2015 TO 2017].
    """
    from indexer import schema
    from search import format as fmt
    from search import query as q
    from search.pages import export_rows, last_run_id
    from search.searcher import search

    index_dir = index_dir or default_index_dir()
    filters = q.Filters(
        languages=tuple(v.strip() for x in languages for v in x.split(",") if v.strip()),
        types=tuple(v.strip() for x in types for v in x.split(",") if v.strip()),
        years=q.parse_years(years) if years else None,
        run=last_run_id(index_dir) if only_new else None,
    )
    fmt_name = "json" if as_json else fmt_name
    if explain:
        click.echo("\n".join(q.explain(q.parse(query))), err=fmt_name != "text")
    if fmt_name in ("csv", "jsonl"):
        fmt.export(export_rows(index_dir, query, filters, sort), fmt_name, sys.stdout)
        return
    options = q.Options(analysis=schema.analysis_of(index_dir), fuzzy=fuzzy)
    results = search(index_dir, query, filters, limit, pages, options, sort)
    if fmt_name == "json":
        click.echo(json.dumps(fmt.results_json(results), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.results_text(results, _use_color(sys.stdout), show_facets=show_facets))


@cli.command("similar")
@click.argument("ref")
@index_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--pages", default=3, show_default=True, type=click.IntRange(0, 1000))
@json_option
def similar_cmd(ref: str, index_dir: Path | None, limit: int, pages: int, as_json: bool) -> None:
    """Publications and pages most like REF: a publication ID, or ID#PAGE for one page."""
    from search import format as fmt
    from search.pages import similar

    results = similar(index_dir or default_index_dir(), ref, limit, pages)
    if as_json:
        click.echo(json.dumps(fmt.results_json(results), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.results_text(results, _use_color(sys.stdout)))


page_option = click.option("--page", "page", type=click.IntRange(1), default=1, show_default=True,
                           help="Page number (1-based).")  # fmt: skip


@cli.command("show")
@click.argument("pub_id")
@page_option
@click.option("--query", "query", help="Highlight this query's matches on the page.")
@index_option
@json_option
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the page as a picture with the matched words marked to this file.",
)
@click.option(
    "--width",
    type=click.Choice([str(w) for w in (800, 1200, 1600, 2400)]),
    default="1200",
    show_default=True,
    help="Width of the --png picture in pixels.",
)
def show_cmd(
    pub_id: str,
    page: int,
    query: str | None,
    index_dir: Path | None,
    as_json: bool,
    png: Path | None,
    width: str,
) -> None:
    """Print the text of one page of a publication (matches of --query highlighted).

    With --png, also write the page's picture with a box over every matched word; --json
    then adds the page size and the boxes (PDF points)."""
    from search import format as fmt
    from search.pages import show_page

    index_dir = index_dir or default_index_dir()
    view = show_page(index_dir, pub_id, page, query)
    marks = None
    if as_json or png is not None:
        from search.pageimage import PagePictures

        pictures = PagePictures(index_dir, workers=1)
        try:
            marks = (
                pictures.write_marked(pub_id, page, query, png, int(width))
                if png
                else pictures.marks(pub_id, page, query)
            )
        finally:
            pictures.close()
    if as_json:
        click.echo(json.dumps(fmt.page_json(view, marks), ensure_ascii=False, indent=2))
    elif png is not None and marks is not None:
        click.echo(f"wrote {png} ({len(marks.boxes)} words marked)")
    else:
        click.echo(fmt.page_text(view, _use_color(sys.stdout)))


@cli.command("open")
@click.argument("pub_id")
@page_option
@index_option
@click.option("--print", "print_only", is_flag=True, help="Print the URL instead of opening it.")
def open_cmd(pub_id: str, page: int, index_dir: Path | None, print_only: bool) -> None:
    """Open the publication's PDF at a page in the system viewer (xdg-open)."""
    import shutil
    import subprocess

    from search.pages import page_url

    url = page_url(index_dir or default_index_dir(), pub_id, page)
    opener = shutil.which("xdg-open") or shutil.which("open")
    if print_only or opener is None:
        click.echo(url)
        return
    subprocess.Popen([opener, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    click.echo(f"opened {url}")


@cli.group("saved")
def saved_group() -> None:
    """Saved queries: re-run them after indexing and see what is new."""


@saved_group.command("add")
@click.argument("name")
@click.argument("query")
@index_option
def saved_add(name: str, query: str, index_dir: Path | None) -> None:
    """Save QUERY under NAME."""
    from search import saved

    saved.add(index_dir or default_index_dir(), name, query)
    click.echo(f"saved {name}: {query}")


@saved_group.command("list")
@index_option
@json_option
def saved_list(index_dir: Path | None, as_json: bool) -> None:
    """List the saved queries."""
    from search import saved

    queries = saved.saved(index_dir or default_index_dir())
    if as_json:
        click.echo(json.dumps(queries, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(f"{n}: {q}" for n, q in queries.items()) or "no saved queries")


@saved_group.command("remove")
@click.argument("name")
@index_option
def saved_remove(name: str, index_dir: Path | None) -> None:
    """Forget the saved query NAME."""
    from search import saved

    saved.remove(index_dir or default_index_dir(), name)
    click.echo(f"removed {name}")


@saved_group.command("run")
@click.argument("names", nargs=-1)
@index_option
@json_option
def saved_run(names: tuple[str, ...], index_dir: Path | None, as_json: bool) -> None:
    """Re-run saved queries (all, or NAMES); pages not found last time are marked new."""
    from search import format as fmt
    from search import saved

    runs = saved.run_saved(index_dir or default_index_dir(), list(names) or None)
    if as_json:
        click.echo(json.dumps(fmt.saved_json(runs), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.saved_text(runs) or "no saved queries")


@cli.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback: only this machine).")  # fmt: skip
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="PUBSEARCH_TOKEN",
    default=None,
    help="Access token every request must carry (given once as ?token=, then "
    "kept in a cookie) [default: $PUBSEARCH_TOKEN].",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="Also answer requests for this Host name (e.g. behind a proxy).",
)
def serve_cmd(
    index_dir: Path | None, host: str, port: int, token: str | None, allow_hosts: tuple[str, ...]
) -> None:
    """Serve the search page (read-only) at http://HOST:PORT/.

    Only requests whose Host names this server are answered (loopback names, HOST,
    --allow-host). Beyond loopback, anyone who can reach the port can read the index
    unless --token is given."""
    from search.web.serve import serve

    serve(index_dir or default_index_dir(), host, port, token or None, allow_hosts)


def main() -> None:
    cli(prog_name="pubsearch")
