# Two commands: `make run` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Taskbot needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.test: pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.run

# Serves Slack when SLACK_BOT_TOKEN is set; without it, says so and opens the console instead.
run: $(VENV)/.run
	$(BIN)/taskbot run --or-console

test: $(VENV)/.test
	$(BIN)/ruff check bot handlers tests benchmarks
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache
