"""The production deployment, for real: `python -m orchestration.serve` (what `make serve` runs)
starts the Dagster webserver and daemon on a throwaway PostgreSQL, against a copy of the session's
warehouse and the loopback mirror, and the daemon's schedules, sensors and queue are watched
through GraphQL and in PostgreSQL's own tables.

The tests share one deployment and run in order: each builds on the runs of the ones before.
Figures (services' start time, a refresh through the daemon and in process, the tables Dagster
wrote) are printed; run with `-s` to read them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import defs
from orchestration.lib.config import PROJECT_ROOT, Settings
from orchestration.lib.locking import WarehouseBusy, writer_lock
from orchestration.lib.publish import current_publication_id
from support.mirror import LoopbackMirror
from support.postgres import ThrowawayPostgres, free_port

pytestmark = pytest.mark.integration

DATABASE = "nupes_dagster"
PASSWORD = secrets.token_urlsafe(12)  # trust authentication ignores it; the check's message must not show it
POLL_FILE = "polls/github/nsppolls/nsppolls/master/presidentielle.csv"
POLL_SOURCE = "polls/nsppolls_presidentielle/presidentielle.csv"
LE_PEN_16 = b"Marine Le Pen,Rassemblement national,16.0,"
START_TIMEOUT_SECONDS = 300
RUN_TIMEOUT_SECONDS = 600
LOCATION = "orchestration.definitions"
# A run the daemon took from the queue, in the order its events are stored: queued by whoever
# requested it, STARTING when the daemon's queue dequeued and launched it.
LIFECYCLE = [
    event.value
    for event in (
        dg.DagsterEventType.RUN_ENQUEUED,
        dg.DagsterEventType.RUN_STARTING,
        dg.DagsterEventType.RUN_START,
        dg.DagsterEventType.RUN_SUCCESS,
    )
]
T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 1.0) -> T:
    """`probe()`'s first truthy answer, or a failure naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def cron_in(delay: timedelta) -> str:
    """A daily cron (Europe/Paris, the schedule's zone) for the first whole minute `delay` from now:
    the daemon ticks the schedule exactly once during the test."""
    moment = datetime.now(ZoneInfo("Europe/Paris")) + delay + timedelta(minutes=1)
    return f"{moment.minute} {moment.hour} * * *"


def with_poll_value(shared_data: Path, value: bytes) -> bytes:
    """The presidential poll file with one of Marine Le Pen's values changed: a change the sensor
    sees and a refresh publishes."""
    original = (shared_data / POLL_FILE).read_bytes()
    assert LE_PEN_16 in original
    return original.replace(LE_PEN_16, b"Marine Le Pen,Rassemblement national," + value + b",", 1)


def publications(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """Every publication's id and source versions (by source key), oldest first."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute("SELECT publication_id, source_versions FROM marts.publication ORDER BY 1").fetchall()
    return [(pid, {row["source_key"]: row for row in json.loads(sources)}) for pid, sources in rows]


@dataclasses.dataclass
class Deployment:
    """The services of one production instance, started and stopped as `make serve` would be."""

    postgres: ThrowawayPostgres
    settings: Settings
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['NUPES_DAGSTER_PORT']}/graphql"

    def start(self) -> float:
        """Start both services; the seconds until the webserver answers with the code location loaded."""
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "orchestration.serve"], env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=log
            )
        wait_for("the webserver to load the definitions", self._loaded, START_TIMEOUT_SECONDS)
        return time.monotonic() - started

    def _loaded(self) -> bool:
        assert self.process and self.process.poll() is None, f"serve exited:\n{self.log_tail()}"
        try:
            return bool(self.repository())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self) -> int:
        """SIGTERM, as systemd stops a unit; serve's exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)

    def graphql(self, query: str, **variables: object) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def repository(self) -> dict[str, Any] | None:
        data = self.graphql(
            "{ repositoriesOrError { __typename ... on RepositoryConnection { nodes { name location { name }"
            " jobs { name } schedules { name cronSchedule } sensors { name minIntervalSeconds } } } } }"
        )
        nodes = data["repositoriesOrError"].get("nodes") or []
        return nodes[0] if nodes else None

    def launch_refresh(self, **tags: str) -> str:
        """Launch refresh_warehouse as the UI's button does; the queued run's id."""
        data = self.graphql(
            "mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename"
            " ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message } } }",
            params={
                "selector": {
                    "repositoryLocationName": LOCATION,
                    "repositoryName": "__repository__",
                    "jobName": "refresh_warehouse",
                },
                "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
            },
        )
        launched = data["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        assert launched["run"]["status"] in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED")
        return launched["run"]["runId"]

    def sql(self, query: str) -> list[list[str]]:
        """Rows of `query` on the instance's database, straight from PostgreSQL."""
        return [line.split("|") for line in self.postgres.psql(DATABASE, query).splitlines() if line]

    def run_status(self, run_id: str) -> str:
        (row,) = self.sql(f"SELECT status FROM runs WHERE run_id = '{run_id}'")
        return row[0]

    def wait_until_done(self, run_id: str) -> str:
        return wait_for(
            f"run {run_id} to end",
            lambda: (status := self.run_status(run_id)) in ("SUCCESS", "FAILURE", "CANCELED") and status,
            RUN_TIMEOUT_SECONDS,
            interval=2,
        )

    def run_times(self, run_id: str) -> tuple[float, float]:
        ((start, end),) = self.sql(f"SELECT start_time, end_time FROM runs WHERE run_id = '{run_id}'")
        return float(start), float(end)

    def run_events(self, run_id: str) -> list[str]:
        """The run's Dagster events in the order PostgreSQL stored them."""
        rows = self.sql(
            f"SELECT dagster_event_type FROM event_logs WHERE run_id = '{run_id}' "
            "AND dagster_event_type IS NOT NULL ORDER BY id"
        )
        return [row[0] for row in rows]

    def ticks(self, instigator: str) -> list[dict[str, Any]]:
        """The daemon's recorded ticks of a schedule or sensor: status and run ids, oldest first."""
        rows = self.sql(
            "SELECT t.status, t.tick_body FROM job_ticks t JOIN instigators i ON i.selector_id = t.selector_id "
            f"WHERE i.instigator_body::json->'origin'->>'job_name' = '{instigator}' ORDER BY t.id"
        )
        return [{"status": status, "run_ids": json.loads(body).get("run_ids", [])} for status, body in rows]

    def written_tables(self) -> list[tuple[str, int]]:
        """Every table of the instance's database that holds rows, with its row count."""
        names = [row[0] for row in self.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        counts = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM {name}" for name in names)
        return [(name, int(rows)) for name, rows in self.sql(counts) if int(rows)]

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture(scope="module")
def deployment(
    postgres: ThrowawayPostgres,
    built_warehouse: Path,
    built_settings: Settings,
    mirror: LoopbackMirror,
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """Services on a copy of the session's warehouse, with one poll value changed upstream so the
    daemon's first refresh has something to publish."""
    root = tmp_path_factory.mktemp("production")
    shutil.copytree(built_warehouse.parent, root / "warehouse", symlinks=True)
    settings = dataclasses.replace(built_settings, warehouse_path=root / "warehouse" / built_warehouse.name)
    url = postgres.create_database(DATABASE).replace("nupes@", f"nupes:{PASSWORD}@")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("NUPES_", "DAGSTER_"))}
    env = {
        **inherited,
        "NUPES_DAGSTER_POSTGRES_URL": url,
        "NUPES_DAGSTER_HOME": str(root / "dagster_home"),
        "NUPES_DAGSTER_PORT": str(free_port()),
        "NUPES_SOURCES": str(settings.sources),
        "NUPES_WAREHOUSE": str(settings.warehouse_path),
        "NUPES_NIGHTLY_CRON": cron_in(timedelta(seconds=90)),
    }
    mirror.state.overrides[POLL_FILE] = with_poll_value(shared_data, b"16.5")
    service = Deployment(postgres, settings, env, root / "serve.log")
    seconds = service.start()
    print(f"\n[production] services up (GraphQL answers) in {seconds:.1f} s")
    yield service
    if service.process and service.process.poll() is None:
        service.stop()
    mirror.clear_faults()
    mirror.state.overrides.pop(POLL_FILE, None)


def test_the_webserver_serves_the_project_s_definitions(deployment: Deployment) -> None:
    repository = wait_for("the repository", deployment.repository, 60)
    expected = defs.get_repository_def()
    assert repository["location"]["name"] == LOCATION
    assert {job["name"] for job in repository["jobs"]} >= {"refresh_warehouse"}
    assert {s["name"] for s in repository["schedules"]} == {s.name for s in expected.schedule_defs}
    assert {s["name"] for s in repository["sensors"]} == {s.name for s in expected.sensor_defs}
    (schedule,) = repository["schedules"]
    assert schedule["cronSchedule"] == deployment.env["NUPES_NIGHTLY_CRON"]


def test_the_change_sensor_s_tick_is_recorded_and_its_run_queued_then_published(
    deployment: Deployment, shared_data: Path
) -> None:
    published_before = publications(deployment.settings)
    ticks = wait_for(
        "a change sensor tick with a run",
        lambda: [t for t in deployment.ticks("source_change_sensor") if t["run_ids"]],
        120,
    )
    assert ticks[0]["status"] == "SUCCESS"
    (run_id,) = ticks[0]["run_ids"]
    assert deployment.wait_until_done(run_id) == "SUCCESS", deployment.log_tail()

    assert [e for e in deployment.run_events(run_id) if e in LIFECYCLE] == LIFECYCLE
    after = publications(deployment.settings)
    assert len(after) == len(published_before) + 1
    new_id, versions = after[-1]
    assert new_id == current_publication_id(deployment.settings)
    assert versions[POLL_SOURCE]["sha256"] == hashlib.sha256(with_poll_value(shared_data, b"16.5")).hexdigest()


def test_the_nightly_schedule_ticks_and_its_run_succeeds(deployment: Deployment) -> None:
    ticks = wait_for(
        "the schedule's tick", lambda: [t for t in deployment.ticks("nightly_refresh") if t["run_ids"]], 240
    )
    assert [t["status"] for t in ticks] == ["SUCCESS"]
    (run_id,) = ticks[0]["run_ids"]
    assert deployment.wait_until_done(run_id) == "SUCCESS", deployment.log_tail()


def test_two_refreshes_requested_at_once_run_one_after_the_other(deployment: Deployment) -> None:
    """The queue holds the second run while the first holds the pool's one slot: the run storage's
    start and end times do not overlap. Nothing changed since the last publication: incremental."""
    first, second = deployment.launch_refresh(), deployment.launch_refresh()
    assert [deployment.wait_until_done(run) for run in (first, second)] == ["SUCCESS", "SUCCESS"]
    (start_a, end_a), (start_b, end_b) = sorted(deployment.run_times(run) for run in (first, second))
    assert end_a <= start_b, f"runs overlap: {start_a}-{end_a} and {start_b}-{end_b}"

    from orchestration.run import build_warehouse

    began = time.monotonic()
    with dg.DagsterInstance.ephemeral() as instance:
        assert build_warehouse(instance, settings=deployment.settings).success
    in_process = time.monotonic() - began
    print(
        f"\n[production] refresh with nothing new: {end_a - start_a:.1f} s and {end_b - start_b:.1f} s through the"
        f" daemon (run start to end; {end_b - start_a:.1f} s for both), {in_process:.1f} s in process"
    )


def test_the_run_history_survives_a_restart_of_the_services_and_of_postgresql(deployment: Deployment) -> None:
    before = deployment.sql("SELECT run_id, status FROM runs ORDER BY create_timestamp")
    assert len(before) >= 4 and all(status == "SUCCESS" for _, status in before)
    assert deployment.stop() == 0
    deployment.postgres.stop()
    deployment.postgres.start()
    seconds = deployment.start()
    print(f"\n[production] services up again in {seconds:.1f} s")
    data = deployment.graphql("{ runsOrError { ... on Runs { results { runId status } } } }")
    assert sorted([run["runId"], run["status"]] for run in data["runsOrError"]["results"]) == sorted(before)
    written = deployment.written_tables()
    print("[production] PostgreSQL tables Dagster wrote: " + ", ".join(f"{name} ({rows})" for name, rows in written))
    assert {"runs", "event_logs", "job_ticks", "instigators"} <= {name for name, _ in written}


def writing(settings: Settings) -> bool:
    """Whether a refresh holds the warehouse's writer lock: its run worker is alive."""
    try:
        with writer_lock(settings.writer_lock_path):
            return False
    except WarehouseBusy:
        return True


def test_postgresql_gone_mid_run_fails_the_run_and_publishes_nothing(
    deployment: Deployment, mirror: LoopbackMirror, shared_data: Path
) -> None:
    """A refresh that would publish (another poll value upstream) loses its database after its
    first step started: its steps cannot record events, so it stops writing before publication;
    once PostgreSQL is back the run is recorded as failed with the connection error. No retry here
    (`dagster/max_retries` 0): a retry would publish, which is what retries are for."""
    mirror.state.overrides[POLL_FILE] = with_poll_value(shared_data, b"17.0")
    published_before = publications(deployment.settings)
    run_id = deployment.launch_refresh(**{"dagster/max_retries": "0"})
    wait_for(
        "the run's first step",
        lambda: dg.DagsterEventType.STEP_START.value in deployment.run_events(run_id),
        RUN_TIMEOUT_SECONDS,
    )
    deployment.postgres.stop()
    stopped = time.monotonic()
    wait_for("the run to stop writing the warehouse", lambda: not writing(deployment.settings), 300, interval=2)
    print(f"\n[production] run stopped writing {time.monotonic() - stopped:.1f} s after PostgreSQL stopped")
    assert publications(deployment.settings) == published_before

    deployment.postgres.start()
    assert deployment.wait_until_done(run_id) == "FAILURE"
    ((failure,),) = deployment.sql(
        f"SELECT event FROM event_logs WHERE run_id = '{run_id}' "
        f"AND dagster_event_type = '{dg.DagsterEventType.RUN_FAILURE.value}'"
    )
    assert "Connection refused" in failure and f"port {deployment.postgres.port}" in failure
    assert publications(deployment.settings) == published_before
    assert deployment.process is not None and deployment.process.poll() is None  # the services lived through it


def test_serve_names_the_database_it_cannot_reach(deployment: Deployment) -> None:
    if deployment.process and deployment.process.poll() is None:
        deployment.stop()
    deployment.postgres.stop()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration.serve"],
            env=deployment.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        deployment.postgres.start()
    assert completed.returncode == 2
    assert f"database '{DATABASE}' on 127.0.0.1:{deployment.postgres.port}" in completed.stderr
    assert PASSWORD not in completed.stderr + completed.stdout
