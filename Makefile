# Two commands for a fresh clone with only Python 3.11 and make:
#   make dev   - the whole system (embedded PostgreSQL + Redis, migrated, demo data, API + worker)
#   make test  - install everything pinned, then run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test check lint typecheck sdk-check web-check install lock clean

$(STAMP): requirements.lock requirements-bootstrap.lock pyproject.toml sdk/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bootstrap.lock
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e . -e sdk/python
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/subnest dev

test: $(STAMP)
	$(BIN)/pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The committed SDKs match the procedures, and the TypeScript one compiles under --strict.
sdk-check: $(STAMP)
	$(BIN)/subnest sdk --check
	cd sdk/ts && npm ci --no-audit --no-fund --silent && npm run --silent check

# The dashboard: app/static/app.js (and app.css, uPlot's) is built from web/ (and sdk/ts) and
# committed; it must match.
web-check:
	cd web && npm ci --no-audit --no-fund --silent && npm run --silent check && npm run --silent build
	git diff --exit-code -- app/static/app.js app/static/app.css

check: lint typecheck sdk-check web-check

# Re-pin after editing pyproject.toml dependencies.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --all-extras --generate-hashes --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .subnest .mypy_cache .ruff_cache .pytest_cache
