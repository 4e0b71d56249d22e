"""``pubsearch search``, ``similar``, ``show`` and ``open``: finding and reading pages.

The commands import what reads the index (tantivy) when they run, so that importing
:mod:`search.cli.main` (and ``pubsearch --help``) stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from search import render as fmt
from search.cli.options import (
    default_index_dir,
    index_option,
    json_option,
    page_option,
    pages_option,
    shown_option,
    use_color,
)


@click.command("search")
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
# --sort, --limit and --page are checked by search.query.request, as the web page's parameters
@shown_option(
    "--sort",
    str,
    "relevance",
    "Rank by relevance, or newest publication first.",
    metavar="[relevance|date]",
)
@shown_option("--limit", str, "10", "Publications to show (1-10000).", metavar="INTEGER")
@shown_option(
    "--page", str, "1", "Result page: skip (PAGE - 1) x LIMIT publications.", metavar="INTEGER"
)
@pages_option
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
@click.option(
    "--exact",
    is_flag=True,
    help="The query as typed: no results for a correction, only pages with every word.",
)
def search_cmd(
    query: str,
    index_dir: Path | None,
    languages: tuple[str, ...],
    types: tuple[str, ...],
    years: str | None,
    only_new: bool,
    fuzzy: bool,
    sort: str,
    limit: str,
    page: str,
    pages: int,
    show_facets: bool,
    fmt_name: str,
    as_json: bool,
    explain: bool,
    exact: bool,
) -> None:
    """Search inside the indexed PDFs; hits are grouped by publication.

    QUERY: words (all must match), "exact phrase", OR, -exclude, prefix*, field:value for
    title/author/type/lang/year/id, year:[2015 TO 2017].
    """
    from search import api  # loaded per command: search.cli.main stays light
    from search.query.request import parse_request

    index_dir = index_dir or default_index_dir()
    request = parse_request(
        text=query,
        languages=languages,
        types=types,
        years=years,
        sort=sort,
        page=page,
        limit=limit,
        pages=pages,
        exact=exact,
        fuzzy=fuzzy,
        only_new=only_new,
    )
    fmt_name = "json" if as_json else fmt_name
    if explain:
        click.echo("\n".join(api.explain(index_dir, request)), err=fmt_name != "text")
    if fmt_name in ("csv", "jsonl"):
        exported = api.export(index_dir, request)
        for note in fmt.export_notes(exported):
            click.echo(f"pubsearch: {note}", err=True)
        fmt.export(exported.rows, fmt_name, sys.stdout)
        return
    results = api.search(index_dir, request)
    if fmt_name == "json":
        click.echo(json.dumps(fmt.results_json(results), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.results_text(results, use_color(sys.stdout), show_facets=show_facets))


@click.command("similar")
@click.argument("ref")
@index_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@pages_option
@json_option
def similar_cmd(ref: str, index_dir: Path | None, limit: int, pages: int, as_json: bool) -> None:
    """Publications and pages most like REF: a publication ID, or ID#PAGE for one page."""
    from search import api  # loaded per command: search.cli.main stays light

    request = api.SimilarRequest(ref=ref, limit=limit, pages=pages)
    results = api.similar(index_dir or default_index_dir(), request)
    if as_json:
        click.echo(json.dumps(fmt.results_json(results), ensure_ascii=False, indent=2))
    else:
        click.echo(fmt.results_text(results, use_color(sys.stdout)))


@click.command("show")
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
    from search import api  # loaded per command: search.cli.main stays light

    index_dir = index_dir or default_index_dir()
    request = api.PageRequest(pub_id=pub_id, page=page, query=query)
    view = api.show(index_dir, request)
    marks = None
    if as_json or png is not None:
        pictures = api.pictures(index_dir, workers=1)
        try:
            if png is not None:
                marks = api.picture(pictures, request, png, int(width))
            else:
                marks = api.marks(pictures, request)
        finally:
            pictures.close()
    if as_json:
        click.echo(json.dumps(fmt.page_json(view, marks), ensure_ascii=False, indent=2))
    elif png is not None and marks is not None:
        click.echo(f"wrote {png} ({len(marks.boxes)} words marked)")
    else:
        click.echo(fmt.page_text(view, use_color(sys.stdout)))


@click.command("open")
@click.argument("pub_id")
@page_option
@index_option
@click.option("--print", "print_only", is_flag=True, help="Print the URL instead of opening it.")
def open_cmd(pub_id: str, page: int, index_dir: Path | None, print_only: bool) -> None:
    """Open the publication's PDF at a page in the system viewer (xdg-open)."""
    import shutil  # loaded per command: `pubsearch search` needs neither
    import subprocess

    from search import api  # loaded per command: search.cli.main stays light

    url = api.page_url(index_dir or default_index_dir(), api.PageRequest(pub_id=pub_id, page=page))
    opener = shutil.which("xdg-open") or shutil.which("open")
    if print_only or opener is None:
        click.echo(url)
        return
    subprocess.Popen([opener, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    click.echo(f"opened {url}")
