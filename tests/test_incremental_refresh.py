"""The incremental refresh gives the same warehouse as a full rebuild, on the real graph.

Yesterday's dump of the 16th is made from the real one: its newest 1 % of scrutins held back, the
first scrutin's file in an earlier version (another title, another seat for one voter) and one
scrutin that the real dump no longer has. The whole graph builds a warehouse from it; then the
real dump is released and the graph refreshes it incrementally (new, changed and vanished files).
A copy of that warehouse is then rebuilt in full (`force_reload` + dbt `--full-refresh`) from the
same final data, and every mart of the two must hold the same rows.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import orjson
import pytest

from orchestration.defs.assemblee.assets import assemblee_votes
from orchestration.defs.resources import WarehouseSettings
from orchestration.lib.archive import member_crc32s
from orchestration.lib.assemblee import as_list
from orchestration.lib.assemblee_votes import VOTE_TABLES
from orchestration.lib.config import Settings
from support.mirror import LoopbackMirror
from support.partial_dump import write_partial_scrutins_zip
from tests.lib.test_assemblee_parsers import SCRUTINS
from tests.resources import loader_resources, settings_for

pytestmark = pytest.mark.integration

VOTES_16 = SCRUTINS[16]
KEEP_FRACTION = 0.99
CHANGED_MEMBER = "json/VTANR5L16V1.json"
VANISHED_MEMBER = "json/VTANR5L16V99999.json"
AN_DUMP_ASSETS = ("assemblee_votes", "assemblee_people", "assemblee_dossiers")
FULL_REBUILD = {
    "ops": {asset: {"config": {"force_reload": True}} for asset in AN_DUMP_ASSETS}
    | {"warehouse_dbt_models": {"config": {"full_refresh": True}}}
}


@dataclass(frozen=True)
class Refreshes:
    held_back: list[str]
    members_in_dump: int
    incremental: Path  # built from yesterday's dump, then refreshed with the real one
    full: Path  # a copy of it rebuilt in full
    incremental_result: dg.ExecuteInProcessResult
    full_result: dg.ExecuteInProcessResult
    full_logs: list[str]


def _yesterdays_member(name: str, content: bytes) -> bytes:
    """An earlier version of a scrutin file: another title, another seat for its first voter."""
    document = orjson.loads(content)
    scrutin = document["scrutin"]
    scrutin["titre"] = "version d'hier : " + scrutin["titre"]
    for group in as_list(scrutin["ventilationVotes"]["organe"]["groupes"]["groupe"]):
        for block in (group["vote"]["decompteNominatif"] or {}).values():
            voters = (block or {}).get("votant")
            if voters:
                first = voters[0] if isinstance(voters, list) else voters
                first["numPlace"] = "999"
                return orjson.dumps(document)
    raise AssertionError(f"{name} has no voter")


def _vanished_member(content: bytes) -> bytes:
    """A scrutin that yesterday's dump had and today's does not (the first one, renumbered)."""
    document = orjson.loads(content)
    document["scrutin"]["uid"] = "VTANR5L16V99999"
    document["scrutin"]["numero"] = "99999"
    return orjson.dumps(document)


def write_yesterdays_dump(real: Path, target: Path) -> list[str]:
    """The real dump without its newest 1 %, with one file changed and one file more."""
    partial = target.with_suffix(".partial.zip")
    held_back = write_partial_scrutins_zip(real, partial, KEEP_FRACTION)
    with zipfile.ZipFile(partial) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as written:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == CHANGED_MEMBER:
                written.writestr(VANISHED_MEMBER, _vanished_member(content))
                content = _yesterdays_member(info.filename, content)
            written.writestr(info.filename, content)
    return held_back


def refresh(
    warehouse: Path, mirror: LoopbackMirror, run_config: dict[str, Any] | None = None
) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """The nightly job, in process, on the mirror; the result and the run's log messages."""
    from orchestration.definitions import build_definitions

    definitions = build_definitions(WarehouseSettings.of(settings_for(mirror.base_url, warehouse)))
    with dg.DagsterInstance.ephemeral() as instance:
        job = definitions.resolve_job_def("refresh_warehouse")
        result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    failed = [event.step_key for event in result.all_events if event.is_step_failure]
    assert result.success, f"refresh of {warehouse} failed at {failed}"
    return result, messages


def _copy_state(source: Path, target: Path) -> None:
    """The build database and download cache: what the next run starts from."""
    for part in (Settings(warehouse_path=source).build_path.parent, source.parent / "downloads"):
        shutil.copytree(part, target.parent / part.name)


@pytest.fixture(scope="module")
def refreshes(
    mirror: LoopbackMirror, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Refreshes]:
    root = tmp_path_factory.mktemp("incremental")
    yesterday = root / "Scrutins.json.zip"
    held_back = write_yesterdays_dump(shared_data / VOTES_16, yesterday)
    incremental, full = root / "incremental" / "nupes.duckdb", root / "full" / "nupes.duckdb"
    mirror.state.overrides[VOTES_16] = yesterday.read_bytes()
    try:
        refresh(incremental, mirror)
    finally:
        mirror.state.overrides.pop(VOTES_16)
    incremental_result, _ = refresh(incremental, mirror)
    _copy_state(incremental, full)
    full_result, full_logs = refresh(full, mirror, FULL_REBUILD)
    yield Refreshes(
        held_back,
        len(member_crc32s(shared_data / VOTES_16, prefix="json/")),
        incremental,
        full,
        incremental_result,
        full_result,
        full_logs,
    )


def _sources(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, Any]]:
    """The per-legislature load report of the votes asset."""
    (materialization, *_) = result.asset_materializations_for_node("assemblee_votes")
    return materialization.metadata["sources"].value


def test_incremental_refresh_parsed_only_new_and_changed_files(refreshes: Refreshes) -> None:
    sources = _sources(refreshes.incremental_result)
    assert sources["16"]["load_mode"] == "incremental"
    assert sources["16"]["members"] == {
        "new": len(refreshes.held_back),
        "changed": 1,
        "removed": 1,
        "unchanged": refreshes.members_in_dump - len(refreshes.held_back) - 1,
    }
    assert len(refreshes.held_back) == round(refreshes.members_in_dump * (1 - KEEP_FRACTION)) > 0
    assert sources["17"]["load_mode"] == "unchanged"


def test_incremental_refresh_built_only_what_the_vote_tables_feed_and_published(refreshes: Refreshes) -> None:
    materialized = {
        event.asset_key.to_user_string() for event in refreshes.incremental_result.get_asset_materialization_events()
    }
    assert {"marts/fct_deputy_votes", "marts/mart_bloc_unity", "marts/mart_nupes_monthly"} <= materialized
    assert {"marts/mart_catalogue", "published_warehouse", "dashboard_site"} <= materialized
    # Fed by polls, dossiers or seeds only: unchanged, not rebuilt.
    assert not materialized & {"marts/fct_poll_results", "staging/stg_polls__presidential_2027", "marts/dim_dossiers"}


def test_full_rebuild_reloaded_every_file_and_refreshed_every_model(refreshes: Refreshes) -> None:
    sources = _sources(refreshes.full_result)
    assert {legislature: source["load_mode"] for legislature, source in sources.items()} == {"16": "full", "17": "full"}
    assert any(message.startswith("dbt build --full-refresh into") for message in refreshes.full_logs)


def _tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ? ORDER BY 1",
            [database, schema],
        ).fetchall()
    ]


def _comparable_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """The table's columns, doubles rounded to 6 decimals. A sum of doubles depends on the order
    the rows are added in, which differs between a table appended to and one written at once (and
    between DuckDB's threads) in the last bits; and a standard deviation of equal values (the poll
    average's band) comes out as 0 or as the square root of such a last-bit residue, ~4e-8. A real
    difference between the two paths moves counts and shares far more than 1e-6."""
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_catalog = 'full_build' AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return ", ".join(
        f'round("{name}", 6)' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"' for name, data_type in columns
    )


def _differing_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[int, int, int]:
    """Rows only in the incremental warehouse, rows only in the full one, and rows in both."""
    relation = f'{schema}."{table}"'
    columns = _comparable_columns(con, schema, table)
    only_incremental, only_full, total = con.execute(f"""
        SELECT
            (SELECT count(*) FROM (
                SELECT {columns} FROM incremental.{relation} EXCEPT ALL SELECT {columns} FROM full_build.{relation})),
            (SELECT count(*) FROM (
                SELECT {columns} FROM full_build.{relation} EXCEPT ALL SELECT {columns} FROM incremental.{relation})),
            (SELECT count(*) FROM full_build.{relation})
    """).fetchone()
    return only_incremental, only_full, total


@pytest.fixture(scope="module")
def both_warehouses(refreshes: Refreshes) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{refreshes.incremental}' AS incremental (READ_ONLY)")
        con.execute(f"ATTACH '{refreshes.full}' AS full_build (READ_ONLY)")
        yield con


def test_every_mart_holds_the_same_rows_after_incremental_and_full_refresh(
    both_warehouses: duckdb.DuckDBPyConnection,
) -> None:
    marts = [table for table in _tables(both_warehouses, "full_build", "marts") if table != "publication"]
    assert {"fct_deputy_votes", "fct_group_votes"} <= set(marts)
    assert _tables(both_warehouses, "incremental", "marts") == marts + ["publication"]
    differences = {table: _differing_rows(both_warehouses, "marts", table) for table in marts}
    assert {table: counts for table, counts in differences.items() if counts[:2] != (0, 0)} == {}
    assert differences["fct_deputy_votes"][2] > 0


def test_raw_vote_tables_hold_the_same_rows_after_incremental_and_full_load(
    both_warehouses: duckdb.DuckDBPyConnection,
) -> None:
    differences = {table: _differing_rows(both_warehouses, "raw", table) for table in VOTE_TABLES}
    assert {table: counts for table, counts in differences.items() if counts[:2] != (0, 0)} == {}
    assert both_warehouses.execute(
        "SELECT count(*) FROM incremental.raw.an_scrutins WHERE uid = 'VTANR5L16V99999' OR titre LIKE 'version d''hier%'"
    ).fetchone() == (0,)


def test_the_changed_scrutin_was_rebuilt_and_the_vanished_one_removed_from_the_facts(
    both_warehouses: duckdb.DuckDBPyConnection,
) -> None:
    for fact in ("fct_deputy_votes", "fct_group_votes"):
        assert both_warehouses.execute(
            f"SELECT count(*) FROM incremental.marts.{fact} WHERE scrutin_uid = 'VTANR5L16V99999'"
        ).fetchone() == (0,)
    assert both_warehouses.execute(
        "SELECT count(*) FROM incremental.marts.fct_deputy_votes WHERE scrutin_uid = 'VTANR5L16V1' AND seat_number = 999"
    ).fetchone() == (0,)


def test_an_unchanged_dump_is_neither_parsed_nor_reloaded(
    refreshes: Refreshes, mirror: LoopbackMirror, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    warehouse = tmp_path / "nupes.duckdb"
    _copy_state(refreshes.incremental, warehouse)
    build = Settings(warehouse_path=warehouse).build_path
    versions_sql = "SELECT source_key, sha256, loaded_at FROM raw.source_versions ORDER BY 1"
    with duckdb.connect(str(build), read_only=True) as con:
        versions_before = con.execute(versions_sql).fetchall()
    requests_before = len(mirror.state.requests)

    result = dg.materialize([assemblee_votes], resources=loader_resources(settings_for(mirror.base_url, warehouse)))

    assert {legislature: source["load_mode"] for legislature, source in _sources(result).items()} == {
        "16": "unchanged",
        "17": "unchanged",
    }
    assert all(source["members"] is None and source["load_seconds"] == 0 for source in _sources(result).values())
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute(versions_sql).fetchall() == versions_before
    answers = mirror.state.request_headers[requests_before:]
    assert len(answers) == 2 and all("If-None-Match" in headers for headers in answers)
