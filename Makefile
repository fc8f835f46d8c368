# nupes-warehouse: every target creates the virtual environment first if it is missing.
# `make run` builds the whole warehouse; `make test` runs the test suite.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed

export NUPES_WAREHOUSE ?= $(CURDIR)/warehouse/nupes.duckdb
export DAGSTER_HOME ?= $(CURDIR)/.dagster
DBT := cd dbt_project && ../$(BIN)/dbt

.PHONY: install manifest run rebuild dev serve rollback test test-fast lint bench clean

install: $(STAMP)

# Reinstall whenever the lock or the project metadata changes. uv, unlike pip, does not compile the
# packages to bytecode by default: without it (and with PYTHONDONTWRITEBYTECODE set, never cached),
# every Dagster run and every dbt process compiles ~2,600 modules again, ~1.5 s each.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# dagster-dbt loads the manifest at import time: pytest, CI and `make run` need it prepared first.
# It is parsed again only when a file dbt reads changed (the folders count too: a file added or
# removed changes its folder's time), which saves `make run` the ~2 s of `dbt parse`.
MANIFEST := dbt_project/target/manifest.json
DBT_INPUTS := dbt_project/dbt_project.yml dbt_project/profiles.yml \
	$(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests 2>/dev/null)

manifest: $(MANIFEST)
	@mkdir -p $(DAGSTER_HOME)

$(MANIFEST): $(STAMP) $(DBT_INPUTS)
	$(DBT) parse --quiet
	touch $@

# Materialize every asset (downloads, raw loads, dbt build with its tests as asset checks).
run: manifest
	$(BIN)/python -m orchestration.run

# After a parser, seed or model change: reparse every dump, rebuild incremental models in full.
rebuild: manifest
	$(BIN)/python -m orchestration.run --full-rebuild

# dg's dbt preparation calls `dbt` by name: the venv's bin goes first on PATH.
dev: manifest
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dg dev

# Production: the Dagster webserver and daemon on PostgreSQL storage (deploy/dagster.yaml), in the
# home $NUPES_DAGSTER_HOME, never the development one above. Needs NUPES_DAGSTER_POSTGRES_URL.
serve: manifest
	$(BIN)/python -m orchestration.serve

# Restore the publication before the current one (warehouse/nupes.duckdb and warehouse/parquet).
rollback: install
	$(BIN)/python -m orchestration.lib.publish rollback

test: manifest
	$(BIN)/python -m pytest

# Unit tests only (no pipeline run).
test-fast: manifest
	$(BIN)/python -m pytest -m "not integration and not faults"

# The conventions that enforce themselves: ruff (lint and format) on Python, sqlfluff with dbt's
# templater on the models (compiled against an in-memory DuckDB, never the warehouse), and
# Dagster's own validation of the definitions. `ruff format .` fixes what the format check finds.
lint: manifest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && NUPES_BUILD_DATABASE=:memory: ../$(BIN)/sqlfluff lint models macros tests --processes 2
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dg check defs

# Performance figures against their targets (README, Performance), never part of `make test`: prints a table, writes warehouse/bench/bench-<time>.json.
bench: manifest
	$(BIN)/python -m scripts.bench $(BENCH_ARGS)

clean:
	rm -rf warehouse/*.duckdb* warehouse/downloads dbt_project/target

# Analysts (docs/analysts.md): dbt's documentation site, a read-only SQL shell, the dashboard.
DOCS_PORT ?= 8080
.PHONY: docs docs-serve sql site bi

# dbt docs generated offline from the published warehouse into warehouse/docs/.
docs: install
	$(BIN)/python scripts/dbt_docs.py

# Serve warehouse/docs (beside NUPES_WAREHOUSE) on http://127.0.0.1:$(DOCS_PORT)/; static_index.html also opens from disk.
docs-serve:
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory $(dir $(NUPES_WAREHOUSE))docs

# Read-only SQL on the published warehouse, safe during a refresh; pipe-friendly: `echo "SELECT 1" | make -s sql`.
sql: install
	@$(BIN)/python scripts/sql_shell.py

# Re-render the dashboard warehouse/site/index.html from the published warehouse.
site: install
	$(BIN)/python -m orchestration.lib.dashboard

# Superset on the published warehouse, in its own .venv-bi (bi/superset/requirements.lock), with the
# dashboard of bi/superset/dashboard/; metadata in warehouse/superset/, served on 127.0.0.1:$NUPES_BI_PORT (8088).
bi: install
	$(BIN)/python -m scripts.bi
