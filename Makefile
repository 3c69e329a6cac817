# The two commands a new machine needs: `make run` and `make test`. Everything else is a habit.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= $(CURDIR)/home
PORT ?= 8000
SAMPLE := data/sample
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test lint typecheck pytest bench tune eval browser postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## make run: install, index the bundled sample data, and start the service (PORT=8000).
run: $(VENV)/.installed
	@$(BIN)/tvaers --home $(HOME_DIR) serve --host 127.0.0.1 --port $(PORT) --check-port
	$(BIN)/tvaers --home $(HOME_DIR) index $(SAMPLE)
	$(BIN)/tvaers --home $(HOME_DIR) search "robotter der hjælper ældre derhjemme" --limit 3
	$(BIN)/tvaers --home $(HOME_DIR) serve --host 127.0.0.1 --port $(PORT)

## make test: install what the tests need, then lint, types and tests.
test: $(VENV)/.installed-test browser postgres lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check engine indexer service tests bench
	$(BIN)/ruff format --check engine indexer service tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/pytest -q; status=$$?; if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

# Debian's Chromium for the browser tests; installed once, skipped when present.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
		echo "chromium: $$(chromium --version 2>/dev/null)"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Debian's PostgreSQL for the store tests; installed once, skipped when present. The tests start a
# throwaway cluster of their own (tests/postgres.py) and leave the package's "main" cluster alone.
postgres:
	@initdb=$$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1); \
	if [ -n "$$initdb" ]; then \
		echo "postgresql: $$($$initdb --version)"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

## make bench: speed figures (ratios against baselines measured in the same run).
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.bench_search
	$(BIN)/python -m bench.bench_pairing
	$(BIN)/python -m bench.bench_season
	$(BIN)/python -m bench.bench_live
	$(BIN)/python -m bench.bench_hostile
	$(BIN)/python -m bench.bench_suggest
	$(BIN)/python -m bench.bench_similar
	$(BIN)/python -m bench.bench_facets

## make eval: search quality on every labelled Danish query set (fresh dev and test, own,
## validation) beside the bare model and main of 2026-12-05, and on the similar-units set.
eval: $(VENV)/.installed
	$(BIN)/tvaers --home $(HOME_DIR) index $(SAMPLE)
	$(BIN)/python -m bench.eval_search --home $(HOME_DIR) --compare bench/results/eval_773a4d5.json
	$(BIN)/tvaers --home $(HOME_DIR) eval tests/data/similar_units.csv

## make tune: compare scoring settings on both labelled query sets (how the defaults were chosen).
tune: $(VENV)/.installed
	$(BIN)/tvaers --home $(HOME_DIR) index $(SAMPLE)
	$(BIN)/python -m bench.tune_fusion --roles --home $(HOME_DIR) tests/data/queries.csv tests/data/queries_validation.csv

clean:
	rm -rf $(VENV) $(HOME_DIR) .mypy_cache .ruff_cache .pytest_cache
