# The two commands of the Quick start: `make run` and `make test`. Each installs what it
# needs. uv comes from PyPI into .tools/ when it is not on the PATH.
SHELL := /bin/bash
PYTHON ?= python3.11
SYSTEM_UV := $(shell command -v uv 2>/dev/null)
UV := $(if $(SYSTEM_UV),$(SYSTEM_UV),.tools/bin/uv)
UV_DEP := $(if $(SYSTEM_UV),,.tools/bin/uv)
LS := .venv/bin/livesession
export UV_PYTHON := $(PYTHON)

.PHONY: run test test-slow install check lint typecheck migrations-check messages clean \
	bench bench-smoke bench-tools screenshots

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.installed: uv.lock pyproject.toml | $(UV_DEP)
	$(UV) sync --frozen --quiet
	touch $@

# Bytecode for every module, written once after each install: without it, where
# PYTHONDONTWRITEBYTECODE is set, each process of `make run` compiles ~1,300 modules again
# (seconds of CPU per process, at every start).
.venv/.compiled: .venv/.installed
	@# Some packages ship files that do not compile (test data): never a reason to stop.
	.venv/bin/python -m compileall -q -j 0 .venv/lib >/dev/null || true
	touch $@

install: .venv/.installed

# `livesession run` migrates (in no time when nothing changed), loads the demo, starts the
# web server and the worker as its children and stops both on one Ctrl-C (core/supervisor.py).
# RUN_ARGS=--verbose shows every job the worker runs.
run: install .venv/.compiled
	@# Our own modules: recompiled when one changed, a few milliseconds when none did.
	@.venv/bin/python -m compileall -q src >/dev/null || true
	@$(LS) run $(RUN_ARGS)

test: install
	.venv/bin/pytest -n auto --maxprocesses 4

test-slow: install
	.venv/bin/pytest -m slow

# Screenshots of the main pages (docs/screenshots/, shown in the README), taken by the browser
# suite's own flows at both widths: the flows save named PNGs when SCREENSHOTS_DIR is set.
# Debian's Chromium and axe-core (npm) as for the suite; pngquant (Debian) makes them small.
SCREENSHOT_FLOWS ?= tests/e2e/flows/test_organizer.py tests/e2e/flows/test_operator.py \
	tests/e2e/flows/test_participant.py tests/e2e/flows/test_account.py
screenshots: install
	@test -d tests/e2e/node_modules/axe-core || npm ci --prefix tests/e2e --no-audit --no-fund
	@command -v pngquant >/dev/null || apt-get install -y pngquant \
	  || (apt-get update && apt-get install -y pngquant) || echo "pngquant missing: PNGs left as taken"
	rm -f docs/screenshots/*.png
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots .venv/bin/pytest -m slow -p no:cacheprovider \
	  $(wildcard $(SCREENSHOT_FLOWS))
	@if command -v pngquant >/dev/null; then \
	  pngquant --force --skip-if-larger --ext .png --quality 60-90 --strip docs/screenshots/*.png || true; fi
	@du -ch docs/screenshots/*.png | tail -1

lint: install
	.venv/bin/ruff check .

typecheck: install
	.venv/bin/mypy

migrations-check: install
	LIVESESSION_VAR_DIR=$$(mktemp -d) .venv/bin/python manage.py makemigrations --check --dry-run

check: lint typecheck migrations-check

messages: install
	cd src/livesession && ../../.venv/bin/django-admin makemessages -l fr -l en --no-obsolete \
	  && ../../.venv/bin/django-admin compilemessages

clean:
	rm -rf .venv .tools var/test-*

# Benchmarks (issue 9, bench/README.md): the real server on PostgreSQL and SQLite, baselines
# first, then the scenarios; results in bench/results/ and the README's Performance table.
# Not part of `make test`. wrk comes from Debian (apt-get) when missing; PostgreSQL is the
# one at BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432).
bench-tools:
	@command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	@command -v pgbench >/dev/null || (apt-get install -y postgresql-client || (apt-get update && apt-get install -y postgresql-client))

bench: install bench-tools
	.venv/bin/python bench/run.py --backend both $(BENCH_ARGS)

# A short smoke run (under 2 minutes): every scenario, short durations, results in var/.
bench-smoke: install bench-tools
	.venv/bin/python bench/run.py --backend both --quick $(BENCH_ARGS)
