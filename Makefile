# jlt-family: `make run` serves the API on the embedded defaults; `make test` lints and runs the whole test suite.
# Both create the virtual environment (.venv) and install requirements.txt first, when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Touched after a successful install: requirements are installed again only when requirements.txt changes.
INSTALLED := $(VENV)/.requirements-installed

.DEFAULT_GOAL := help
.PHONY: help venv run test lint reset-db bench-deps bench-reads bench-contention bench-reminders bench-scale

help:
	@echo "make run       serve the API on http://$${HOST:-127.0.0.1}:$${PORT:-5000} (SQLite under instance/, demo data)"
	@echo "make test      ruff check + ruff format --check + mypy + pytest (SQLite; set TEST_DATABASE_URL for MariaDB/MySQL)"
	@echo "make lint      ruff check + ruff format --check + mypy"
	@echo "make reset-db  delete the development database (instance/jlt_family.db); the next run seeds it again"
	@echo "make bench-reads | bench-contention | bench-reminders | bench-scale   benchmarks on MariaDB (bench/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

venv: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/python app.py

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

reset-db:
	rm -f instance/jlt_family.db instance/jlt_family.db-wal instance/jlt_family.db-shm

# Benchmarks against gunicorn + MariaDB on 127.0.0.1 (see bench/ and bench/RESULTS.md); wrk: apt-get install wrk
BENCH_INSTALLED := $(VENV)/.bench-requirements-installed

$(BENCH_INSTALLED): bench/requirements.txt $(INSTALLED)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r bench/requirements.txt
	@touch $@

bench-deps: $(BENCH_INSTALLED)

bench-reads: $(BENCH_INSTALLED)
	$(BIN)/python -m bench.reads

bench-contention: $(BENCH_INSTALLED)
	$(BIN)/python -m bench.contention

bench-reminders: $(BENCH_INSTALLED)
	$(BIN)/python -m bench.reminders

bench-scale: $(BENCH_INSTALLED)
	$(BIN)/python -m bench.scale
