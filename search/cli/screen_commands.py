"""``pubsearch screen LIST``: every page where each name of a list, or a variant, appears.

Thin: the options become an :class:`~search.api.ScreenRequest`, :func:`search.api.screen`
answers one name at a time, and :mod:`search.screen_report` writes each as it comes (a
terminal table, CSV or JSON lines on stdout; one HTML file with ``--html``).
"""

from __future__ import annotations

import contextlib
import csv
import sys
from pathlib import Path

import click

from search.cli.options import default_index_dir, index_option
from search.errors import ExitCode


@click.command("screen")
@click.argument("names_list", metavar="LIST", type=click.Path(exists=True, dir_okay=False))
@index_option
@click.option(
    "--max-pages",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Pages reported per name (the rest are counted).",
)
@click.option(
    "--format",
    "fmt_name",
    type=click.Choice(["table", "csv", "jsonl"]),
    default="table",
    show_default=True,
    help="What stdout gets.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Also write one self-contained HTML report with links to the page view.",
)
@click.option(
    "--watch",
    default=None,
    metavar="NAME",
    help="A watchlist: report only pages this list's earlier runs under NAME did not.",
)
@click.option("--lang", "languages", multiple=True, help="Only pages in this language.")
@click.option(
    "--link-base",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where `pubsearch serve` answers, for the HTML report's links.",
)
def screen_cmd(
    names_list: str,
    index_dir: Path | None,
    max_pages: int,
    fmt_name: str,
    html_file: Path | None,
    watch: str | None,
    languages: tuple[str, ...],
    link_base: str,
) -> None:
    """Screen a LIST of names (one per line, or a CSV with a name column) against every
    indexed page: as printed, in another script, in another spelling, or another form of the
    surname. Exit code 0 when some name appears, 11 when none does."""
    from search import api  # loaded per command: search.cli.main stays light
    from search import screen_report as report
    from search.query.request import parse_request

    checked = parse_request(languages=languages)  # the same checks as `search --lang`
    request = api.ScreenRequest(
        source=names_list,
        max_pages=max_pages,
        watch=watch,
        languages=checked.languages,
        snippets=fmt_name != "table" or html_file is not None,  # the table shows none
    )
    writer = csv.DictWriter(sys.stdout, fieldnames=report.COLUMNS) if fmt_name == "csv" else None
    if writer is not None:
        writer.writeheader()
    matched = False
    with open(html_file, "w", encoding="utf-8") if html_file else contextlib.nullcontext() as out:
        document = report.HtmlReport(out, link_base, f"Screening {names_list}") if out else None
        for item in api.screen(index_dir or default_index_dir(), request):
            matched = matched or bool(getattr(item, "hits", ()))
            if writer is not None:
                report.csv_rows(item, writer)
            elif fmt_name == "jsonl":
                click.echo(report.json_line(item))
            else:
                for line in report.table_lines(item):
                    click.echo(line)
            if document is not None:
                document.add(item)
        if document is not None:
            document.close()
    if not matched:
        sys.exit(int(ExitCode.NO_MATCH))
