"""The marts published into a DuckLake catalog on PostgreSQL, and read back by another process.

This is the multi-machine path of docs/scaling.md: the catalog in a real PostgreSQL server (a
throwaway cluster on 127.0.0.1), the data as Parquet files, DuckDB 1.5 with the DuckLake extension in
a side environment (the extension does not exist for DuckDB 2.0). Every table the lake holds must
have the row count the published DuckDB file has, counted here with the project's own DuckDB; a
second publication is a new snapshot, and the first stays readable by time travel.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.config import Settings
from scripts.ducklake.lake import LEFT_OUT, SCHEMA
from support.postgres import ThrowawayPostgres
from support.venvs import side_venv

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LAKE_SCRIPT = PROJECT_ROOT / "scripts" / "ducklake" / "lake.py"
REQUIREMENTS = PROJECT_ROOT / "scripts" / "ducklake" / "requirements.txt"
CATALOG_DATABASE = "lake"


@pytest.fixture(scope="module")
def lake_python() -> Path:
    return side_venv("ducklake", REQUIREMENTS)


@pytest.fixture(scope="module")
def catalog() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        server.create_database(CATALOG_DATABASE)
        yield server


def lake(python: Path, *args: str) -> dict[str, object]:
    """Run lake.py in its own DuckDB 1.5 process and return the JSON it printed."""
    completed = subprocess.run(
        [str(python), str(LAKE_SCRIPT), *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, f"lake.py {args[0]} failed:\n{completed.stderr[-3000:]}"
    return json.loads(completed.stdout)


def published_row_counts(database: Path) -> dict[str, int]:
    """Row counts of every table of the published warehouse's marts schema, with DuckDB 2.0."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'",
                [SCHEMA],
            ).fetchall()
        ]
        return {name: con.execute(f'select count(*) from {SCHEMA}."{name}"').fetchone()[0] for name in tables}


def test_a_second_process_reads_every_mart_of_the_lake_publication(
    built_warehouse: Path, built_settings: Settings, lake_python: Path, catalog: ThrowawayPostgres, tmp_path: Path
) -> None:
    dsn = catalog.libpq_dsn(CATALOG_DATABASE)
    publish_args = ("publish", "--catalog", dsn, "--data-path", str(tmp_path / "lake-data"))
    first = lake(lake_python, *publish_args, "--parquet", str(built_settings.parquet_dir))

    read_back = lake(lake_python, "read", "--catalog", dsn)
    expected = published_row_counts(built_warehouse)
    exported = {path.stem for path in built_settings.parquet_dir.glob("*.parquet")}
    assert set(read_back["row_counts"]) == exported - set(LEFT_OUT)
    assert read_back["row_counts"] == {name: expected[name] for name in read_back["row_counts"]}
    assert read_back["row_counts"]["fct_deputy_votes"] > 0
    assert read_back["duckdb_version"].startswith("1.5")

    # The catalog lives in PostgreSQL: its table list names every mart of the snapshot.
    live_tables = catalog.psql(CATALOG_DATABASE, "select table_name from ducklake_table where end_snapshot is null")
    assert set(live_tables.split()) == set(read_back["row_counts"])

    second = lake(lake_python, *publish_args, "--parquet", str(built_settings.parquet_dir))
    assert second["snapshot_id"] > first["snapshot_id"]
    assert lake(lake_python, "read", "--catalog", dsn)["newest_snapshot_id"] == second["snapshot_id"]
    at_first = lake(lake_python, "read", "--catalog", dsn, "--snapshot", str(first["snapshot_id"]))
    assert at_first["row_counts"] == read_back["row_counts"]
