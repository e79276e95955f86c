# `make run` and `make test` install everything they need into .venv by themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)

.PHONY: install migrate seed run shape test lint bench clean lock

# Every package comes from the lock file, pinned with its hashes; the project itself is installed
# on top without resolving anything (make lock updates the pins after pyproject.toml changes).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python -m dashboard.migrate

seed: migrate
	$(BIN)/python -m seed --if-empty --demo-accounts

run: seed
	$(BIN)/streamlit run dashboard/server.py --server.port 8501

# The production shape on this machine: PostgreSQL (DATABASE_URL, or a throwaway cluster),
# PROCESSES app processes started as `make run` starts one, HAProxy in front on SHAPE_PORT.
PROCESSES ?= 2
SHAPE_PORT ?= 8080
shape: install
	$(BIN)/python -m deploy --processes $(PROCESSES) --port $(SHAPE_PORT)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

# The suite runs on TEST_WORKERS processes (pytest-xdist), one test file per process at a time,
# so a file's module fixtures (a served app, a seeded database) are built once.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -q -rs --durations=25 -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

# The newest releases pyproject.toml allows, pinned with hashes, for Python 3.11 on Linux.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --output-file $(LOCK) --quiet

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
