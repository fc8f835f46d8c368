"""Publication: the build database becomes what readers see, only once everything passed.

`published_warehouse` depends on the dbt model that lists every mart (`marts.mart_catalogue`),
which each build that builds anything builds: Dagster runs it only when that `dbt build` (models
and their tests) and every blocking check upstream succeeded; a failure anywhere before it skips
it and the previous publication stays (lib/publish.py). It records the inputs it published, so
the next refresh rebuilds only what changed since (lib/build_inputs.py).
"""

import dagster as dg

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, WarehouseSettings, WarehouseWriter
from orchestration.defs.transform.assets import PUBLICATION_GATE_MODEL, build_inputs
from orchestration.lib.build_inputs import record_published_inputs
from orchestration.lib.publish import PublicationError, project_git_revision, publish

PUBLISHED_WAREHOUSE = dg.AssetKey("published_warehouse")


@dg.asset(
    key=PUBLISHED_WAREHOUSE,
    deps=[dg.AssetKey(["marts", PUBLICATION_GATE_MODEL])],
    group_name="operations",
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_WRITER_POOL,
    description=(
        "warehouse/nupes.duckdb and warehouse/parquet/: the build database published by an atomic "
        "rename after every dbt test and blocking check passed; one row per publication in marts.publication."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, duckdb: WarehouseWriter, settings: WarehouseSettings
) -> dg.MaterializeResult:
    """`duckdb` is requested for its run-wide writer lock (no refresh may write while we copy), and
    to fingerprint the raw sources the published build was made from."""
    run_settings = settings.resolve()
    inputs = build_inputs(duckdb)
    try:
        publication = publish(run_settings, git_revision=project_git_revision())
    except PublicationError as exc:
        raise dg.Failure(description=str(exc)) from exc
    record_published_inputs(run_settings, inputs, publication.publication_id)
    context.log.info(
        f"Published {publication.publication_id} to {publication.database} "
        f"({len(publication.mart_row_counts)} marts, Parquet in {run_settings.parquet_dir})"
    )
    return dg.MaterializeResult(
        metadata={
            "publication_id": publication.publication_id,
            "path": dg.MetadataValue.path(str(publication.database)),
            "parquet": dg.MetadataValue.path(str(run_settings.parquet_dir)),
            "mart_row_counts": dg.MetadataValue.json(publication.mart_row_counts),
        }
    )
