"""Every dbt model and seed as a Dagster asset, built by one `dbt build`; dbt tests are asset checks.

dbt writes the same build database as the Python loaders: the `duckdb` resource exports its path
as NUPES_BUILD_DATABASE (the variable dbt's profiles.yml reads) and holds the run's writer lock, and
the dbt subprocess inherits the environment. Events stream back as they happen, so each model is
materialized, and each test evaluated, the moment dbt finishes it.

When the published warehouse was built from exactly the current raw sources and dbt project
(lib/build_inputs.py), the build is skipped: nothing is materialized, so Dagster skips the
publication and the dashboard too, and a refresh where no source changed costs seconds.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, export_build_database
from orchestration.defs.transform.project import dbt_project, require_manifest
from orchestration.defs.transform.translator import WarehouseDbtTranslator
from orchestration.lib.build_inputs import inputs_fingerprint, publication_with_same_inputs
from orchestration.lib.config import load_settings

# dagster-dbt would give every run a target folder of its own and keep them all; runs are
# serialized, so one folder holding the last run's run_results.json (and partial parse) is enough.
LAST_RUN_TARGET = Path(dbt_project.project_dir) / "target" / "last_run"


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt build."""

    # The largest fact tables are incremental: they rebuild only the scrutins whose source file
    # changed. A change of a seed or of a model's SQL is invisible to that comparison: set this
    # after one to rebuild every incremental model from scratch (`dbt build --full-refresh`).
    full_refresh: bool = False


def build_inputs_fingerprint(duckdb: DuckDBResource) -> str:
    """The fingerprint of what a dbt build reads now: the raw sources loaded and the project."""
    with duckdb.get_connection() as con:
        return inputs_fingerprint(con, Path(dbt_project.project_dir))


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
    like any loader does) and to read the raw sources' versions.
    """
    if not config.full_refresh:
        published = publication_with_same_inputs(load_settings(), build_inputs_fingerprint(duckdb))
        if published is not None:
            context.log.info(f"Raw sources and dbt project unchanged since publication {published}: dbt build skipped")
            return
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    context.log.info(f"dbt {' '.join(args)} into {export_build_database()}")
    yield from dbt.cli(args, context=context, target_path=LAST_RUN_TARGET).stream()
