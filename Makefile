# The two commands of the Quick start: `make run` and `make test`. Each installs what it
# needs. uv comes from PyPI into .tools/ when it is not on the PATH.
SHELL := /bin/bash
PYTHON ?= python3.11
SYSTEM_UV := $(shell command -v uv 2>/dev/null)
UV := $(if $(SYSTEM_UV),$(SYSTEM_UV),.tools/bin/uv)
UV_DEP := $(if $(SYSTEM_UV),,.tools/bin/uv)
LS := .venv/bin/livesession
export UV_PYTHON := $(PYTHON)

.PHONY: run test test-slow install check lint typecheck migrations-check messages clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.installed: uv.lock pyproject.toml | $(UV_DEP)
	$(UV) sync --frozen --quiet
	touch $@

install: .venv/.installed

run: install
	$(LS) migrate --verbosity 0
	$(LS) demo
	@# The worker and the web server run together; Ctrl-C stops both.
	@trap 'kill 0' EXIT INT TERM; $(LS) worker & $(LS) serve

test: install
	.venv/bin/pytest -n auto --maxprocesses 4

test-slow: install
	.venv/bin/pytest -m slow

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
