"""A DuckDB 1.x client reads the published warehouse: most BI drivers, Node and WASM clients bundle 1.x.

The client lives in a pinned side environment of its own (support/venvs.py; the pipeline's is DuckDB
2.0), made once and reused; it reads every mart of the published file in a subprocess, every
column of it, and must find what the pipeline's DuckDB 2.0 finds.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.config import Settings
from support.venvs import side_venv

pytestmark = pytest.mark.integration

CLIENT_REQUIREMENTS = Path(__file__).with_name("duckdb1_client_requirements.txt")
MART_TABLES_SQL = (
    "select table_name from information_schema.tables"
    " where table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name"
)
# Rows, and the non-null values of every column: a client that cannot decode a column fails here,
# which count(*) alone would not reveal (it reads no column).
READ_EVERY_COLUMN_SQL = 'select count(*), count(columns(*)) from marts."{table}"'
# Run by the 1.x interpreter: argv[1] is the published file; prints {table: [rows, non-null counts...]}.
CLIENT_SCRIPT = f"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = [name for (name,) in con.execute({MART_TABLES_SQL!r}).fetchall()]
print(json.dumps({{
    "version": duckdb.__version__,
    "marts": {{table: list(con.execute({READ_EVERY_COLUMN_SQL!r}.format(table=table)).fetchone()) for table in tables}},
}}))
"""


@pytest.fixture(scope="session")
def duckdb1_python() -> Path:
    """The interpreter of the side environment with the DuckDB 1.4 client (`.venvs/duckdb1`)."""
    return side_venv("duckdb1", CLIENT_REQUIREMENTS)


def read_by_duckdb1(python: Path, database: Path) -> dict:
    completed = subprocess.run(
        [str(python), "-c", CLIENT_SCRIPT, str(database)], capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def read_by_duckdb2(database: Path) -> dict[str, list[int]]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [name for (name,) in con.execute(MART_TABLES_SQL).fetchall()]
        return {table: list(con.execute(READ_EVERY_COLUMN_SQL.format(table=table)).fetchone()) for table in tables}


def test_a_duckdb_1_4_client_reads_every_mart_of_the_published_warehouse(
    built_warehouse: Path, duckdb1_python: Path
) -> None:
    read = read_by_duckdb1(duckdb1_python, built_warehouse)
    assert read["version"].startswith("1.4.")
    expected = read_by_duckdb2(built_warehouse)
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        published_counts = json.loads(
            con.execute(
                "select mart_row_counts from marts.publication order by publication_id desc limit 1"
            ).fetchone()[0]
        )
    assert read["marts"] == expected
    assert {table: counts[0] for table, counts in read["marts"].items() if table != "publication"} == published_counts
    assert published_counts["fct_deputy_votes"] > 800_000


def test_the_build_database_of_duckdb_2_is_what_1_x_clients_refuse(
    built_warehouse: Path, built_settings: Settings, duckdb1_python: Path
) -> None:
    """Why the publication rewrites the file: the build database, as DuckDB 2.0 writes it, is unreadable to 1.x."""
    completed = subprocess.run(
        [str(duckdb1_python), "-c", CLIENT_SCRIPT, str(built_settings.build_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert "newer version of DuckDB" in completed.stderr
