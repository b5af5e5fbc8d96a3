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

.PHONY: help venv serve trainer reviewer test lint lab bench i18n

help:
	@echo "make serve   run the learner app on http://127.0.0.1:8866/ (ROOM= PORT= HOST=)"
	@echo "make reviewer  run the reviewer app on http://127.0.0.1:8868/ (ROOM= PORT= HOST=)"
	@echo "make trainer  run the trainer dashboard on http://127.0.0.1:8867/ (asks for the printed token)"
	@echo "make test    ruff, import-linter, unit + browser tests, notebooks (nbval)"
	@echo "make lint    ruff check and format check"
	@echo "make lab     JupyterLab on this checkout, for authors and developers"
	@echo "make bench   run benchmarks/*.py, write benchmarks/results.md"
	@echo "make i18n    extract interface messages, update the Welsh catalogue, compile it"

$(UV):
	python3 -m pip install --user uv \
	  || python3 -m pip install --user --break-system-packages uv \
	  || pip install uv

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on the machines
# this project is built on), Python would otherwise compile every module from source in
# every process it starts, servers and kernels included (about half their import time).
$(SYNCED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --extra postgres
	@touch $@

# The project's own modules, recompiled when edited (compileall skips what is up to date).
BYTECODE := $(RUN) python -m compileall -q toolkit >/dev/null

venv: $(SYNCED)

# axe-core, injected into pages by the accessibility tests; pinned in package-lock.json.
# Without npm the tests skip on a laptop and fail in CI (.ci/run installs npm).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else echo "npm not found: accessibility tests will skip (apt-get install npm)"; fi

serve: $(SYNCED)
	$(BYTECODE)
	$(RUN) python -m toolkit.serving learner $(SERVE_FLAGS)

reviewer: $(SYNCED)
	$(BYTECODE)
	$(RUN) python -m toolkit.serving reviewer $(SERVE_FLAGS)

# The trainer dashboard: a separate server that asks for the token it prints.
trainer: $(SYNCED)
	$(BYTECODE)
	$(RUN) python -m toolkit.serving trainer $(SERVE_FLAGS)

# Every check runs even when an earlier one fails, so one run shows everything to fix;
# pytest goes last so its summary closes the output. Notebooks run against a throw-away
# database, never var/safeshare.db.
test: $(SYNCED) $(AXE)
	$(BYTECODE)
	status=0; \
	$(RUN) ruff check . || status=1; \
	$(RUN) lint-imports || status=1; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	SAFESHARE_DATABASE_URL="sqlite:///$$tmp/nbval.db" \
	  $(RUN) pytest tests notebooks --nbval --timeout=600 --durations=25 || status=1; \
	exit $$status

# The Welsh catalogue (toolkit/i18n/locale/cy/LC_MESSAGES/safeshare.po): new messages are
# added untranslated, unused ones dropped, and the .mo compiled. tests/i18n fails until every
# message is translated; docs/translation.md says how to review them.
i18n: $(SYNCED)
	$(RUN) python -m toolkit.i18n.build

lint: $(SYNCED)
	$(RUN) ruff check .
	$(RUN) ruff format --check .

lab: $(SYNCED)
	$(RUN) jupyter lab --no-browser --ip=127.0.0.1 --ServerApp.root_dir=. \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# One benchmark at a time (the machine has 2 cores; never two servers' bursts at once). Each
# script's Markdown and figures go to a temp folder; benchmarks/_targets.py then writes
# results.md: the issue-8 targets table, the load, and every script's output. A failing
# script is marked in results.md and fails the target after the others have run.
BENCHES := bench_scoring bench_rationale bench_dashboard serve_startup bench_memory \
  bench_click bench_tti bench_room bench_capacity bench_fork bench_scaleout
bench: $(SYNCED)
	@out=benchmarks/results.md; status=0; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; export BENCH_OUT=$$tmp; \
	echo "load average $$(cut -d' ' -f1-3 /proc/loadavg)" > $$tmp/load-at-start.txt; \
	for name in $(BENCHES); do \
	  script=benchmarks/$$name.py; [ -e "$$script" ] || continue; \
	  echo "running $$script (load $$(cut -d' ' -f1 /proc/loadavg))"; \
	  $(RUN) python "$$script" > $$tmp/$$name.md 2> $$tmp/$$name.err \
	    || { rc=$$?; status=1; echo "**failed** (exit $$rc): $$(tail -n 3 $$tmp/$$name.err)" >> $$tmp/$$name.md; }; \
	done; \
	$(RUN) python benchmarks/_targets.py > $$out.tmp && mv $$out.tmp $$out; \
	echo "wrote $$out"; exit $$status
