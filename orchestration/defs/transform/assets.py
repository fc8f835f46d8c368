"""Every dbt model and seed as a Dagster asset, built by one `dbt build`; dbt tests are asset checks.

dbt writes the same build database as the Python loaders: the `dbt` resource hands dbt the path
of the settings' build database (transform/resources.py), and the `duckdb` resource holds the
run's writer lock. Events stream back as they happen, so each model is
materialized, and each test evaluated, the moment dbt finishes it.

The build does only what readers do not see yet (lib/build_inputs.py): when the raw layer and
the dbt project are those of the current publication, it is skipped (nothing is materialized, so
Dagster skips the publication and the dashboard too); when only some raw tables changed, it
builds and tests what is downstream of them, and the catalogue of marts the publication waits
for (lib/dbt_scope.py); otherwise (a changed project, nothing published yet), everything, the
incremental facts rebuilt in full since they cannot see a change of SQL or seeds.
"""

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import dagster as dg
import orjson
from dagster_dbt import dbt_assets
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, WarehouseSettings, WarehouseWriter
from orchestration.defs.transform.project import dbt_project, require_manifest
from orchestration.defs.transform.resources import WarehouseDbtCli
from orchestration.defs.transform.translator import WarehouseDbtTranslator
from orchestration.lib.build_inputs import BuildInputs, BuildScope, build_scope, current_inputs
from orchestration.lib.config import Settings
from orchestration.lib.dbt_scope import changed_sources, exclusion_selectors, models_fed_by, nodes_to_build

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


def scoped_build_args(
    manifest: dict[str, Any], changed_tables: frozenset[str], log: Callable[[str], None]
) -> list[str] | None:
    """`dbt build` arguments that leave out every node no changed raw table feeds; None when no
    dbt source reads any of them (nothing readers see would change).

    The set is computed here, from the manifest, so dbt's indirect test selection must neither
    widen nor narrow it: a test between a rebuilt model and an unchanged one runs."""
    if not changed_sources(manifest, changed_tables):
        return None
    keep = nodes_to_build(manifest, changed_tables, always=[PUBLICATION_GATE_MODEL])
    excluded = exclusion_selectors(manifest, keep)
    log(f"dbt builds the {len(keep)} nodes downstream of them and leaves {len(excluded)} unchanged")
    return ["--indirect-selection", "empty", "--exclude", " ".join(excluded)]


def require_subset_covers(
    manifest: dict[str, Any], scope: BuildScope, dbt_assets: Iterable[dg.AssetKey], selected: Iterable[dg.AssetKey]
) -> None:
    """Refuse a partial run that would publish marts older than the raw tables they read.

    Everything that changed since the publication must be rebuilt (and tested) before the next
    one: after a failed refresh, a sensor run for a poll feed must not publish the votes' marts
    as that failure left them; after a change of the dbt project, only a whole build may publish."""
    if scope.changed_tables is None:
        _refuse_partial_run(f"{scope.reason}; only a whole build may publish it")
    tables = {key.path[-1] for key in dbt_assets}  # ephemeral models are no asset: nothing to go stale
    missing = sorted(models_fed_by(manifest, scope.changed_tables) & tables - {key.path[-1] for key in selected})
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        _refuse_partial_run(f"{scope.reason}; this run does not build {shown}")


def _refuse_partial_run(why: str) -> NoReturn:
    raise dg.Failure(
        description=f"{why}. Run the whole refresh (job refresh_warehouse, `make run`) so that the "
        "publication stays consistent."
    )


@dbt_assets(
    manifest=require_manifest(dbt_project.manifest_path),
    project=dbt_project,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    pool=WAREHOUSE_WRITER_POOL,
)
def warehouse_dbt_models(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: WarehouseDbtCli,
    duckdb: WarehouseWriter,
    settings: WarehouseSettings,
) -> Iterator[Any]:
    """`dbt build` of the selected models, seeds and tests, unless readers already see its result.

    `duckdb` is requested for its set-up (it takes the writer lock, since dbt writes the warehouse
    like any loader does) and to fingerprint the raw tables it reads.
    """
    run_settings = settings.resolve()
    args = (
        ["build", "--full-refresh"] if config.full_refresh else _incremental_build_args(context, duckdb, run_settings)
    )
    if args is None:
        context.log.info("dbt build skipped: readers already see these inputs")
        return
    context.log.info(f"dbt {' '.join(args[:3])}{' ...' if len(args) > 3 else ''} into {run_settings.build_path}")
    yield from dbt.cli(args, context=context, target_path=LAST_RUN_TARGET).stream()


def _incremental_build_args(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: Settings
) -> list[str] | None:
    """The `dbt build` that brings the publication up to date with the current inputs, or None."""
    scope = build_scope(settings, build_inputs(duckdb))
    context.log.info(scope.reason)
    if scope.changed_tables == frozenset():
        return None
    manifest = orjson.loads(dbt_project.manifest_path.read_bytes())
    if context.is_subset:
        # A run of part of the graph (the change sensor's, one asset from the UI): dagster-dbt
        # selects its models, and tests through dbt's indirect selection; that part is the scope.
        all_keys = context.assets_def.node_keys_by_output_name.values()
        require_subset_covers(manifest, scope, all_keys, context.selected_asset_keys)
        return ["build"]
    if scope.changed_tables is None:
        # A changed project (or nothing published to compare with): the incremental facts cannot
        # see a change of SQL or seeds, so they are rebuilt too, with no manual step after a deployment.
        return ["build", "--full-refresh"]
    scoped = scoped_build_args(manifest, scope.changed_tables, context.log.info)
    return None if scoped is None else ["build", *scoped]
