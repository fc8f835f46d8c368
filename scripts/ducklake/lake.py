"""Publishing the marts into a DuckLake catalog, and reading them back: the multi-machine path.

DuckLake keeps a lakehouse's catalog (tables, snapshots, file lists, statistics) in an ordinary
database, here PostgreSQL, and the data as Parquet files under a data path (a folder here, object
storage in production). Any DuckDB client that reaches both reads the warehouse, from as many
machines as needed, and several writers can commit, each commit a snapshot.

This script runs under DuckDB 1.5 in its own environment (scripts/ducklake/requirements.txt): the
extension is not published for DuckDB 2.0, and it reads the publication's Parquet export (which
every DuckDB version reads), never the 2.0 database file. It imports nothing from the project.

    python lake.py publish --catalog "host=... dbname=lake" --data-path DIR --parquet warehouse/parquet
    python lake.py read --catalog "host=... dbname=lake" [--snapshot N]

Both print one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

import duckdb

SCHEMA = "marts"
# Extensions loaded from their PyPI packages: the extension server is not reachable offline.
EXTENSION_PACKAGES = {"ducklake": "duckdb_extension_ducklake", "postgres_scanner": "duckdb_extension_postgres_scanner"}
# The estimators' fit caches hold one row per legislature whose lists have ~10^5 elements; DuckLake
# 1.5.5 writes such a list in minutes (a 3,167-element list takes 8 s, and the time grows faster than
# the length). Their content is published flattened in the ideal-point and poll-model marts.
LEFT_OUT = {
    "fct_ideal_point_fits": "one row per legislature with ~10^5-element lists; flattened in mart_deputy_ideal_points*",
    "fct_poll_model_fits": "the poll model's fit cache; flattened in mart_poll_model_*",
}


def connect(catalog: str, data_path: str | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the DuckLake catalog attached as `lake`."""
    con = duckdb.connect()
    for extension, package in EXTENSION_PACKAGES.items():
        folder = Path(importlib.import_module(package).__file__).parent
        con.execute(f"LOAD '{next(folder.glob(f'extensions/*/{extension}.duckdb_extension'))}'")
    options = [f"DATA_PATH '{data_path}'"] if data_path else []
    if read_only:
        options.append("READ_ONLY")
    suffix = f" ({', '.join(options)})" if options else ""
    con.execute(f"ATTACH 'ducklake:postgres:{catalog}' AS lake{suffix}")
    return con


def publish(catalog: str, data_path: str, parquet_dir: Path) -> dict[str, object]:
    """Every mart's Parquet file as a table of `lake.marts`, all in one commit: a reader sees the
    previous snapshot or this one, never a mix, as with the atomic rename of the DuckDB file."""
    started = time.perf_counter()
    files = {path.stem: path for path in sorted(parquet_dir.glob("*.parquet")) if path.stem not in LEFT_OUT}
    if not files:
        raise SystemExit(f"no Parquet marts in {parquet_dir}: run the publication first")
    con = connect(catalog, data_path, read_only=False)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS lake.{SCHEMA}")
    con.execute("BEGIN")
    for name, path in files.items():
        con.execute(f"CREATE OR REPLACE TABLE lake.{SCHEMA}.{name} AS SELECT * FROM read_parquet('{path}')")
        print(f"  {name}", file=sys.stderr, flush=True)
    con.execute("COMMIT")
    snapshot = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    return {
        "snapshot_id": snapshot,
        "tables": sorted(files),
        "left_out": LEFT_OUT,
        "seconds": round(time.perf_counter() - started, 3),
    }


def read(catalog: str, snapshot: int | None) -> dict[str, object]:
    """Row counts of every table in `lake.marts`, at the newest snapshot or at `snapshot`."""
    started = time.perf_counter()
    con = connect(catalog, None, read_only=True)
    newest = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    at = f" AT (VERSION => {snapshot})" if snapshot is not None else ""
    tables = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = ? ORDER BY 1",
            [SCHEMA],
        ).fetchall()
    ]
    counts = {name: con.execute(f"SELECT count(*) FROM lake.{SCHEMA}.{name}{at}").fetchone()[0] for name in tables}
    return {
        "newest_snapshot_id": newest,
        "row_counts": counts,
        "duckdb_version": duckdb.__version__,
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    publishing = commands.add_parser("publish")
    publishing.add_argument("--catalog", required=True, help="libpq connection string of the catalog database")
    publishing.add_argument("--data-path", required=True, help="where the Parquet data files go")
    publishing.add_argument("--parquet", required=True, type=Path, help="the publication's Parquet export")
    reading = commands.add_parser("read")
    reading.add_argument("--catalog", required=True)
    reading.add_argument("--snapshot", type=int, help="read this snapshot instead of the newest")
    args = parser.parse_args(argv)
    if args.command == "publish":
        result = publish(args.catalog, args.data_path, args.parquet)
    else:
        result = read(args.catalog, args.snapshot)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
