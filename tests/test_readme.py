"""The README's search examples come out exactly as shown, over the bundled corpus.

Every ``$ pubsearch search ...`` line of a ``console`` block (not piped, one command) is
run with ``--index`` on the corpus indexed from the repository; the lines under it, up to
the next prompt or the end of the block, must be the first lines of its output, line for
line (an example may stop early; a line ``…`` stands for the rest).
"""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import pipeline
from indexer.model import IndexSettings
from search.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"^( *)```console\n(.*?)^\1```", re.S | re.M)


def examples() -> list[tuple[str, str]]:
    """(command line, expected output) of every plain search example in the README."""
    found = []
    for m in _BLOCK.finditer((ROOT / "README.md").read_text(encoding="utf-8")):
        indent = len(m.group(1))
        lines = [line[indent:] for line in m.group(2).splitlines()]
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")] + [len(lines)]
        for a, b in itertools.pairwise(starts):
            command = lines[a][2:]
            if command.startswith("pubsearch search ") and not re.search(r"[|&;#]", command):
                found.append((command, "\n".join(lines[a + 1 : b]).rstrip("\n")))
    return found


def test_the_readme_has_search_examples() -> None:
    assert len(examples()) >= 6


@pytest.fixture(scope="module")
def readme_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus indexed as the README's `pubsearch index` does: from the repository,
    so that paths are shown relative to it."""
    index_dir = tmp_path_factory.mktemp("readme-index")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        pipeline.index(IndexSettings(index_dir=index_dir, catalog=Path("corpus/catalog.toml")))
    return index_dir


@pytest.mark.parametrize(("command", "expected"), examples())
def test_a_readme_example_comes_out_as_shown(
    readme_index: Path, monkeypatch: pytest.MonkeyPatch, command: str, expected: str
) -> None:
    monkeypatch.chdir(ROOT)
    args = [*shlex.split(command)[1:], "--index", str(readme_index)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    shown = expected.split("\n")
    if shown[-1].strip() == "…":
        shown.pop()
    assert result.stdout.split("\n")[: len(shown)] == shown
