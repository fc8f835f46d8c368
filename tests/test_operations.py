"""Operations: schedule, sensor, freshness, publication and the single-writer rule, on the real graph."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_definitions, defs
from orchestration.defs.resources import WarehouseSettings
from orchestration.lib.build_inputs import stamp_path
from orchestration.lib.config import Settings
from orchestration.lib.publish import current_publication_id
from orchestration.lib.refresh import QUARANTINE_CHECK, quarantine_check_outcome
from support.mirror import LoopbackMirror
from support.webhook import evaluate_success_alert, loopback_webhook

RAW_VOTES = dg.AssetKey(["raw", "an_votes"])
PRESIDENTIAL_2022_FILE = "polls/github/nsppolls/nsppolls/master/presidentielle.csv"


def test_the_code_location_loads_as_dagster_dev_loads_it() -> None:
    """`dg dev` and the daemon load the module, not our import of it: two Definitions objects at
    module scope, for one, load in Python but are refused there."""
    venv_bin = Path(sys.executable).parent
    completed = subprocess.run(
        [str(venv_bin / "dagster"), "definitions", "validate", "-m", "orchestration.definitions"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"},
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]


def test_nightly_schedule_runs_the_whole_graph_in_paris_time() -> None:
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.execution_timezone == "Europe/Paris"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = defs.resolve_job_def("refresh_warehouse")
    graph = defs.resolve_asset_graph()
    assert set(job.asset_layer.selected_asset_keys) == set(graph.get_all_asset_keys())


def test_every_writer_is_in_the_single_writer_pool_and_raw_and_marts_carry_freshness() -> None:
    graph = defs.resolve_asset_graph()
    writers = [key for key in graph.get_all_asset_keys() if key.path[0] in ("raw", "staging", "marts")]
    assert writers
    for key in writers:
        node = graph.get(key)
        assert node.pools == {"warehouse_writer"}, key
        if key.path[0] in ("raw", "marts"):
            assert node.freshness_policy is not None, key


@pytest.mark.integration
def test_publication_records_every_source_and_exports_every_mart(
    built_warehouse: Path, built_settings: Settings, shared_data: Path
) -> None:
    zip_sha256 = hashlib.sha256((shared_data / "an/16/loi/scrutins/Scrutins.json.zip").read_bytes()).hexdigest()
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        (sources, counts, revision) = con.execute(
            "SELECT source_versions, mart_row_counts, git_revision FROM marts.publication "
            "ORDER BY publication_id DESC LIMIT 1"
        ).fetchone()
        marts = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' AND table_name <> 'publication'"
            ).fetchall()
        }
    versions = {row["source_key"]: row for row in json.loads(sources)}
    assert versions["an/16/scrutins"]["sha256"] == zip_sha256
    assert set(json.loads(counts)) == marts
    parquet_dir = built_settings.parquet_dir
    for mart, rows in json.loads(counts).items():
        assert duckdb.execute(f"SELECT count(*) FROM '{parquet_dir / (mart + '.parquet')}'").fetchone()[0] == rows


def _evaluate_change_sensor(settings: Settings) -> dg.SensorResult | dg.SkipReason:
    sensor = defs.resolve_sensor_def("source_change_sensor")
    resources = {"settings": WarehouseSettings.of(settings)}
    with dg.build_sensor_context(repository_def=defs.get_repository_def(), resources=resources) as context:
        return sensor(context)


@pytest.mark.integration
def test_change_sensor_refreshes_only_what_depends_on_the_changed_source(
    built_settings: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    assert isinstance(_evaluate_change_sensor(built_settings), dg.SkipReason)

    changed = (shared_data / PRESIDENTIAL_2022_FILE).read_bytes() + b"\n"
    clean_mirror.state.overrides[PRESIDENTIAL_2022_FILE] = changed
    result = _evaluate_change_sensor(built_settings)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests
    selected = set(request.asset_selection)
    assert dg.AssetKey(["raw", "polls_presidential_2022"]) in selected
    assert dg.AssetKey("published_warehouse") in selected
    assert RAW_VOTES not in selected
    assert dg.AssetKey(["marts", "fct_group_votes"]) not in selected


@pytest.fixture
def warehouse_copy(built_warehouse: Path, built_settings: Settings, tmp_path: Path) -> Settings:
    """A copy of the built warehouse (build database, downloads, publications) the test may refresh."""
    shutil.copytree(built_warehouse.parent, tmp_path / "warehouse", symlinks=True)
    return dataclasses.replace(built_settings, warehouse_path=tmp_path / "warehouse" / built_warehouse.name)


def _sensor_run_after_a_poll_change(
    settings: Settings, mirror: LoopbackMirror, shared_data: Path
) -> dg.ExecuteInProcessResult:
    """One poll value changes upstream; the run the change sensor requests, executed in process."""
    original = (shared_data / PRESIDENTIAL_2022_FILE).read_bytes()
    mirror.state.overrides[PRESIDENTIAL_2022_FILE] = original.replace(
        b"Marine Le Pen,Rassemblement national,16.0,", b"Marine Le Pen,Rassemblement national,16.5,", 1
    )
    result = _evaluate_change_sensor(settings)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests
    with dg.DagsterInstance.ephemeral() as instance:
        job = build_definitions(WarehouseSettings.of(settings)).resolve_job_def("refresh_warehouse")
        return job.execute_in_process(
            instance=instance, asset_selection=list(request.asset_selection), raise_on_error=False
        )


@pytest.mark.integration
def test_the_sensor_s_run_rebuilds_tests_and_publishes_the_changed_part_only(
    warehouse_copy: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    """A subset run: dagster-dbt selects the models and dbt's indirect selection their tests."""
    published_before = current_publication_id(warehouse_copy)
    run = _sensor_run_after_a_poll_change(warehouse_copy, clean_mirror, shared_data)
    assert run.success
    materialized = {event.asset_key for event in run.get_asset_materialization_events()}
    assert {dg.AssetKey(["marts", "fct_poll_results"]), dg.AssetKey("published_warehouse")} <= materialized
    assert dg.AssetKey(["marts", "fct_group_votes"]) not in materialized
    checked = {evaluation.asset_key for evaluation in run.get_asset_check_evaluations()}
    assert dg.AssetKey(["marts", "fct_poll_results"]) in checked  # its dbt tests ran
    assert current_publication_id(warehouse_copy) > published_before


@pytest.mark.integration
def test_a_sensor_run_refuses_to_publish_over_votes_a_failed_refresh_left_unbuilt(
    warehouse_copy: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    """As if the last refresh loaded new votes and then failed: they differ from the publication's."""
    stamp = stamp_path(warehouse_copy)
    recorded = json.loads(stamp.read_text())
    recorded["tables"]["an_votes"] = "0:0"
    stamp.write_text(json.dumps(recorded))
    published_before = current_publication_id(warehouse_copy)

    run = _sensor_run_after_a_poll_change(warehouse_copy, clean_mirror, shared_data)
    assert not run.success
    (failure,) = run.get_step_failure_events()
    assert failure.step_key == "warehouse_dbt_models"
    message = str(failure.step_failure_data.error)
    assert "an_votes" in message and "this run does not build" in message and "Run the whole refresh" in message
    assert current_publication_id(warehouse_copy) == published_before


@pytest.mark.integration
def test_a_second_refresh_is_refused_while_another_process_writes(
    built_warehouse: Path, built_settings: Settings
) -> None:
    from orchestration.run import build_warehouse

    lock_path = built_settings.writer_lock_path
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from orchestration.lib.locking import writer_lock\n"
            f"with writer_lock(Path({str(lock_path)!r})):\n    print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = built_warehouse.stat().st_ino
        with dg.DagsterInstance.ephemeral() as instance:
            result = build_warehouse(instance, settings=built_settings)
    finally:
        holder.communicate("")
    assert not result.success
    errors = " ".join(str(event.event_specific_data) for event in result.all_events if event.is_failure)
    assert "another refresh is writing the warehouse" in errors
    assert f"pid {holder.pid}" in errors
    assert built_warehouse.stat().st_ino == before


@dg.op
def _step_that_fails() -> None:
    raise RuntimeError("the Assemblée dump is corrupt")


@dg.job
def _failing_job() -> None:
    _step_that_fails()


def test_a_failed_run_is_posted_to_the_alert_webhook() -> None:
    with loopback_webhook() as (url, received), dg.DagsterInstance.ephemeral() as instance:
        result = _failing_job.execute_in_process(instance=instance, raise_on_error=False)
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            resources={"settings": WarehouseSettings(alert_webhook=url)},
        ).for_run_failure()
        defs.resolve_sensor_def("alert_on_run_failure")(context)
    (message,) = received
    assert result.run_id in message["text"]
    assert "_step_that_fails" in message["text"]
    assert "previous publication" in message["text"]


QUARANTINED = [
    {
        "source": "an/17/scrutins",
        "member": "json/VTANR5L17V1.json",
        "kept_previous_rows": True,
        "error": "Scrutins.json.zip: member json/VTANR5L17V1.json cannot be used: required field uid is missing or nil",
    },
    {
        "source": "polls/nsppolls_presidentielle",
        "member": "presidentielle.csv:row 7",
        "kept_previous_rows": False,
        "error": "presidentielle.csv: row 7, column intentions: cannot read 'x' as float",
    },
]


@dg.asset
def _loaded_with_quarantine() -> None:
    return None


@dg.asset_check(asset=_loaded_with_quarantine, name=QUARANTINE_CHECK)
def _quarantine_warns() -> dg.AssetCheckResult:
    outcome = quarantine_check_outcome("_loaded_with_quarantine", QUARANTINED)
    return dg.AssetCheckResult(passed=outcome.passed, severity=dg.AssetCheckSeverity.WARN, metadata=outcome.metadata)


def test_a_successful_run_that_quarantined_members_is_posted_to_the_alert_webhook(built_settings: Settings) -> None:
    with loopback_webhook() as (url, received), dg.DagsterInstance.ephemeral() as instance:
        settings = dataclasses.replace(built_settings, alert_webhook=url)
        result = dg.materialize([_loaded_with_quarantine, _quarantine_warns], instance=instance)
        assert result.success
        evaluate_success_alert(instance, result.run_id, settings)
        clean = dg.materialize([_loaded_with_quarantine], instance=instance)
        evaluate_success_alert(instance, clean.run_id, settings)
    (message,) = received  # the run without quarantined members posted nothing
    text = message["text"]
    assert result.run_id in text and "succeeded, but 2 members could not be loaded" in text
    assert "- an/17/scrutins json/VTANR5L17V1.json (previous rows kept): Scrutins.json.zip: member" in text
    assert (
        "- polls/nsppolls_presidentielle presidentielle.csv:row 7 (no previous rows): presidentielle.csv: row 7" in text
    )
