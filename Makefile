# SafeShare: `make serve` to run the learner app, `make test` before every commit.
# Every target first makes sure the uv-managed .venv matches uv.lock (re-synced when the
# lock or pyproject.toml is newer than the last sync).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV := $(or $(shell command -v uv 2>/dev/null),$(HOME)/.local/bin/uv)
VENV := .venv
SYNCED := $(VENV)/.synced
RUN := $(UV) run --frozen --extra postgres

# `make serve ROOM=4 PORT=9000 HOST=0.0.0.0`. Only values given on make's command line count
# (a HOST or PORT already in the environment means something else); SAFESHARE_* work too.
flag = $(if $(filter command line,$(origin $(1))),--$(2) $($(1)))
SERVE_FLAGS := $(call flag,ROOM,room) $(call flag,PORT,port) $(call flag,HOST,host)

.PHONY: help venv serve test lint lab bench

help:
	@echo "make serve   run the learner app on http://127.0.0.1:8866/ (ROOM= PORT= HOST=)"
	@echo "make test    ruff, import-linter, unit + browser tests, notebooks (nbval)"
	@echo "make lint    ruff check and format check"
	@echo "make lab     JupyterLab on this checkout, for authors and developers"
	@echo "make bench   run benchmarks/*.py, write benchmarks/results.md"

$(UV):
	python3 -m pip install --user uv \
	  || python3 -m pip install --user --break-system-packages uv \
	  || pip install uv

$(SYNCED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --extra postgres
	@touch $@

venv: $(SYNCED)

serve: $(SYNCED)
	$(RUN) python -m toolkit.serve learner $(SERVE_FLAGS)

# Every check runs even when an earlier one fails, so one run shows everything to fix;
# pytest goes last so its summary closes the output. Notebooks run against a throw-away
# database, never var/safeshare.db.
test: $(SYNCED)
	status=0; \
	$(RUN) ruff check . || status=1; \
	$(RUN) lint-imports || status=1; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	SAFESHARE_DATABASE_URL="sqlite:///$$tmp/nbval.db" \
	  $(RUN) pytest tests notebooks --nbval --timeout=600 || status=1; \
	exit $$status

lint: $(SYNCED)
	$(RUN) ruff check .
	$(RUN) ruff format --check .

lab: $(SYNCED)
	$(RUN) jupyter lab --no-browser --ip=127.0.0.1 --ServerApp.root_dir=. \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# Each script prints markdown; a failing script is marked in results.md and fails the target
# after the others have run.
bench: $(SYNCED)
	@out=benchmarks/results.md; status=0; \
	{ echo "# Benchmark results"; echo; \
	  echo "$$(date -u +%Y-%m-%dT%H:%MZ), $$(nproc) cores, commit $$(git rev-parse --short HEAD 2>/dev/null || echo none)"; \
	} > $$out.tmp; \
	for script in benchmarks/*.py; do \
	  [ -e "$$script" ] || continue; \
	  echo "running $$script"; \
	  { echo; echo "## $$(basename $$script .py)"; echo; } >> $$out.tmp; \
	  $(RUN) python "$$script" >> $$out.tmp || { rc=$$?; status=1; echo "**failed** (exit $$rc)" >> $$out.tmp; }; \
	done; \
	mv $$out.tmp $$out; echo "wrote $$out"; exit $$status
