# The two commands: `make run` (the app on its embedded default) and `make test` (the whole suite).
# Both create .venv and install what they need on first use; only Python 3.11+ and git are assumed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
PYTEST_ARGS ?=
export PYTHONUNBUFFERED := 1

.PHONY: run test lint bench lock clean help

help:
	@echo "make run    - start web, worker, beat and the Pipedrive sandbox on http://127.0.0.1:8000"
	@echo "make test   - run the whole test suite (PYTEST_ARGS=... to pass options)"
	@echo "make bench  - run the benchmarks (JSON lines on stdout; needs PostgreSQL, see bench/README.md)"
	@echo "make lint   - ruff"
	@echo "make lock   - re-pin constraints.txt from the current venv"

run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Staircase needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $@

lock: $(VENV)/.installed-test
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
