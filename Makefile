# 点题述职 — the two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
DIANTI := $(VENV)/bin/dianti
PYTHON ?= python3
# make is the development path: debug on, and the published development key allowed (production, without
# DIANTI_DEBUG=1, refuses to start without DIANTI_SECRET_KEY).
export DIANTI_DEBUG ?= 1

.PHONY: run test install install-dev lint typecheck pytest bench demo clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## make run: install, migrate the embedded SQLite database, load the Haiyan demo once, serve on 127.0.0.1:8000
run: install
	$(DIANTI) migrate --no-input
	$(DIANTI) demo
	$(DIANTI) serve

## make test: install test dependencies (and Chromium + CJK fonts when root), lint, type-check, run the suite
test: install-dev
	@bash scripts/ensure-test-deps.sh
	$(MAKE) lint typecheck pytest

lint: install-dev
	$(VENV)/bin/ruff check src

typecheck: install-dev
	$(VENV)/bin/mypy src/dianti/core/paths.py src/dianti/core/channels/signing.py src/dianti/core/channels/env.py src/dianti/appraisal/engine src/dianti/voices/mining src/dianti/meetings/omr \
		--exclude "tests/"

pytest: install-dev
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

## make bench: every benchmark, one table under bench-results/ (JSON + Markdown). Province scale on PostgreSQL:
##   make bench BENCH_COUNTIES=100 BENCH_DATABASE=postgres://postgres@127.0.0.1:5432/postgres  (builds take long)
BENCH_COUNTIES ?= 3
bench: install-dev
	$(DIANTI) bench all --counties $(BENCH_COUNTIES) $(if $(BENCH_DATABASE),--database $(BENCH_DATABASE))

demo: install
	$(DIANTI) migrate --no-input
	$(DIANTI) demo

## make messages: refresh the English catalogue from the code (msgids are the Chinese strings) and compile it
messages: install-dev
	cd src/dianti && ../../$(DIANTI) makemessages -l en --no-obsolete --add-location file \
		-i tests -i testing -i conftest.py -i .venv -i var && ../../$(DIANTI) compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
