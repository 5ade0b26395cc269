# EdXelera backend. `make run` starts the server on embedded defaults; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The server defaults to production (and refuses unsafe settings); these targets are for a
# developer's machine, so they say development unless APP_ENV is set.
APP_ENV ?= development
DEV := APP_ENV=$(APP_ENV)
# tests/clients runs real GraphQL clients (Node); without npm they skip, and `make test` still runs.
NPM := $(shell command -v npm 2>/dev/null)
CLIENTS_STAMP := clients/node_modules/.package-lock.json

.PHONY: install clients run test lint format migrate schema schema-check seed-demo clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

clients: $(if $(NPM),$(CLIENTS_STAMP))  ## the Node packages of tests/clients, when npm exists

$(CLIENTS_STAMP): clients/package-lock.json
	npm ci --prefix clients --no-audit --no-fund

run: install  ## serve on http://127.0.0.1:8000/graphql (migrates and loads demo data on first start)
	$(DEV) $(BIN)/python -m edxelera_gql serve --host $(HOST) --port $(PORT)

test: install clients  ## MariaDB + Redis when TEST_DATABASE_URL / REDIS_URL are set, else SQLite + in-process
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install  ## ruff, the import layering contracts (pyproject.toml) and mypy on the package
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(DEV) $(BIN)/python -m edxelera_gql migrate

schema: install  ## rewrite schema.graphql from the code
	$(BIN)/python -m edxelera_gql export-schema

schema-check: install
	$(BIN)/python -m edxelera_gql export-schema --check

seed-demo: install
	$(DEV) $(BIN)/python -m edxelera_gql seed-demo

clean:
	rm -rf $(VENV) clients/node_modules var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
