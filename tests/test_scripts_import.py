"""The benchmark and evaluation scripts still import: they are not run by the suite (they
measure), so a renamed function they use would otherwise go unnoticed until someone
measures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted([*ROOT.glob("tests/benchmarks/bench_*.py"), ROOT / "tests/benchmarks/fidelity.py"])
SCRIPTS.append(ROOT / "tests/eval/run_eval.py")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_imports(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(script.parent))  # as when run: its folder comes first
    spec = importlib.util.spec_from_file_location(f"_script_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    try:
        spec.loader.exec_module(module)  # top level only: main() runs under __main__
    finally:
        del sys.modules[spec.name]
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"
