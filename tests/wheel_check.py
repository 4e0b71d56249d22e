"""Build pubsearch's wheel, install it into a fresh venv, and index and search from it.

An editable install finds every module in the source tree; a wheel holds only the packages
``pyproject.toml`` lists, and Dask workers run what is installed. This script catches a
sub-package or template left out of the wheel: it runs from a folder outside the checkout,
so nothing is imported from the source tree. Not a pytest test (it installs packages from
the registry, once); ``make wheel-check`` and CI run it.

    .venv/bin/python tests/wheel_check.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"wheel check: {' '.join(map(str, args))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pubsearch-wheel-") as tmp:
        work = Path(tmp)
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work, ROOT, cwd=work)
        (wheel,) = work.glob("pubsearch-*.whl")
        venv = work / "venv"
        run(sys.executable, "-m", "venv", venv, cwd=work)
        run(venv / "bin" / "python", "-m", "pip", "install", "-q", f"{wheel}[cluster]", cwd=work)
        env = {**os.environ, "PUBSEARCH_DAEMON": "off", "PUBSEARCH_CACHE": str(work / "cache")}
        env.pop("PYTHONPATH", None)
        pubsearch = venv / "bin" / "pubsearch"
        index = work / "index"
        catalog = ROOT / "corpus" / "catalog.toml"
        run(pubsearch, "index", "--index", index, "--catalog", catalog, "-q", cwd=work, env=env)
        found = json.loads(
            run(pubsearch, "search", "--index", index, "--json", "barn skydd", cwd=work, env=env)
        )
        if not found["total"]:
            sys.exit("wheel check: the installed pubsearch found nothing for 'barn skydd'")
        here = "import search, indexer; print(search.__file__, indexer.__file__)"
        where = run(venv / "bin" / "python", "-c", here, cwd=work, env=env)
        if str(ROOT) in where:
            sys.exit(f"wheel check: imported from the checkout, not the wheel: {where}")
        modules = sorted(
            ".".join(p.relative_to(ROOT).with_suffix("").parts)
            for top in ("indexer", "search")
            for p in (ROOT / top).rglob("*.py")
        )
        probe = (
            "import importlib, sys; "
            f"[importlib.import_module(m.removesuffix('.__init__')) for m in {modules!r}]; "
            "from search.serve.web import create_app; "
            "import search.serve.web.app as app; "
            "print(sorted(p.name for p in (app.HERE / 'templates').iterdir()))"
        )
        templates = run(venv / "bin" / "python", "-c", probe, cwd=work, env=env)
        print(
            f"wheel check: {wheel.name}: {len(modules)} modules import from the wheel, "
            f"templates {templates.strip()}, 'barn skydd' finds {found['total']} publications"
        )


if __name__ == "__main__":
    main()
