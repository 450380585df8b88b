# Quick start: `make run` serves the seeded demo directory, `make test` runs the test suite.
PYTHON ?= python3
# `make test PYTHON=python3.13 VENV=.venv-3.13` runs the suite on another Python.
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
SHOPS ?= 100000
DURATION ?= 60
FAULT_DURATION ?= 30
LOAD_VENV := .venv-load
export FLASK_APP := app

.PHONY: run serve test lint format bench load faults quality seed clean messages translations

$(BIN)/activate: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(BIN)/activate

run: $(BIN)/activate
	$(BIN)/flask seed --if-empty
	@$(BIN)/flask search-check > /dev/null 2>&1 || $(BIN)/flask reindex
	$(BIN)/flask run --port $(PORT)

# Production: gunicorn (gunicorn.conf.py) with WEB_CONCURRENCY workers (default 2 x cores + 1)
# on PORT, production settings unless FLASK_ENV says otherwise; run the migrations and the
# search indexer separately (README, "Production").
serve: $(BIN)/activate
	FLASK_ENV=$${FLASK_ENV:-production} PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

seed: $(BIN)/activate
	$(BIN)/flask seed

test: $(BIN)/activate
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict search_index
	$(BIN)/mypy --check-untyped-defs --follow-imports=silent $(wildcard directory/*/services.py) \
		directory/accounts/lifecycle.py directory/moderation/actions.py directory/moderation/flags.py \
		directory/moderation/queue.py directory/moderation/trust.py directory/shops/duplicates.py \
		directory/merchants/claims.py directory/merchants/editing.py

format: $(BIN)/activate
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/activate
	$(BIN)/python bench/search_benchmark.py --shops $(SHOPS) --with-delivery

$(LOAD_VENV)/bin/activate: requirements-load.txt
	test -d $(LOAD_VENV) || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet -r requirements-load.txt
	touch $(LOAD_VENV)/bin/activate

# The production stack (gunicorn, PostgreSQL, Redis, the indexer) under a mixed Locust load for
# DURATION seconds on loopback (bench/load/run.py); the last line is the JSON summary.
load: $(BIN)/activate $(LOAD_VENV)/bin/activate
	$(BIN)/python -m bench.load.run --duration $(DURATION) $(LOAD_ARGS)

# Every fault of bench/load/faults.py under that load, FAULT_DURATION seconds each (root: two
# of them mount file systems); one JSON line per fault, then the summary.
faults: $(BIN)/activate $(LOAD_VENV)/bin/activate
	$(BIN)/python -m bench.load.faults --duration $(FAULT_DURATION) $(LOAD_ARGS)

# Search quality: recall@10 and MRR of bench/quality/queries.csv over the seeded demo; fails
# below the thresholds of bench/search_quality.py (`--verbose` shows every query that missed).
quality: $(BIN)/activate
	$(BIN)/python bench/search_quality.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# Interface strings: `messages` extracts the French source strings; `translations` also
# updates the Dutch, English and French catalogues and compiles them (the .mo files are
# committed: the app loads them at run time). French is an identity catalogue for its plurals.
messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot .

translations: messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations
	$(BIN)/python translations/fill_french.py
	$(BIN)/pybabel compile --statistics -d translations
