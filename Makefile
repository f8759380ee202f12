PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench load clean

$(BIN)/uvicorn: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(BIN)/uvicorn
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/uvicorn
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest
	node --test tests/js/

bench: $(VENV)/.test-deps
	$(BIN)/python -m bench

# 200 simulated students for 60 s against a fresh loopback server; fails on any error (docs/limits.md)
load: $(VENV)/.test-deps
	$(BIN)/python bench/load.py --students 200 --duration 60 --json test-artifacts/load.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
