"""The instance's event log (orchestration/storage.py) stores what Dagster's sqlite one does, where it does.

A run through an instance configured like `.dagster/dagster.yaml`, then a second instance on the
same home (as the webserver would open it) reading the run's events and the asset's history.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.lib.config import PROJECT_ROOT
from orchestration.storage import PooledSqliteEventLogStorage


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=counted)
def counted_has_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_a_run_s_events_and_asset_history_are_stored_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        result = dg.materialize([counted, counted_has_rows], instance=instance)
        assert result.success
        written = [entry.dagster_event_type for entry in instance.all_logs(result.run_id) if entry.is_dagster_event]

    assert (tmp_path / "history" / "runs" / f"{result.run_id}.db").is_file()  # Dagster's own layout
    with dg.DagsterInstance.get() as reader:
        assert [
            entry.dagster_event_type for entry in reader.all_logs(result.run_id) if entry.is_dagster_event
        ] == written
        assert dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED in written
        latest = reader.get_latest_materialization_event(counted.key)
        assert latest is not None and latest.run_id == result.run_id
        assert latest.asset_materialization.metadata["rows"] == dg.IntMetadataValue(3)
        check = reader.event_log_storage.get_latest_asset_check_execution_by_key([counted_has_rows.check_key])
        assert check[counted_has_rows.check_key].run_id == result.run_id
