"""Bulk writes into the raw layer: one partition replaced in one transaction.

Loaders hand over Arrow tables; DuckDB scans them directly (no row-by-row inserts). A failure
anywhere rolls the transaction back, so readers keep the previous rows of that partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from orchestration.lib.raw_schema import RAW_SCHEMA, RAW_TABLES, create_raw_tables_sql


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(create_raw_tables_sql())


@dataclass(frozen=True)
class PartitionLoad:
    """The rows of one raw table for one partition (a legislature, a poll feed)."""

    table: str
    partition_column: str
    partition_value: object
    rows: pa.Table


def replace_partitions(con: duckdb.DuckDBPyConnection, loads: list[PartitionLoad]) -> dict[str, int]:
    """Replace every given partition in ONE transaction; returns rows written per table.

    Columns are matched by name, so an Arrow table may list them in any order; a column the raw
    table does not have is an error naming the table.
    """
    ensure_raw_schema(con)
    written: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for load in loads:
            _replace_partition(con, load)
            written[load.table] = written.get(load.table, 0) + load.rows.num_rows
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return written


def _replace_partition(con: duckdb.DuckDBPyConnection, load: PartitionLoad) -> None:
    if load.table not in RAW_TABLES:
        raise ValueError(f"unknown raw table {load.table!r}")
    target = f"{RAW_SCHEMA}.{quote_identifier(load.table)}"
    con.execute(
        f"DELETE FROM {target} WHERE {quote_identifier(load.partition_column)} = ?",
        [load.partition_value],
    )
    if load.rows.num_rows == 0:
        return
    columns = ", ".join(quote_identifier(name) for name in load.rows.column_names)
    con.register("_incoming_rows", load.rows)
    try:
        con.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM _incoming_rows")
    except duckdb.Error as exc:
        raise ValueError(f"cannot load rows into {target}: {exc}") from exc
    finally:
        con.unregister("_incoming_rows")


def record_source_version(
    con: duckdb.DuckDBPyConnection,
    source_key: str,
    *,
    url: str,
    sha256: str,
    size_bytes: int,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """Remember which version of a source the raw layer now holds (after its load committed)."""
    ensure_raw_schema(con)
    con.execute(
        f"INSERT OR REPLACE INTO {RAW_SCHEMA}.source_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [source_key, url, etag, last_modified, sha256, size_bytes, datetime.now(timezone.utc)],
    )


def loaded_sha256(con: duckdb.DuckDBPyConnection, source_key: str) -> str | None:
    """The content hash of the source version the raw layer holds, if any."""
    ensure_raw_schema(con)
    row = con.execute(
        f"SELECT sha256 FROM {RAW_SCHEMA}.source_versions WHERE source_key = ?", [source_key]
    ).fetchone()
    return row[0] if row else None

