"""Publication and rollback on a small build database made in the test."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.lib.config import Settings
from orchestration.lib.publish import PublicationError, current_publication_id, publish, rollback


def _settings(tmp_path: Path) -> Settings:
    return Settings(warehouse_path=tmp_path / "nupes.duckdb", keep_publications=2)


def _build(settings: Settings, n_rows: int) -> None:
    settings.build_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.build_path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw; CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(
            "CREATE OR REPLACE TABLE raw.source_versions AS SELECT 'an/16/scrutins' AS source_key, 'abc' AS sha256"
        )
        con.execute(
            "CREATE OR REPLACE TABLE raw.an_scrutins AS "
            "SELECT 16::SMALLINT AS legislature, DATE '2024-05-02' AS date_scrutin"
        )
        con.execute(f"CREATE OR REPLACE TABLE marts.mart_example AS SELECT range AS x FROM range({n_rows})")


def _published_rows(settings: Settings) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM marts.mart_example").fetchone()[0]


def test_publish_swaps_database_and_parquet_and_records_the_publication(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _build(settings, 3)
    first = publish(settings, git_revision="rev1")
    assert _published_rows(settings) == 3
    assert first.mart_row_counts == {"mart_example": 3}
    parquet = settings.parquet_dir / "mart_example.parquet"
    assert duckdb.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0] == 3

    _build(settings, 5)
    second = publish(settings, git_revision="rev2")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        history = con.execute("SELECT publication_id, git_revision FROM marts.publication ORDER BY 1").fetchall()
    assert history == [(first.publication_id, "rev1"), (second.publication_id, "rev2")]
    assert duckdb.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0] == 5


def test_reader_holding_the_old_file_keeps_a_consistent_view(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _build(settings, 3)
    publish(settings)
    reader = duckdb.connect(str(settings.warehouse_path), read_only=True)
    _build(settings, 7)
    publish(settings)
    assert reader.execute("SELECT count(*) FROM marts.mart_example").fetchone()[0] == 3
    reader.close()
    assert _published_rows(settings) == 7


def test_rollback_restores_the_previous_publication_and_prunes_old_ones(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ids = []
    for n_rows in (1, 2, 3):
        _build(settings, n_rows)
        ids.append(publish(settings).publication_id)
    assert len(list(settings.publications_dir.glob("*.duckdb"))) == settings.keep_publications
    assert rollback(settings) == ids[1]
    assert _published_rows(settings) == 2
    assert current_publication_id(settings) == ids[1]
    with pytest.raises(PublicationError, match="no publication older"):
        rollback(settings)


def test_failed_publication_leaves_the_previous_one(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _build(settings, 4)
    publish(settings)
    with duckdb.connect(str(settings.build_path)) as con:
        con.execute("DROP TABLE raw.an_scrutins")  # the publication row cannot be computed
    with pytest.raises(PublicationError, match="nothing published"):
        publish(settings)
    assert _published_rows(settings) == 4
    assert not list(settings.warehouse_dir.glob(".*.tmp"))
