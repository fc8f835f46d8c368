"""Every dbt model and seed as a Dagster asset, built by one `dbt build`; dbt tests are asset checks.

dbt writes the same build database as the Python loaders: the `duckdb` resource exports its path
as NUPES_BUILD_DATABASE (the variable dbt's profiles.yml reads) and holds the run's writer lock, and
the dbt subprocess inherits the environment. Events stream back as they happen, so each model is
materialized, and each test evaluated, the moment dbt finishes it.

The build does only what readers do not see yet (lib/build_inputs.py): when the raw layer and
the dbt project are those of the current publication, it is skipped (nothing is materialized, so
Dagster skips the publication and the dashboard too); when only some raw tables changed, it
builds and tests what is downstream of them, and the catalogue of marts the publication waits
for (lib/dbt_scope.py); otherwise, everything.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import orjson
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, export_build_database
from orchestration.defs.transform.project import dbt_project, require_manifest
from orchestration.defs.transform.translator import WarehouseDbtTranslator
from orchestration.lib.build_inputs import BuildInputs, build_scope, current_inputs
from orchestration.lib.config import load_settings
from orchestration.lib.dbt_scope import changed_sources, exclusion_selectors, nodes_to_build

# dagster-dbt would give every run a target folder of its own and keep them all; runs are
# serialized, so one folder holding the last run's run_results.json (and partial parse) is enough.
LAST_RUN_TARGET = Path(dbt_project.project_dir) / "target" / "last_run"
# Built by every build that builds anything: the publication depends on it (mart_catalogue.sql).
PUBLICATION_GATE_MODEL = "mart_catalogue"


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt build."""

    # The largest fact tables are incremental: they rebuild only the scrutins whose source file
    # changed. A change of a seed or of a model's SQL is invisible to that comparison: set this
    # after one to rebuild every incremental model from scratch (`dbt build --full-refresh`).
    full_refresh: bool = False


def build_inputs(duckdb: DuckDBResource) -> BuildInputs:
    """The fingerprints of what a dbt build reads now: the raw tables and the project."""
    with duckdb.get_connection() as con:
        return current_inputs(con, Path(dbt_project.project_dir))


def scoped_build_args(changed_tables: frozenset[str], log: Callable[[str], None]) -> list[str] | None:
    """`dbt build` arguments that leave out every node no changed raw table feeds; None when no
    dbt source reads any of them (nothing readers see would change).

    The set is computed here, from the manifest, so dbt's indirect test selection must neither
    widen nor narrow it: a test between a rebuilt model and an unchanged one runs."""
    manifest = orjson.loads(dbt_project.manifest_path.read_bytes())
    if not changed_sources(manifest, changed_tables):
        return None
    keep = nodes_to_build(manifest, changed_tables, always=[PUBLICATION_GATE_MODEL])
    excluded = exclusion_selectors(manifest, keep)
    log(f"dbt builds the {len(keep)} nodes downstream of them and leaves {len(excluded)} unchanged")
    return ["--indirect-selection", "empty", "--exclude", " ".join(excluded)]


@dbt_assets(
    manifest=require_manifest(dbt_project.manifest_path),
    project=dbt_project,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    pool=WAREHOUSE_WRITER_POOL,
)
def warehouse_dbt_models(
    context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtCliResource, duckdb: DuckDBResource
) -> Iterator[Any]:
    """`dbt build` of the selected models, seeds and tests, unless readers already see its result.

    `duckdb` is requested for its set-up (it takes the writer lock, since dbt writes the warehouse
    like any loader does) and to fingerprint the raw tables it reads.
    """
    args = ["build", "--full-refresh"] if config.full_refresh else _incremental_build_args(context, duckdb)
    if args is None:
        context.log.info("dbt build skipped: readers already see these inputs")
        return
    context.log.info(f"dbt {' '.join(args[:3])}{' ...' if len(args) > 3 else ''} into {export_build_database()}")
    yield from dbt.cli(args, context=context, target_path=LAST_RUN_TARGET).stream()


def _incremental_build_args(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> list[str] | None:
    """The `dbt build` that brings the publication up to date with the current inputs, or None."""
    scope = build_scope(load_settings(), build_inputs(duckdb))
    context.log.info(scope.reason)
    if scope.changed_tables is None:
        return ["build"]
    if not scope.changed_tables:
        return None
    scoped = scoped_build_args(scope.changed_tables, context.log.info)
    return None if scoped is None else ["build", *scoped]
