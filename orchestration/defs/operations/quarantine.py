"""`raw/quarantine`: what every loader of the run left out, as one asset the marts can depend on.

Each loader writes its own source's rows of `raw.quarantine` in the transaction of its load. This
asset runs after all of them and reports the table as a whole, so that dbt's source `pipeline.
quarantine` (read by mart_source_anomalies) hangs under a materialized asset like every other source.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.assemblee.assets import assemblee_people, assemblee_votes
from orchestration.defs.assemblee.dossiers import assemblee_dossiers
from orchestration.defs.assemblee.dumps import raw_key
from orchestration.defs.polls.assets import poll_feed_assets
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.lib.warehouse import ensure_raw_schema

RAW_QUARANTINE = raw_key("quarantine")
LOADERS = (assemblee_votes, assemblee_people, assemblee_dossiers, *poll_feed_assets)


@dg.asset(
    key=RAW_QUARANTINE,
    deps=[key for loader in LOADERS for key in loader.keys],
    group_name="operations",
    kinds={"duckdb"},
    pool=WAREHOUSE_WRITER_POOL,
    description="raw.quarantine: every archive member and poll row a load left out, with its error.",
)
def raw_quarantine(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        ensure_raw_schema(con)
        by_source = con.execute(
            "SELECT source, count(*) FROM raw.quarantine GROUP BY source ORDER BY source"
        ).fetchall()
    return dg.MaterializeResult(
        metadata={"rows": sum(count for _, count in by_source), "rows_by_source": dict(by_source) or "none"}
    )
