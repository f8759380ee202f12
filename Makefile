PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench load clean lock image image-check

# the locks pin every dependency with its hashes; the project itself goes in last, without dependencies
$(BIN)/uvicorn: requirements/runtime.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-deps: requirements/test.txt $(BIN)/uvicorn
	$(BIN)/pip install -q --require-hashes -r requirements/test.txt
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

# re-resolve both locks from PyPI alone, keeping the pins that still fit (UPGRADE=1: the newest of everything)
lock:
	tools/lock.sh $(if $(UPGRADE),--upgrade)

# the container image, built and checked with podman (docs/deploy.md)
image:
	deploy/image.sh build

image-check: image
	deploy/image.sh check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
