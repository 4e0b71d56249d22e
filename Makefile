# pubsearch — `make` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PUBSEARCH := $(VENV)/bin/pubsearch
PUBSEARCH_INDEX ?= $(CURDIR)/.pubsearch/index
# Only the demo targets see the demo index; `make test` must not (a test that forgets
# --index would silently search it).
demo serve: export PUBSEARCH_INDEX := $(PUBSEARCH_INDEX)
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install system demo serve test test-fast wheel-check lint typecheck check bench bench-web bench-ocr bench-scale bench-screen bench-cluster eval eval-doc corpus \
	screenshot clean fidelity
REALPDFS ?= ../shared/realpdfs

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# compat: a plain path in a .pth file; the default editable finder costs every
	@# `pubsearch` process ~25 ms of start-up
	$(PY) -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	@touch $@

install: $(STAMP) ## Create .venv and install pubsearch (editable) with dev tools

system: ## Install the Debian packages the tests need (Tesseract, Chromium) when missing
	@.ci/debian-packages

demo: system $(STAMP) ## Index the bundled corpus and run example searches
	$(PUBSEARCH) index --rebuild
	$(PUBSEARCH) search "barnen skydd" --limit 3 --pages 1
	$(PUBSEARCH) search 'жертвам' --pages 1
	$(PUBSEARCH) search 'victim referral' --limit 2 --pages 1
	$(PUBSEARCH) search '"trafic de persoane" OR traficul' --pages 1
	$(PUBSEARCH) search 'помощ' --lang bg --pages 1
	@echo "Try: $(PUBSEARCH) search 'tiggeri' --json   (index at $$PUBSEARCH_INDEX)"

serve: $(STAMP) ## Index the bundled corpus and serve the search page at http://127.0.0.1:8000/
	$(PUBSEARCH) index -q
	$(PUBSEARCH) serve

test: system $(STAMP) ## Run the whole test suite, as CI does
	$(VENV)/bin/pytest -q

test-fast: $(STAMP) ## The quick subset: no slow, browser, OCR or cluster tests (about a minute)
	$(VENV)/bin/pytest -q -m "not slow and not browser and not ocr and not cluster"

wheel-check: $(STAMP) ## Build a wheel, install it into a fresh venv and search from it
	$(PY) tests/wheel_check.py

lint: $(STAMP) ## ruff format --check, ruff check, and the import contracts (lint-imports)
	$(VENV)/bin/ruff format --check indexer search tests corpus/build.py docs/screenshot.py
	$(VENV)/bin/ruff check indexer search tests corpus/build.py docs/screenshot.py
	$(VENV)/bin/lint-imports

typecheck: $(STAMP) ## mypy --strict on indexer and search
	$(VENV)/bin/mypy

check: lint typecheck test ## What CI runs: lint, types, tests

bench: $(STAMP) bench-web bench-ocr ## Benchmarks: web page, OCR, indexing the real-world PDFs
	$(PY) tests/benchmarks/bench_index.py $(REALPDFS)

bench-ocr: $(STAMP) ## OCR seconds per page and word recall on ../shared/realpdfs scans (needs tesseract)
	$(PY) tests/benchmarks/bench_ocr.py $(REALPDFS)

bench-cluster: $(STAMP) ## Built-in pool vs Dask LocalCluster pages/s, task costs, writer speed, rebuilds
	$(PY) tests/benchmarks/bench_cluster.py

bench-web: $(STAMP) ## Web page render times (target: median < 50 ms); page pictures and word boxes
	$(PY) tests/benchmarks/bench_web.py
	$(PY) tests/benchmarks/bench_picture.py $(REALPDFS)
	$(PY) tests/benchmarks/bench_words.py $(REALPDFS)

bench-scale: $(STAMP) ## Search times on a ~4,000- and a ~100,000-page index side by side (long)
	$(PY) tests/benchmarks/bench_scale.py $(REALPDFS)

bench-screen: $(STAMP) ## Screening 1,000 names against bench-scale's large index (run bench-scale first)
	$(PY) tests/benchmarks/bench_screen.py
	$(PY) tests/benchmarks/bench_screen.py --snippets

eval: $(STAMP) ## Search-quality evaluation (tests/eval) on the corpus and ../shared/realpdfs
	$(PY) tests/eval/run_eval.py

fidelity: $(STAMP) ## Words of every real-world page that reach the index vs pdfminer's (minutes)
	$(PY) tests/benchmarks/fidelity.py $(REALPDFS) --workers 2

eval-doc: $(STAMP) ## Run the evaluation and write its results into docs/evaluation.md
	$(PY) tests/eval/run_eval.py --write docs/evaluation.md

corpus: $(STAMP) ## Rebuild corpus/pdf/*.pdf from corpus/text (needs fonts-dejavu-core)
	$(PY) corpus/build.py

screenshot: $(STAMP) ## Photograph the search page and a marked page view into docs/*.png (needs chromium)
	$(PY) docs/screenshot.py

clean: ## Remove the venv, the demo index and caches
	rm -rf $(VENV) .pubsearch .pytest_cache .mypy_cache .ruff_cache *.egg-info
