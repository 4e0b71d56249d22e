"""Search-quality evaluation (``make eval``): queries with complete page-level judgments.

The queries live in ``tests/eval/queries-*.toml``. Each carries its relevance *rule*
(regexes over a page's text, folders, publications, or an explicit page list), applied to
every page of the evaluation index, so the judgments are complete by construction: every
page that answers the query is relevant, not only the one someone had in mind.

The evaluation index holds the bundled corpus and the real-world folders the queries name
(``../shared/realpdfs/...``; encrypted files are opened with the passwords SOURCES.tsv
lists). It is rebuilt from the extraction cache on every run, once per variant:

- ``standard``: the product;
- ``no-stemming``: every field analyzed language-neutrally (lowercase only);
- ``no-normalization``: page text indexed as extracted (whitespace collapsed only);
- ``no-title-boost``: the standard index, title/subtitle matches weighted like page text
  and publications with a matching title not ranked higher;
- ``no-expansion``: the standard index, without the query-time expansion of
  :mod:`search.query.expansions` (inflection endings, compounds, diacritics): the state before it;
- ``exact``: the standard index, every query searched as typed (``--exact``): no results
  for a correction, no pages with most of the words (:mod:`search.results.planner`): the state
  before them.

Pages are ranked as the search answers a query (:func:`search.results.planner.plan`): the
correction's pages when the query matches nothing, pages lacking words after those with all.

Metrics (binary relevance; "@10" = the top 10 hits):

- page recall@10: share of a query's relevant pages among the top 10 pages, out of at most
  10 (a query with 25 relevant pages and 10 of them in the top 10 scores 1.0);
- publication recall@10: the same over publications (a publication is relevant when one of
  its pages is), ranked as ``pubsearch search`` ranks them;
- MRR: 1 / rank of the first relevant page; nDCG@10 over the page ranking;
- precision@10: the share of the (at most 10) pages returned that are relevant: for a name
  query, the pages that print the name in no form count against it.

    .venv/bin/python tests/eval/run_eval.py [--write docs/evaluation.md] [--variants ...]
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from indexer import pipeline
from indexer.index import schema as s
from indexer.model import NEUTRAL, STANDARD, IndexSettings, Limits
from search.query import compile as qb
from search.query import syntax as q
from search.results.answer import search
from search.results.planner import plan

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

REALPDFS = ROOT.parent / "shared" / "realpdfs"
CATALOG = ROOT / "corpus" / "catalog.toml"
WORK = ROOT / ".pubsearch" / "eval"
VARIANTS = (
    "standard", "exact", "no-expansion", "no-stemming", "no-normalization", "no-title-boost",
)  # fmt: skip
K = 10


@dataclass(frozen=True, slots=True)
class Query:
    """One evaluation query and its relevance rule (see the module docstring)."""

    id: str
    text: str
    language: str
    kind: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    publications: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()  # explicit "id#page" judgments (scans without text yet)
    note: str = ""


@dataclass(frozen=True, slots=True)
class PageText:
    id: str
    page: int
    folder: str
    text: str


@dataclass(slots=True)
class Scores:
    page_recall: list[float] = field(default_factory=list)
    pub_recall: list[float] = field(default_factory=list)
    rr: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)

    def add(self, other: Scores) -> None:
        for name in ("page_recall", "pub_recall", "rr", "ndcg", "precision"):
            getattr(self, name).extend(getattr(other, name))

    def row(self) -> tuple[int, float, float, float, float, float]:
        def mean(xs: list[float]) -> float:
            return sum(xs) / len(xs) if xs else float("nan")

        return (len(self.rr), mean(self.page_recall), mean(self.pub_recall), mean(self.rr),
                mean(self.ndcg), mean(self.precision))  # fmt: skip


def load_queries(files: Iterable[Path]) -> list[Query]:
    queries: list[Query] = []
    for path in files:
        for raw in tomllib.loads(path.read_text(encoding="utf-8"))["query"]:
            fields = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
            queries.append(Query(**fields))
    ids = [query.id for query in queries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        sys.exit(f"eval: duplicate query ids: {', '.join(sorted(duplicates))}")
    return queries


def passwords() -> list[str]:
    """The passwords SOURCES.tsv lists for the real-world collection's encrypted files."""
    found: list[str] = []
    tsv = REALPDFS / "SOURCES.tsv"
    if tsv.is_file():
        for m in re.finditer(r"(?:password|user|owner) '([^']+)'", tsv.read_text()):
            value = (
                m.group(1).encode().decode("unicode_escape") if "\\u" in m.group(1) else m.group(1)
            )
            if value not in found:
                found.append(value)
    return found


def folder_of(path: str) -> str:
    if not path:
        return "corpus"
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(REALPDFS.resolve()).parts[0]
    except ValueError:
        return "corpus"


def build(variant: str, folders: Sequence[str]) -> Path:
    """The index of a variant, rebuilt from the extraction cache once per run."""
    kind = "standard" if variant in ("no-title-boost", "no-expansion", "exact") else variant
    index_dir = WORK / kind
    if kind in built:
        return index_dir
    options: dict[str, Any] = {
        "analysis": NEUTRAL if kind == "no-stemming" else STANDARD,
        "normalize": kind != "no-normalization",
        "cache_dir": WORK / "cache",
        "rebuild": True,
        "limits": Limits(page_timeout=20.0),
    }
    started = time.monotonic()
    pipeline.index(IndexSettings(index_dir=index_dir, catalog=CATALOG, **options))
    paths = [REALPDFS / f for f in folders if (REALPDFS / f).is_dir()]
    options["rebuild"] = False
    report = pipeline.index(
        IndexSettings(index_dir=index_dir, paths=paths, passwords=passwords(), **options)
    )
    print(f"  index {kind}: {len(report.files)} files, {report.pages} pages "
          f"in {time.monotonic() - started:.0f} s", file=sys.stderr)  # fmt: skip
    built.add(kind)
    return index_dir


built: set[str] = set()


def page_texts(index_dir: Path) -> list[PageText]:
    index = s.open_index(index_dir)
    searcher = index.searcher()
    pages_q = tantivy.Query.term_query(index.schema, s.F_KIND, s.KIND_PAGE)
    out = []
    for _, address in searcher.search(pages_q, searcher.num_docs, count=False).hits:
        doc = searcher.doc(address)
        lang = str(doc.get_first(s.F_LANG))
        out.append(PageText(
            str(doc.get_first(s.F_ID)), int(doc.get_first(s.F_PAGE) or 0),
            folder_of(str(doc.get_first(s.F_PATH) or "")),
            str(doc.get_first(s.text_field(lang)) or ""),
        ))  # fmt: skip
    return out


def judge(query: Query, pages: Sequence[PageText]) -> set[tuple[str, int]]:
    """Every page the query's rule accepts."""
    if query.pages:
        return {(p.split("#")[0], int(p.split("#")[1])) for p in query.pages}
    relevant = set()
    for page in pages:
        if query.folders and page.folder not in query.folders:
            continue
        if query.publications and page.id not in query.publications:
            continue
        if not (query.all or query.any or query.publications):
            continue
        if any(not re.search(rx, page.text, re.I) for rx in query.all):
            continue
        if query.any and not any(re.search(rx, page.text, re.I) for rx in query.any):
            continue
        relevant.add((page.id, page.page))
    return relevant


def evaluate(
    index_dir: Path, query: Query, relevant: set[tuple[str, int]], variant: str
) -> tuple[Scores, list[tuple[str, int]]]:
    index = s.open_index(index_dir)
    flat = variant == "no-title-boost"
    options = qb.Options(
        analysis=s.analysis_of(index_dir),
        title_boost=1.0 if flat else qb.TITLE_BOOST,
        meta_weight=1.0 if flat else qb.META_WEIGHT,
        expand=variant != "no-expansion",
        names=variant != "no-expansion",  # names are an expansion too: off in that ablation
    )
    scores = Scores()
    exact = variant == "exact"
    searcher = index.searcher()
    try:
        answer = plan(searcher, index.schema, query.text, None, options, exact=exact)
    except q.QuerySyntaxError as exc:
        sys.exit(f"eval: query {query.id} does not parse: {exc}")
    ranked: list[tuple[str, int]] = []
    for tier in answer.tiers:  # each tier's pages after the tiers before
        if len(ranked) >= K:
            break
        for _, address in searcher.search(tier.query, K - len(ranked), count=False).hits:
            doc = searcher.doc(address)
            ranked.append((str(doc.get_first(s.F_ID)), int(doc.get_first(s.F_PAGE) or 0)))
    gains = [1.0 if hit in relevant else 0.0 for hit in ranked]
    ideal = min(K, len(relevant))
    scores.page_recall.append(sum(gains) / ideal)
    scores.precision.append(sum(gains) / len(gains) if gains else 0.0)
    scores.rr.append(next((1 / (i + 1) for i, g in enumerate(gains) if g), 0.0))
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    scores.ndcg.append(dcg / sum(1 / math.log2(i + 2) for i in range(ideal)))
    relevant_pubs = {pub for pub, _ in relevant}
    found = search(index_dir, query.text, limit=K, pages=0, options=options, exact=exact)
    pubs = [h.id for h in found.hits]
    scores.pub_recall.append(len(relevant_pubs & set(pubs)) / min(K, len(relevant_pubs)))
    return scores, ranked


def table(title: str, groups: dict[str, Scores]) -> list[str]:
    lines = [f"### {title}", "",
             "| | n | page recall@10 | publication recall@10 | MRR | nDCG@10 | precision@10 |",
             "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for name, sc in groups.items():
        n, pr, pub, mrr, ndcg, prec = sc.row()
        lines.append(
            f"| {name} | {n} | {pr:.3f} | {pub:.3f} | {mrr:.3f} | {ndcg:.3f} | {prec:.3f} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="also write the report (Markdown) here")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--show", action="store_true", help="list every query's result")
    opts = parser.parse_args()
    if not REALPDFS.is_dir():
        sys.exit(f"eval: {REALPDFS} not found: the evaluation needs the real-world PDF collection")
    queries = load_queries(sorted(HERE.glob("queries-*.toml")))
    folders = sorted({f for query in queries for f in query.folders} - {"corpus"})
    print(f"eval: {len(queries)} queries; indexing corpus + {', '.join(folders)}", file=sys.stderr)
    standard = build("standard", folders)
    pages = page_texts(standard)
    judgments = {query.id: judge(query, pages) for query in queries}
    empty = [qid for qid, rel in judgments.items() if not rel]
    if empty:
        sys.exit(f"eval: queries without a relevant page: {', '.join(empty)}")
    report: list[str] = []
    overall: dict[str, Scores] = {}
    details: list[str] = []
    for variant in opts.variants:
        index_dir = build(variant, folders)
        by_lang: dict[str, Scores] = defaultdict(Scores)
        by_kind: dict[str, Scores] = defaultdict(Scores)
        total = Scores()
        for query in queries:
            sc, ranked = evaluate(index_dir, query, judgments[query.id], variant)
            total.add(sc)
            by_lang[query.language].add(sc)
            by_kind[query.kind].add(sc)
            if variant == "standard":
                _, pr, pub, mrr, _, _ = sc.row()
                misses = [f"{i}#{p}" for i, p in ranked[:3] if (i, p) not in judgments[query.id]]
                details.append(
                    f"| {query.id} | `{query.text}` | {query.kind} | {len(judgments[query.id])} "
                    f"| {pr:.2f} | {pub:.2f} | {mrr:.2f} | {' '.join(misses)} |"
                )
        overall[variant] = total
        if variant == "standard":
            report += table("By language (standard)", dict(sorted(by_lang.items())))
            report += table("By kind of query (standard)", dict(sorted(by_kind.items())))
        if variant == "exact":
            report += table("By kind of query (exact: every query as typed, the state before "
                            "results for corrections and pages with most of the words)",
                            dict(sorted(by_kind.items())))  # fmt: skip
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    head = [f"n={len(queries)} queries, {sum(len(r) for r in judgments.values())} relevant "
            f"pages judged; {time.strftime('%Y-%m-%d')}, commit {commit or '?'}", ""]  # fmt: skip
    text = "\n".join(head + table("Overall, per variant", overall) + report)
    print(text)
    detail_table = [
        "#### Every query (standard)",
        "",
        "| query | text | kind | relevant | page R@10 | pub R@10 | RR | non-relevant in top 3 |",
        "|---|---|---|---:|---:|---:|---:|---|",
        *details,
    ]
    if opts.show:
        print("\n".join(detail_table))
    if opts.write:
        body = opts.write.read_text() if opts.write.is_file() else ""
        marker = "<!-- eval:results -->"
        if marker in body:
            body = body.split(marker)[0] + marker + "\n" + text + "\n\n"
            body += "\n".join(detail_table) + "\n"
        else:
            body = text + "\n"
        opts.write.write_text(body)


if __name__ == "__main__":
    main()
