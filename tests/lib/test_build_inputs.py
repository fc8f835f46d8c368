"""When a refresh may skip dbt and publication: only when readers see a build of the same inputs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.lib.build_inputs import inputs_fingerprint, publication_with_same_inputs, record_published_inputs
from orchestration.lib.config import Settings
from orchestration.lib.warehouse import record_source_version

SOURCE = {"url": "http://127.0.0.1/an/16.zip", "sha256": "ab" * 32, "size_bytes": 10, "etag": None, "last_modified": None}


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


def publish_as(settings: Settings, publication_id: str) -> None:
    """A published warehouse whose newest publication is `publication_id`."""
    settings.warehouse_path.unlink(missing_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.publication (publication_id VARCHAR)")
        con.execute("INSERT INTO marts.publication VALUES (?)", [publication_id])


def test_the_fingerprint_changes_with_every_load_and_every_dbt_file(dbt_project: Path) -> None:
    con = duckdb.connect()
    first = inputs_fingerprint(con, dbt_project)
    assert inputs_fingerprint(con, dbt_project) == first
    record_source_version(con, "an/16/scrutins", **SOURCE)
    loaded = inputs_fingerprint(con, dbt_project)
    assert loaded != first
    record_source_version(con, "an/16/scrutins", **SOURCE)  # the same file reloaded (force_reload)
    assert inputs_fingerprint(con, dbt_project) != loaded
    reloaded = inputs_fingerprint(con, dbt_project)
    (dbt_project / "dbt_project.yml").write_text("name: p\nvars:\n  window: 30\n")
    assert inputs_fingerprint(con, dbt_project) != reloaded
    changed_var = inputs_fingerprint(con, dbt_project)
    (dbt_project / "models" / "new.sql").write_text("select 2 as y")
    assert inputs_fingerprint(con, dbt_project) != changed_var


def test_a_build_is_skipped_only_while_readers_see_the_publication_of_the_same_inputs(settings: Settings) -> None:
    assert publication_with_same_inputs(settings, "f1") is None  # nothing recorded
    publish_as(settings, "20260101T000000Z")
    record_published_inputs(settings, "f1", "20260101T000000Z")
    assert publication_with_same_inputs(settings, "f1") == "20260101T000000Z"
    assert publication_with_same_inputs(settings, "f2") is None  # inputs changed
    publish_as(settings, "20251231T000000Z")  # a rollback: readers see an older publication
    assert publication_with_same_inputs(settings, "f1") is None
    settings.warehouse_path.unlink()  # the published warehouse deleted
    assert publication_with_same_inputs(settings, "f1") is None
