"""`raw/quarantine`: what every loader of the run left out, as one asset the marts can depend on.

Each loader writes its own source's rows of `raw.quarantine` in the transaction of its load. This
asset runs after all of them and reports the table as a whole, so that dbt's source `pipeline.
quarantine` (read by mart_source_anomalies) hangs under a materialized asset like every other source.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.defs.sources import raw_key
from orchestration.lib.sources import SOURCES
from orchestration.lib.warehouse import ensure_raw_schema

RAW_QUARANTINE = raw_key("quarantine")


@dg.asset(
    key=RAW_QUARANTINE,
    deps=[raw_key(table) for source in SOURCES for table in source.tables],
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
