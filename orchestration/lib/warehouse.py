"""Bulk writes into the raw layer: partitions, or sets of keys, replaced in one transaction.

Loaders hand over Arrow tables typed from the raw DDL (`arrow_schema`); DuckDB scans them
directly (no row-by-row inserts). A failure anywhere rolls the transaction back, so readers keep
the previous rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from orchestration.lib.raw_schema import RAW_SCHEMA, RAW_TABLES, create_raw_tables_sql, raw_columns

SOURCE_VERSIONS = "source_versions"

# DuckDB column types of the raw DDL and the Arrow types the loaders hand over for them.
_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "SMALLINT": pa.int16(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a raw table, read from its DDL: same column order, types and nullability."""
    return pa.schema(
        pa.field(name, _ARROW_TYPES[sql_type], nullable=not ("NOT NULL" in constraints or "PRIMARY KEY" in constraints))
        for name, sql_type, constraints in raw_columns(table)
    )


def rows_to_table(table: str, rows: Iterable[tuple[Any, ...]]) -> pa.Table:
    """Row tuples (in DDL column order) to an Arrow table typed like the raw table."""
    schema = arrow_schema(table)
    columns = list(zip(*rows)) or [()] * len(schema)
    if len(columns) != len(schema):
        raise ValueError(f"raw table {table}: rows have {len(columns)} values, the table {len(schema)} columns")
    arrays = [pa.array(values, type=field.type) for values, field in zip(columns, schema)]
    return pa.Table.from_arrays(arrays, schema=schema)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, and bring any whose columns no longer follow the DDL up to it.

    The raw layer is a copy of the sources, so an outdated table
    (a parser that now writes a new column) is dropped and recreated empty, and every recorded
    source version is forgotten: the same run then reloads every source in full, with no
    manual step after a deployment that changed the raw layer.
    """
    outdated = _outdated_tables(con)
    for table in outdated:
        con.execute(f"DROP TABLE {RAW_SCHEMA}.{quote_identifier(table)}")
    if outdated and _table_exists(con, SOURCE_VERSIONS):
        con.execute(f"DELETE FROM {RAW_SCHEMA}.{SOURCE_VERSIONS}")
    con.execute(create_raw_tables_sql())


def _outdated_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Existing raw tables whose column names differ from their DDL's."""
    existing: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = ? ORDER BY table_name, ordinal_position",
        [RAW_SCHEMA],
    ).fetchall():
        existing.setdefault(table, []).append(column)
    return [
        table
        for table, columns in existing.items()
        if table in RAW_TABLES and columns != [name for name, _, _ in raw_columns(table)]
    ]


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [RAW_SCHEMA, table],
        ).fetchone()[0]
        > 0
    )


@dataclass(frozen=True)
class PartitionLoad:
    """The rows of one raw table for one partition (a legislature, a poll feed): the partition's
    rows are deleted, then `rows` inserted. Rows whose `kept_column` holds one of `kept_keys`
    stay (the last good rows of records that could not be loaded this time)."""

    table: str
    partition_column: str
    partition_value: object
    rows: pa.Table
    kept_column: str | None = None
    kept_keys: pa.Array | None = None

    def delete_replaced(self, con: duckdb.DuckDBPyConnection, target: str) -> None:
        delete = f"DELETE FROM {target} WHERE {quote_identifier(self.partition_column)} = ?"
        if self.kept_column is None or self.kept_keys is None or len(self.kept_keys) == 0:
            con.execute(delete, [self.partition_value])
            return
        with _registered(con, "_kept_keys", pa.table({"key": self.kept_keys})):
            con.execute(
                f"{delete} AND {quote_identifier(self.kept_column)} NOT IN (SELECT key FROM _kept_keys)",
                [self.partition_value],
            )


@dataclass(frozen=True)
class KeyedLoad:
    """The rows of one raw table for a set of keys (the scrutins an incremental load replaces or
    removes): the table's rows with any of `keys` are deleted, then `rows` inserted.

    The keys are handed to DuckDB as an Arrow column and joined, never written into the SQL.
    """

    table: str
    key_column: str
    keys: pa.Array
    rows: pa.Table

    def delete_replaced(self, con: duckdb.DuckDBPyConnection, target: str) -> None:
        if len(self.keys) == 0:
            return
        with _registered(con, "_replaced_keys", pa.table({"key": self.keys})):
            con.execute(
                f"DELETE FROM {target} WHERE {quote_identifier(self.key_column)} IN (SELECT key FROM _replaced_keys)"
            )


RowsLoad = PartitionLoad | KeyedLoad


def replace_rows(con: duckdb.DuckDBPyConnection, loads: Sequence[RowsLoad]) -> dict[str, int]:
    """Apply every load (a partition or a set of keys replaced) in ONE transaction; returns rows
    written per table. A failure anywhere rolls every load back: readers keep the previous rows.

    Columns are matched by name, so an Arrow table may list them in any order; a column the raw
    table does not have is an error naming the table.
    """
    ensure_raw_schema(con)
    written: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for load in loads:
            _replace(con, load)
            written[load.table] = written.get(load.table, 0) + load.rows.num_rows
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return written


def _replace(con: duckdb.DuckDBPyConnection, load: RowsLoad) -> None:
    if load.table not in RAW_TABLES:
        raise ValueError(f"unknown raw table {load.table!r}")
    target = f"{RAW_SCHEMA}.{quote_identifier(load.table)}"
    load.delete_replaced(con, target)
    if load.rows.num_rows == 0:
        return
    columns = ", ".join(quote_identifier(name) for name in load.rows.column_names)
    with _registered(con, "_incoming_rows", load.rows):
        try:
            con.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM _incoming_rows")
        except duckdb.Error as exc:
            raise ValueError(f"cannot load rows into {target}: {exc}") from exc


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """An Arrow table visible to SQL as `name` for the duration of the block (of a transaction).

    Not unregistered when the block raises: the transaction is aborted then, unregistering would
    fail and hide the error, and the rollback drops the registration anyway."""
    con.register(name, table)
    yield
    con.unregister(name)


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
        [source_key, url, etag, last_modified, sha256, size_bytes, datetime.now(UTC)],
    )


def loaded_sha256(con: duckdb.DuckDBPyConnection, source_key: str) -> str | None:
    """The content hash of the source version the raw layer holds, if any."""
    ensure_raw_schema(con)
    row = con.execute(f"SELECT sha256 FROM {RAW_SCHEMA}.source_versions WHERE source_key = ?", [source_key]).fetchone()
    return row[0] if row else None
