"""The answers of one checkout, for a before/after comparison of a change that must not
change behaviour: the JSON of every evaluation query (``tests/eval``) and every
``pubsearch search`` example of the README, run on each given index.

Run it with each checkout's own code (from that checkout's folder, so its ``indexer`` and
``search`` come first on ``sys.path``) against the same index folders, then compare the
files byte for byte::

    (cd OLD && python tests/benchmarks/answers.py --index A --index B > /tmp/old.json)
    (cd NEW && python tests/benchmarks/answers.py --index A --index B > /tmp/new.json)
    cmp /tmp/old.json /tmp/new.json

Each answer is ``pubsearch search --json`` (and the README's own options), the exit code
and the output, in-process through click, in a fixed order. Not a test: it prints.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path

HERE = Path.cwd()
sys.path.insert(0, str(HERE))


def commands() -> list[list[str]]:
    """Every query of tests/eval (as typed and with --exact) and the README's searches."""
    out: list[list[str]] = []
    for path in sorted((HERE / "tests" / "eval").glob("queries-*.toml")):
        for query in tomllib.loads(path.read_text(encoding="utf-8"))["query"]:
            out.append(["search", query["text"], "--json"])
            out.append(["search", query["text"], "--json", "--exact", "--pages", "5"])
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    for line in re.findall(r"^\s*\$ pubsearch (search .+?)(?:\s*\|.*)?$", readme, re.M):
        out.append(shlex.split(line))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, action="append", required=True)
    args = parser.parse_args()
    os.environ["PUBSEARCH_DAEMON"] = "off"
    from click.testing import CliRunner

    for name in ("search.cli.main", "search.cli"):  # the module's path moved in 0.1
        try:
            cli = importlib.import_module(name).cli
            break
        except (ImportError, AttributeError):
            continue
    runner = CliRunner()
    answers = []
    for index in args.index:
        ids: list[str] = []
        for argv in commands():
            result = runner.invoke(cli, [*argv, "--index", str(index)])
            answers.append({"argv": argv, "index": str(index), "code": result.exit_code,
                            "output": result.output})  # fmt: skip
            if "--json" in argv and result.exit_code == 0 and len(ids) < 8:
                ids += [h["id"] for h in json.loads(result.output)["hits"][:1]]
        for pub_id in dict.fromkeys(ids):  # the publications, once each, in order found
            for argv in (["similar", pub_id, "--json"], ["show", pub_id, "--json"], ["stats"]):
                result = runner.invoke(cli, [*argv, "--index", str(index)])
                answers.append({"argv": argv, "index": str(index), "code": result.exit_code,
                                "output": result.output})  # fmt: skip
    json.dump(answers, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
