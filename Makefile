# Reintegra: `make run` to try it, `make test` to check it. `make help` lists every target.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
VENDOR := web/static/vendor
HOST ?= 127.0.0.1
PORT ?= 5000
# PostgreSQL for the second test run, e.g. postgresql+psycopg://reintegra@127.0.0.1:5432/reintegra_test
TEST_DATABASE_URL ?=
export TEST_DATABASE_URL

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

system-deps: ## Install missing Debian packages (venv, node/npm, Pango + Khmer fonts for PDFs; Chromium for tests)
	@missing=""; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	[ -d /usr/share/fonts/truetype/khmeros ] || missing="$$missing fonts-khmeros"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ "$${WITH_BROWSER:-0}" = 1 ]; then \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	  command -v faketime >/dev/null || missing="$$missing faketime"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The exact versions every install uses (pip freeze of a working .venv); `make lock` writes it again.
LOCK := requirements.lock

$(BIN)/.installed: pyproject.toml $(LOCK)
	$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(LOCK) -e '.[dev]'
	touch $@

install: $(BIN)/.installed ## Create .venv and install the app with its dev tools, at the versions in requirements.lock

lock: ## Write requirements.lock from .venv (after changing pyproject.toml: pip install -U what changed, test, then lock)
	test -x $(BIN)/python || { echo "no $(VENV): run make install first"; exit 1; }
	$(BIN)/python -m pip install -q -c $(LOCK) -e '.[dev,bench]'
	{ echo "# Every installed package at the version the suite passed with (make lock; installs use pip -c $(LOCK))."; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/htmx $(VENDOR)/pico $(VENDOR)/bpmn-js $(VENDOR)/noto-sans-khmer/files
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico/
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/bpmn-js/
	cp -r node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	cp node_modules/@fontsource/noto-sans-khmer/{400,700}.css $(VENDOR)/noto-sans-khmer/
	cp node_modules/@fontsource/noto-sans-khmer/files/*-{400,700}-normal.woff* $(VENDOR)/noto-sans-khmer/files/
	touch $@

assets: $(VENDOR)/.installed ## Fetch web assets (npm ci) into web/static/vendor

translations: $(BIN)/.installed ## Compile the message catalogues
	$(BIN)/pybabel -q compile -d web/translations

extract-messages: $(BIN)/.installed ## Refresh messages.pot and merge it into each catalogue
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --ignore-dirs ".* __pycache__ node_modules" -o web/translations/messages.pot .
	$(BIN)/pybabel -q update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching

setup: install assets translations ## Everything `run` and `test` need

run: setup ## Set up, migrate, seed demo data and serve on $(HOST):$(PORT) with the scheduler
	$(BIN)/reintegra migrate
	$(BIN)/reintegra seed-demo
	$(BIN)/reintegra serve --host $(HOST) --port $(PORT) --scheduler

scheduler: install ## Run the scheduler on its own (production: one such process beside the web workers)
	$(BIN)/reintegra scheduler

lint: install ## ruff, formatting and the import-layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install ## mypy (strict on our code)
	$(BIN)/mypy

migrations-check: install ## Models and migrations agree (alembic check on a fresh database)
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	REINTEGRA_DATABASE_URL="sqlite:///$$tmp/check.sqlite" $(BIN)/alembic upgrade heads >/dev/null 2>&1; \
	REINTEGRA_DATABASE_URL="sqlite:///$$tmp/check.sqlite" $(BIN)/alembic check

test: setup lint typecheck migrations-check ## Lint, types, contracts, migrations, then the suite (and on PostgreSQL)
	$(MAKE) --no-print-directory system-deps WITH_BROWSER=1
	$(BIN)/pytest
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
	  echo "== the suite again on PostgreSQL"; \
	  $(BIN)/pytest -m "not e2e" --database-url "$(TEST_DATABASE_URL)"; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

# How far `test-later` moves the machine's clock (libfaketime syntax).
LATER ?= +400d

# The browser and the scheduler's real threads wait on timers libfaketime cannot fake: they run in `test` only.
test-later: setup ## The suite (SQLite, no browser) with the machine's clock moved $(LATER): no test may depend on today
	$(MAKE) --no-print-directory system-deps WITH_BROWSER=1
	@echo "== the suite with the clock at $$(faketime -f '$(LATER)' date -u +%F)"
	FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '$(LATER)' $(BIN)/pytest -m "not e2e and not real_time"

# The benchmarks (BENCHMARKS.md): CASES cases on SQLite, and on PostgreSQL when BENCH_DATABASE_URL is set.
CASES ?= 100000
BENCH_DATABASE_URL ?=

bench: install ## Generate CASES cases (SQLite, and PostgreSQL at BENCH_DATABASE_URL) and run every benchmark into bench/results/
	$(BIN)/python -m pip install -q -c $(LOCK) -e '.[dev,bench]'
	$(BIN)/python -m bench.generate --cases $(CASES)
	$(BIN)/python -m bench.bench_web --dataset sqlite-$(CASES)
	$(BIN)/python -m bench.bench_inproc --dataset sqlite-$(CASES) --profile
	$(BIN)/python -m bench.bench_completion --dataset sqlite-$(CASES) --profile
	$(BIN)/python -m bench.bench_sweep --dataset sqlite-$(CASES)
	$(BIN)/python -m bench.generate --cases 10000
	$(BIN)/python -m bench.bench_sweep --dataset sqlite-10000
	$(BIN)/python -m bench.bench_visits
	@if [ -n "$(BENCH_DATABASE_URL)" ]; then \
	  $(BIN)/python -m bench.generate --cases $(CASES) --database-url "$(BENCH_DATABASE_URL)"; \
	  $(BIN)/python -m bench.bench_web --dataset postgresql-$(CASES) --database-url "$(BENCH_DATABASE_URL)"; \
	  $(BIN)/python -m bench.bench_inproc --dataset postgresql-$(CASES) --database-url "$(BENCH_DATABASE_URL)"; \
	  $(BIN)/python -m bench.bench_completion --dataset postgresql-$(CASES) --database-url "$(BENCH_DATABASE_URL)"; \
	  $(BIN)/python -m bench.bench_sweep --dataset postgresql-$(CASES) --database-url "$(BENCH_DATABASE_URL)"; \
	else echo "BENCH_DATABASE_URL not set: PostgreSQL benchmarks skipped"; fi

LOAD_CASES ?= 5000

bench-load: install ## 60 s mixed load (queues, case pages, completions) on gunicorn + PostgreSQL at BENCH_DATABASE_URL, 0 errors
	@if [ -z "$(BENCH_DATABASE_URL)" ]; then echo "set BENCH_DATABASE_URL (a PostgreSQL database it may wipe)"; exit 1; fi
	$(BIN)/python -m pip install -q -c $(LOCK) -e '.[dev,bench]'
	$(BIN)/python -m bench.generate --cases $(LOAD_CASES) --database-url "$(BENCH_DATABASE_URL)"
	$(BIN)/python -m bench.bench_load --dataset postgresql-$(LOAD_CASES) --database-url "$(BENCH_DATABASE_URL)"

clean: ## Remove the virtualenv, assets and caches (keeps instance/ with your data and keys)
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache

.PHONY: help system-deps install lock assets translations extract-messages setup run scheduler lint typecheck migrations-check test test-later bench bench-load clean
