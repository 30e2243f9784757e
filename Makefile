# Thin task runner: every target installs what it needs first and is safe to rerun.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
# The files that carry the build date (sitemap.xml and its .gz, see src/dlnotes/build/html/site.py) take the
# last commit's time, so that two builds of a commit are byte-identical. Only mkdocs and pytest
# get it: pip would switch the .pyc files it writes to hash checks.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
DATED := $(if $(SOURCE_DATE_EPOCH),SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH))
# apt-get needs root: run it as is when we are root (here and in CI), through sudo otherwise.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup chromium serve build test check bench clean

setup: $(VENV)/.installed node_modules/.installed

# pip also reinstalls when pyproject.toml changes (the one place versions are pinned).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

serve: setup
	SITE_URL=http://127.0.0.1:8000/ $(DATED) $(BIN)/mkdocs serve -a 127.0.0.1:8000

build: setup
	$(DATED) $(BIN)/mkdocs build --strict

test: setup chromium
	$(DATED) $(BIN)/python -m pytest -n 2 --dist loadfile   # a file's tests share one worker (and its builds)

# The inner loop: formulas, exercises, snippets and unit tests; no site build, no browser.
check: setup
	$(DATED) $(BIN)/python -m pytest -n 2 -m "not build"

bench: setup
	$(BIN)/python -m dlnotes_tools.bench

clean:
	rm -rf site site.staging site.old .cache
