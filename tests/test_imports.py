"""Public surface and import weight."""

import subprocess
import sys


def test_search_does_not_import_pdfminer_or_langdetect() -> None:
    code = (
        "import sys, search.cli, search.searcher, search.query, search.format;"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pdfminer', 'langdetect'));"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_indexing_modules_do_import_them() -> None:
    # The check above must be able to fail: the indexer's own modules load both.
    code = "import sys, indexer.extract, indexer.language; print('pdfminer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
