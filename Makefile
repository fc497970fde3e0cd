# Every target bootstraps .venv when it is missing, so a fresh clone needs
# only `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench install clean

$(BIN)/frtrack: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/frtrack

install: $(BIN)/frtrack

demo: $(BIN)/frtrack
	$(BIN)/frtrack demo --out demo-out

# The quality gates: lint and types first (seconds), then the tests.
test: lint
	$(BIN)/python -m pytest -q

lint: $(BIN)/frtrack
	$(BIN)/ruff check
	$(BIN)/mypy

bench: $(BIN)/frtrack
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) demo-out *.egg-info .mypy_cache .ruff_cache
