"""Public surface and import weight."""

import subprocess
import sys

import pytest

#: What the search side must not load: the PDF and language libraries, the worker pool,
#: the Dask cluster client, name libraries (the name keys are standard library only: they
#: are computed for every query word) and the indexer's writing side.
HEAVY = ("pdfminer", "langdetect", "pypdfium2", "multiprocessing", "dask", "distributed",
         "icu", "normality", "rigour", "jellyfish")  # fmt: skip
WRITING = (
    "indexer.pipeline",
    "indexer.execution.pool",
    "indexer.extraction.cache",
    "indexer.index.store",
)


def loaded(module: str) -> list[str]:
    """The heavy modules `import module` loads, in a fresh interpreter."""
    code = (
        f"import sys, {module};"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}"
        f" or m.startswith({WRITING!r}));"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


@pytest.mark.parametrize(
    "module",
    [
        "search.cli.main",
        "search.cli.search_commands",
        "search.api",
        "search.render",
        "search.query.syntax",
    ],
)
def test_search_front_modules_stay_light(module: str) -> None:
    assert loaded(module) == []


def test_the_entry_point_loads_only_what_forwarding_needs() -> None:
    # `pubsearch` first offers a read-only command to a daemon: no click, no tantivy
    code = (
        "import sys; before = set(sys.modules); import search.console;"
        "print(','.join(sorted(m for m in set(sys.modules) - before"
        " if m.split('.')[0] in ('click', 'tantivy', 'indexer', 'json', 're', 'pathlib')"
        " or m.startswith('search.')"
        " and m not in ('search.console', 'search.serve', 'search.serve.protocol'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_search_does_not_import_pdfminer_or_langdetect() -> None:
    heavy = loaded("search.cli.main, search.results.hits, search.query.syntax, search.render")
    assert not [m for m in heavy if m.split(".")[0] in ("pdfminer", "langdetect")]


def test_format_loads_no_tantivy() -> None:
    code = "import sys, search.render; print('tantivy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_check_can_fail() -> None:
    # The checks above must be able to fail: the indexer's own modules load all of these.
    heavy = loaded(
        "indexer.pipeline, indexer.extraction.pdf, indexer.extraction.language,"
        " indexer.execution.pool"
    )
    assert {"pdfminer", "langdetect", "multiprocessing", "indexer.pipeline"} <= set(heavy)


def test_indexing_modules_do_import_them() -> None:
    code = (
        "import sys, indexer.extraction.pdf, indexer.extraction.language;"
        "print('pdfminer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
