"""A raw table whose columns no longer follow its DDL is recreated, and every source reloads."""

from __future__ import annotations

import duckdb

from orchestration.lib.raw_schema import raw_columns
from orchestration.lib.warehouse import ensure_raw_schema, loaded_sha256, record_source_version


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?"
            " ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def test_an_outdated_raw_table_is_recreated_and_source_versions_forgotten() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    # an_group_tallies as an older parser wrote it: no tally_number
    older = ", ".join(
        f"{name} {sql_type}" for name, sql_type, _ in raw_columns("an_group_tallies") if name != "tally_number"
    )
    con.execute(f"CREATE TABLE raw.an_group_tallies ({older})")
    con.execute(
        "INSERT INTO raw.an_group_tallies (scrutin_uid, legislature, organe_ref) VALUES ('VTANR5L17V1', 17, 'PO0')"
    )
    ensure_raw_schema(con)  # creates source_versions, keeps nothing stale
    record_source_version(con, "an/17/scrutins", url="u", sha256="abc", size_bytes=1, etag=None, last_modified=None)

    ensure_raw_schema(con)

    assert _columns(con, "an_group_tallies") == [name for name, _, _ in raw_columns("an_group_tallies")]
    assert con.execute("SELECT count(*) FROM raw.an_group_tallies").fetchone()[0] == 0
    assert loaded_sha256(con, "an/17/scrutins") == "abc", "an up-to-date schema keeps the recorded versions"

    con.execute("ALTER TABLE raw.an_votes DROP COLUMN tally_number")
    ensure_raw_schema(con)
    assert "tally_number" in _columns(con, "an_votes")
    assert loaded_sha256(con, "an/17/scrutins") is None, "a recreated table makes every source reload"
