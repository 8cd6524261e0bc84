# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run run-scaled test test-sqlite test-postgres lint bench install clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m yearend.run

# The scale-out stack on local PostgreSQL and Redis: gunicorn, WORKERS RQ workers, a scheduler.
run-scaled: $(STAMP)
	$(PY) -m yearend.run_scaled

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m yearend.testing.postgres_run $(PYTEST_ARGS)

test-sqlite: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	$(PY) -m yearend.testing.postgres_run $(PYTEST_ARGS)

# ruff, then the layers of DESIGN.md §4 as import-linter contracts (pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-*
