"""Batch re-indexing: incremental, cached, parallel, time-limited, resumable, locked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import pipeline
from indexer.errors import IndexLockedError
from indexer.extraction.cache import ExtractionCache, TextCache
from indexer.index import schema
from indexer.index.lock import index_lock
from indexer.index.store import load_records
from indexer.model import IndexReport, IndexSettings, Limits, OcrMode, TextRequest
from search.cli.main import cli
from search.errors import ExitCode
from search.results.answer import search
from search.results.stats import index_stats
from tests.support import real_pdf

SV = (
    "Socialtjänsten ska ge barnen stöd och skydd när de har utsatts för människohandel. "
    "Polisen utreder brotten och åklagaren väcker åtal."
)
OTHER = "Tiggeri och tvångsarbete bland EU-medborgare utreds av polisen i flera regioner."


def actions(report: IndexReport) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for event in report.events:
        out.setdefault(event.action, []).append(Path(event.path).name)
    return {k: sorted(v) for k, v in out.items()}


@pytest.fixture
def folder(tmp_path: Path, make_pdf: Callable[..., Path]) -> Path:
    make_pdf([SV, SV], name="docs/a.pdf")
    make_pdf([OTHER], name="docs/b.pdf")
    make_pdf([SV + " " + OTHER], name="docs/sub/c.pdf")
    return tmp_path / "docs"


def test_new_changed_removed_renamed_unchanged(
    tmp_path: Path, folder: Path, make_pdf: Callable[..., Path]
) -> None:
    ix = tmp_path / "ix"
    first = pipeline.index(IndexSettings(index_dir=ix, paths=[folder], workers=2))
    assert actions(first) == {"added": ["a.pdf", "b.pdf", "c.pdf"]}
    again = pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    assert actions(again) == {"unchanged": ["a.pdf", "b.pdf", "c.pdf"]}

    make_pdf([OTHER, OTHER, OTHER], name="docs/a.pdf")  # changed content
    (folder / "b.pdf").rename(folder / "b-moved.pdf")  # renamed
    (folder / "sub" / "c.pdf").unlink()  # removed
    make_pdf([SV], name="docs/d.pdf")  # new
    report = pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    assert actions(report) == {
        "added": ["d.pdf"], "updated": ["a.pdf"], "renamed": ["b-moved.pdf"], "removed": ["c.pdf"],
    }  # fmt: skip
    renamed = next(e for e in report.events if e.action == "renamed")
    assert renamed.id == "b" and renamed.previous_path == str(folder / "b.pdf")
    assert renamed.from_cache  # no re-extraction for a moved file
    hits = {h.id: h for h in search(ix, "tiggeri OR barn", limit=10).hits}
    assert set(hits) == {"a", "b", "d"}
    assert hits["b"].path == str(folder / "b-moved.pdf")
    assert hits["a"].matched_pages == 3
    stats = index_stats(ix)
    assert (stats.publications, stats.pages, stats.files) == (3, 5, {"indexed": 3})


def test_touched_file_is_hashed_not_extracted(tmp_path: Path, folder: Path) -> None:
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    os.utime(folder / "a.pdf", ns=(1, 1))
    assert actions(pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))) == {
        "unchanged": ["a.pdf", "b.pdf", "c.pdf"]
    }
    records = load_records(schema.open_index(ix))
    assert records[str((folder / "a.pdf").resolve())].mtime_ns == 1


def test_paths_outside_the_run_are_kept(
    tmp_path: Path, folder: Path, make_pdf: Callable[..., Path]
) -> None:
    ix = tmp_path / "ix"
    other = make_pdf([OTHER], name="elsewhere/e.pdf")
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
    report = pipeline.index(IndexSettings(index_dir=ix, paths=[other]))
    assert actions(report) == {"added": ["e.pdf"]}
    assert index_stats(ix).publications == 4


def test_rebuild_reuses_the_extraction_cache(tmp_path: Path, folder: Path) -> None:
    cache = tmp_path / "cache"
    ix = tmp_path / "ix"
    first = pipeline.index(IndexSettings(index_dir=ix, paths=[folder], cache_dir=cache))
    assert not any(e.from_cache for e in first.events)
    assert ExtractionCache(cache).size()[0] == 3
    rebuilt = pipeline.index(
        IndexSettings(index_dir=ix, paths=[folder], cache_dir=cache, rebuild=True)
    )
    assert actions(rebuilt) == {"added": ["a.pdf", "b.pdf", "c.pdf"]}
    assert all(e.from_cache for e in rebuilt.events)
    assert search(ix, "barn").total == 2


def test_rebuild_reuses_the_page_texts_and_only_for_the_same_request(
    tmp_path: Path, folder: Path
) -> None:
    cache = tmp_path / "cache"
    ix = tmp_path / "ix"
    off = OcrMode.OFF  # what a file's texts are asked with is part of their key
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder], cache_dir=cache, ocr=off))
    texts = TextCache(cache)
    assert texts.size()[0] == 3
    before = load_records(schema.open_index(ix))
    # Mark b.pdf's stored texts: a rebuild that takes them from the cache indexes the mark.
    b = next(r for r in before.values() if r.path.endswith("b.pdf"))
    asked = TextRequest(ocr_mode=off)
    kept = texts.get(b.sha256, asked)
    assert kept is not None and kept.pages[0].language == "sv"
    marked = replace(kept.pages[0], text=kept.pages[0].text + " kontrollmärke")
    texts.put(b.sha256, asked, replace(kept, pages=(marked,)))
    again = IndexSettings(index_dir=ix, paths=[folder], cache_dir=cache, ocr=off, rebuild=True)
    pipeline.index(again)
    assert [h.id for h in search(ix, "kontrollmärke").hits] == [b.id]
    # Asked differently (no normalization), the texts are made anew, not taken from there.
    pipeline.index(replace(again, normalize=False))
    assert search(ix, "kontrollmärke").total == 0
    assert texts.size()[0] == 6


def test_schema_change_rebuild_needs_no_pdfminer(tmp_path: Path, folder: Path) -> None:
    cache = tmp_path / "cache"
    ix = tmp_path / "ix"
    pipeline.index(IndexSettings(index_dir=ix, paths=[folder], cache_dir=cache))
    schema.write_meta(ix, schema_version=0)  # as if built by an older pubsearch
    meta = json.loads((ix / schema.META_FILE).read_text())
    meta["schema_version"] = 0
    (ix / schema.META_FILE).write_text(json.dumps(meta))
    result = CliRunner().invoke(cli, ["index", str(folder), "--index", str(ix)])
    assert result.exit_code == ExitCode.NO_INDEX
    report = pipeline.index(
        IndexSettings(index_dir=ix, paths=[folder], cache_dir=cache, rebuild=True)
    )
    assert report.count("added") == 3 and all(e.from_cache for e in report.events)


@pytest.mark.slow
def test_hanging_file_times_out_and_the_batch_goes_on(tmp_path: Path, folder: Path) -> None:
    hang = real_pdf("weird/tiru__freeze.pdf")
    started = time.monotonic()
    report = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix",
            paths=[folder, hang],
            limits=Limits(page_timeout=3, timeout=30),
        )
    )
    assert time.monotonic() - started < 25
    assert [(Path(f.path).name, f.reason, f.detail) for f in report.failures] == [
        ("tiru__freeze.pdf", "timeout", "timeout on every page")
    ]
    assert report.count("added") == 3
    assert index_stats(tmp_path / "ix").files == {"indexed": 3, "failed": 1}
    # unchanged next time: not retried (and not waited for) unless asked
    again = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[hang], limits=Limits(page_timeout=3))
    )
    assert again.seconds < 2 and again.failures[0].reason == "timeout"


@pytest.mark.slow
def test_slow_page_fails_alone_the_rest_of_the_file_is_kept(tmp_path: Path) -> None:
    path = real_pdf("weird/pdfpig__fseprd1102849.pdf")  # page 1 takes pdfminer > 25 s alone
    report = pipeline.index(
        IndexSettings(
            # page 2 has taken over 10 s on a loaded machine; 15 s still times page 1 out.
            # Page 1 also grows by up to ~180 MB/s (1.7 GB at 15 s on a fast machine): under
            # the default 512 MB limit it fails as out-of-memory first, which is not this
            # test's subject (test_memory_limit_is_reported_per_page is)
            index_dir=tmp_path / "ix",
            paths=[path],
            limits=Limits(page_timeout=15, timeout=90, memory_mb=6000),
        )
    )
    (event,) = report.files
    assert (event.pages, event.failed_pages, event.detail) == (2, (1,), "page 1: timeout")
    assert report.ok and index_stats(tmp_path / "ix").files == {"partial": 1}


def test_memory_limit_is_reported_per_page(tmp_path: Path) -> None:
    path = real_pdf("lang-sv/ferenda__39db8153.pdf")
    report = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix",
            paths=[path],
            cache_dir=tmp_path / "c",
            limits=Limits(memory_mb=20),
        )
    )
    (event,) = report.events
    # every page over the limit fails the file; some pages over it make it partial
    assert "out-of-memory" in (event.reason if event.action == "failed" else event.detail)
    # a larger limit is a reason to read the file again, not to trust the cache
    again = pipeline.index(
        IndexSettings(
            index_dir=tmp_path / "ix",
            paths=[path],
            cache_dir=tmp_path / "c",
            retry_failed=True,
            limits=Limits(memory_mb=2048),
        )
    )
    assert again.events[0].failed_pages == () and not again.events[0].from_cache


def test_encrypted_retried_with_password(tmp_path: Path) -> None:
    path = real_pdf("encrypted/pypdf__r2-user-password.pdf")
    first = pipeline.index(IndexSettings(index_dir=tmp_path / "ix", paths=[path]))
    assert first.failures[0].reason == "encrypted"
    assert "pass --password" in first.failures[0].detail
    second = pipeline.index(
        IndexSettings(index_dir=tmp_path / "ix", paths=[path], passwords=["asdfzxcv"])
    )
    assert second.ok and second.count("updated") == 1


def test_lock_gives_a_clear_error_and_exit_code(tmp_path: Path, folder: Path) -> None:
    ix = tmp_path / "ix"
    with index_lock(ix):
        with pytest.raises(
            IndexLockedError, match=rf"being updated by process {os.getpid()} since"
        ):
            pipeline.index(IndexSettings(index_dir=ix, paths=[folder]))
        result = CliRunner().invoke(cli, ["index", str(folder), "--index", str(ix)])
        assert result.exit_code == ExitCode.INDEX_LOCKED == 7
        assert result.stderr.startswith(f"pubsearch: index at {ix} is being updated by process ")
    assert pipeline.index(IndexSettings(index_dir=ix, paths=[folder])).count("added") == 3


def test_json_summary_and_exit_codes(tmp_path: Path, folder: Path) -> None:
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    args = ["index", str(folder), "--index", str(tmp_path / "ix"), "--json", "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == ExitCode.FILES_FAILED
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("added", "updated", "renamed", "removed", "unchanged")} == {
        "added": 3, "updated": 0, "renamed": 0, "removed": 0, "unchanged": 0,
    }  # fmt: skip
    assert summary["pages_indexed"] == 4 and summary["pages_without_text"] == 0
    assert [f["path"] for f in summary["failed"]] == [str(folder / "broken.pdf")]
    assert summary["failed"][0]["reason"] == "corrupt" and summary["partial"] == []
    (folder / "broken.pdf").unlink()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and json.loads(result.stdout)["removed"] == 1
    stats = CliRunner().invoke(cli, ["stats", "--index", str(tmp_path / "ix"), "--json"])
    data = json.loads(stats.stdout)
    assert (data["publications"], data["pages"], data["failed_files"]) == (3, 4, [])
    assert data["last_run"]["removed"] == 1


def test_killed_indexer_leaves_last_commit_and_resumes(
    tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    for n in range(30):
        make_pdf([f"{SV} Dokument nummer {n}."] * 3, name=f"many/doc{n:02d}.pdf")
    ix = tmp_path / "ix"
    cmd = [sys.executable, "-m", "search", "index", str(tmp_path / "many"), "--index", str(ix),
           "--workers", "1", "--commit-every", "4"]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    added = 0
    searched_during_run = None
    for line in proc.stderr:
        added += line.startswith("added ")
        if added == 6:  # at least one commit (every 4 files) is there: searches see it
            searched_during_run = search(ix, "barn", limit=50).total
        if added == 10:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert searched_during_run is not None and searched_during_run >= 4
    # the last commit is searchable and consistent: every recorded file has all its pages
    stats = index_stats(ix)
    assert 4 <= stats.publications <= 28  # at least the first commit (every 4 files)
    assert stats.pages == 3 * stats.publications
    assert search(ix, "barn", limit=50).total == stats.publications
    resumed = pipeline.index(IndexSettings(index_dir=ix, paths=[tmp_path / "many"]))
    assert resumed.count("unchanged") == stats.publications
    assert resumed.count("added") == 30 - stats.publications
    assert index_stats(ix).pages == 90
