"""What a refresh must rebuild: nothing, the part fed by changed raw tables, or everything."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.lib.build_inputs import build_scope, current_inputs, record_published_inputs
from orchestration.lib.config import Settings
from orchestration.lib.warehouse import ensure_raw_schema


@pytest.fixture
def dbt_project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: p\nvars:\n  window: 45\n")
    (project / "models" / "m.sql").write_text("select 1 as x")
    return project


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(warehouse_path=tmp_path / "warehouse" / "nupes.duckdb")
    settings.build_path.parent.mkdir(parents=True)
    return settings


@pytest.fixture
def raw() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_raw_schema(con)
    con.execute("CREATE TABLE raw.t (k INTEGER, v VARCHAR); INSERT INTO raw.t VALUES (1, 'a'), (2, 'b')")
    return con


def publish_as(settings: Settings, publication_id: str) -> None:
    """A published warehouse whose newest publication is `publication_id`."""
    settings.warehouse_path.unlink(missing_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.publication (publication_id VARCHAR)")
        con.execute("INSERT INTO marts.publication VALUES (?)", [publication_id])


def test_a_table_fingerprint_follows_its_rows_not_their_order_or_a_reload(raw, dbt_project: Path) -> None:
    first = current_inputs(raw, dbt_project)
    raw.execute("DELETE FROM raw.t; INSERT INTO raw.t VALUES (2, 'b'), (1, 'a')")  # the same rows reloaded
    assert current_inputs(raw, dbt_project) == first
    raw.execute("UPDATE raw.t SET v = 'c' WHERE k = 2")
    changed = current_inputs(raw, dbt_project)
    assert changed.tables["t"] != first.tables["t"]
    assert changed.project == first.project
    unchanged_tables = {name: value for name, value in changed.tables.items() if name != "t"}
    assert unchanged_tables == {name: value for name, value in first.tables.items() if name != "t"}


def test_the_project_fingerprint_follows_every_dbt_file(raw, dbt_project: Path) -> None:
    first = current_inputs(raw, dbt_project).project
    (dbt_project / "dbt_project.yml").write_text("name: p\nvars:\n  window: 30\n")
    changed_var = current_inputs(raw, dbt_project).project
    assert changed_var != first
    (dbt_project / "models" / "new.sql").write_text("select 2 as y")
    assert current_inputs(raw, dbt_project).project != changed_var


def test_the_scope_is_what_changed_since_the_publication_readers_see(
    settings: Settings, raw, dbt_project: Path
) -> None:
    published = current_inputs(raw, dbt_project)
    assert build_scope(settings, published).changed_tables is None  # nothing published yet
    publish_as(settings, "20260101T000000Z")
    assert build_scope(settings, published).changed_tables is None  # published, inputs not recorded
    record_published_inputs(settings, published, "20260101T000000Z")
    assert build_scope(settings, published).changed_tables == frozenset()
    raw.execute("INSERT INTO raw.t VALUES (3, 'c'); CREATE TABLE raw.u (k INTEGER)")
    assert build_scope(settings, current_inputs(raw, dbt_project)).changed_tables == {"t", "u"}
    (dbt_project / "models" / "m.sql").write_text("select 3 as x")
    assert build_scope(settings, current_inputs(raw, dbt_project)).changed_tables is None
    publish_as(settings, "20251231T000000Z")  # a rollback: readers see an older publication
    assert build_scope(settings, published).changed_tables is None
    settings.warehouse_path.unlink()  # the published warehouse deleted
    assert build_scope(settings, published).changed_tables is None
