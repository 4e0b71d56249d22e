"""Module paths written as strings: each must import, or a move breaks something silently
(a command that vanishes, a fork server that preloads nothing, a daemon that warms nothing,
a sub-package missing from the wheel)."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest

from search.cli.main import COMMANDS
from search.serve.daemon import WARM

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _imports(path: str) -> None:
    module, _, attribute = path.partition(":")
    loaded = importlib.import_module(module)
    if attribute:
        assert hasattr(loaded, attribute), f"{module} has no {attribute}"


def _in_source(file: str, pattern: str) -> list[str]:
    return re.findall(pattern, (ROOT / file).read_text(encoding="utf-8"))


STRING_PATHS = sorted(
    {
        *COMMANDS.values(),
        *WARM,
        PYPROJECT["project"]["scripts"]["pubsearch"],
        *_in_source("indexer/execution/processes.py", r"PRELOAD = \"([\w.]+)\""),
        *_in_source("search/pictures/render_pool.py", r"\"-m\",\s*\"([\w.]+)\""),
    }
)


def test_the_string_paths_are_found() -> None:
    # each source of string paths still holds one: a rewrite that drops it fails here
    assert (
        len(_in_source("indexer/execution/processes.py", r"set_forkserver_preload\(\[PRELOAD\]\)"))
        == 1
    )
    assert len(_in_source("search/pictures/render_pool.py", r"\"-m\",\s*\"([\w.]+)\"")) == 1
    assert "indexer.execution.preload" in STRING_PATHS
    assert "search.pictures.render_worker" in STRING_PATHS


@pytest.mark.parametrize("path", STRING_PATHS)
def test_every_string_path_imports(path: str) -> None:
    _imports(path)


def test_a_missing_path_fails() -> None:
    with pytest.raises(ModuleNotFoundError):
        _imports("search.no_such_room:nothing")


def test_mypy_overrides_and_contracts_name_real_modules() -> None:
    own = [
        m
        for override in PYPROJECT["tool"]["mypy"]["overrides"]
        for m in override["module"]
        if m.split(".")[0] in ("indexer", "search")
    ]
    contracts = PYPROJECT["tool"]["importlinter"]["contracts"]
    named = [
        name.strip()
        for contract in contracts
        for key in ("layers", "modules", "source_modules")
        for layer in contract.get(key, [])
        for name in re.split(r"[|:]", layer)
    ]
    for module in own + named:
        importlib.import_module(module)


def test_every_package_is_in_the_wheel() -> None:
    # setuptools finds packages by these patterns: every folder with an __init__.py
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("indexer", "search")
        for init in (ROOT / top).rglob("__init__.py")
    }
    for package in packages:
        assert any(
            re.fullmatch(p.replace(".", r"\.").replace("*", ".*"), package) for p in patterns
        )
    folders = {
        ".".join(d.relative_to(ROOT).parts)
        for top in ("indexer", "search")
        for d in [ROOT / top, *(ROOT / top).rglob("*")]
        if d.is_dir() and any(d.glob("*.py")) and d.name != "__pycache__"
    }
    assert folders == packages, "a folder of modules without __init__.py is left out of the wheel"
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for package, globs in data.items():
        folder = ROOT.joinpath(*package.split("."))
        assert all(list(folder.glob(g)) for g in globs), f"{package}: {globs} match no file"
