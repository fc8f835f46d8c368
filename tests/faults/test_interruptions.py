"""Refreshes interrupted, raced and read from: the publication stays whole and readable throughout.

- a refresh killed (SIGKILL) in the middle of its raw load, or of its dbt build (with dbt), publishes
  nothing, leaves no lock behind, and the next refresh recovers;
- readers querying the published warehouse while a refresh runs and publishes always get an
  answer, and each answer is one publication's own (never a mix of two);
- two refreshes started together: one runs, the other is refused at once, naming the lock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.transform.assets import LAST_RUN_TARGET
from orchestration.lib.config import PROJECT_ROOT, Settings
from orchestration.lib.locking import writer_lock
from support.mirror import LoopbackMirror
from tests.faults.damage import touch_every_member
from tests.faults.harness import PublishedState, failure_text, pipeline_environment, refresh

pytestmark = pytest.mark.faults

VOTES_16 = "an/16/loi/scrutins/Scrutins.json.zip"
VOTES_17 = "an/17/loi/scrutins/Scrutins.json.zip"
READ_MART = "fct_group_votes"
SUBPROCESS_TIMEOUT_SECONDS = 300
BUSY_MESSAGE = "another refresh is writing the warehouse"


def serve_new_version(mirror: LoopbackMirror, shared_data: Path, path: str) -> None:
    """The same records, every file's CRC new: the refresh must load, build and publish anew
    (a refresh finding nothing new publishes nothing)."""
    mirror.state.overrides[path] = touch_every_member((shared_data / path).read_bytes())


def start_refresh(settings: Settings, dagster_home: Path, log: Path) -> subprocess.Popen[bytes]:
    """`python -m orchestration.run` (what `make run` and cron run) with the test's settings, in a
    session of its own: killing the session kills the refresh and the dbt it started, as a
    stopped service or a machine going down would."""
    dagster_home.mkdir(exist_ok=True)
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestration.run"],
            cwd=PROJECT_ROOT,
            start_new_session=True,
            env={**os.environ, **pipeline_environment(settings), "DAGSTER_HOME": str(dagster_home)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def kill_session(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    """Poll `condition` every few milliseconds while the refresh runs; fail if it ends first."""
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT_SECONDS
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the refresh ended (exit {process.returncode}) before {what}")
        time.sleep(0.005)


def build_database_is_being_written(settings: Settings) -> Callable[[], bool]:
    """True once DuckDB keeps a write-ahead log beside the build database: a load is writing."""
    wal = settings.build_path.with_name(settings.build_path.name + ".wal")
    return lambda: wal.exists() and wal.stat().st_size > 0


def test_a_refresh_killed_during_the_raw_load_publishes_nothing_and_the_next_one_recovers(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
) -> None:
    serve_new_version(clean_mirror, shared_data, VOTES_16)
    before = PublishedState.of(warehouse)
    earlier_requests = len(clean_mirror.state.requests)

    process = start_refresh(warehouse, tmp_path / "dagster_home", tmp_path / "killed_refresh.log")
    wait_for(
        lambda: ("GET", VOTES_16) in clean_mirror.state.requests[earlier_requests:],
        process,
        "downloading the votes dump",
    )
    wait_for(build_database_is_being_written(warehouse), process, "writing the votes into the build database")
    kill_session(process)

    assert PublishedState.of(warehouse) == before
    with writer_lock(warehouse.build_path.with_suffix(".lock")):
        pass  # the dead process's lock went with it

    result = refresh(warehouse)
    assert result.success, failure_text(result)
    assert PublishedState.of(warehouse).publication_id > before.publication_id
    with zipfile.ZipFile(shared_data / VOTES_16) as archive:
        scrutins = sum(1 for name in archive.namelist() if name.startswith("json/"))  # Congrès votes too
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        loaded = con.execute("SELECT count(*) FROM raw.an_scrutins WHERE legislature = 16").fetchone()[0]
    assert loaded == scrutins


def dbt_has_built_a_model(dbt_log: Path) -> Callable[[], bool]:
    """True once the dbt log grew by a finished model (dbt writes it as the build goes)."""
    start = dbt_log.stat().st_size if dbt_log.exists() else 0

    def built() -> bool:
        if not dbt_log.exists():
            return False
        with dbt_log.open("rb") as log:
            log.seek(start if dbt_log.stat().st_size >= start else 0)  # from the top if dbt rotated it
            return b'"LogModelResult"' in log.read()

    return built


def published_row_counts(settings: Settings) -> dict[str, int]:
    """Every mart's rows in the newest publication, as it recorded them."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        (counts,) = con.execute(
            "SELECT mart_row_counts FROM marts.publication ORDER BY publication_id DESC LIMIT 1"
        ).fetchone()
    return json.loads(counts)


def test_a_refresh_killed_during_its_dbt_build_publishes_nothing_and_the_next_one_recovers(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
) -> None:
    serve_new_version(clean_mirror, shared_data, VOTES_17)
    before = PublishedState.of(warehouse)
    counts_before = published_row_counts(warehouse)

    process = start_refresh(warehouse, tmp_path / "dagster_home", tmp_path / "killed_refresh.log")
    wait_for(dbt_has_built_a_model(LAST_RUN_TARGET / "dbt.log"), process, "dbt built a model")
    kill_session(process)

    assert PublishedState.of(warehouse) == before
    result = refresh(warehouse)
    assert result.success, failure_text(result)
    assert PublishedState.of(warehouse).publication_id > before.publication_id
    # The same records under new file versions: every mart holds what it held, none half-built.
    assert published_row_counts(warehouse) == counts_before


@dataclass
class Reader:
    """Queries the published warehouse and its Parquet export in a loop, as a dashboard would."""

    settings: Settings
    answers: list[tuple[str, int, int, int]] = field(default_factory=list)  # publication, rows, recorded, parquet
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.answers.append(self.ask())
            except Exception as exc:  # every failure is the finding: collected, asserted empty
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.02)

    def ask(self) -> tuple[str, int, int, int]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            publication, counts = con.execute(
                "SELECT publication_id, mart_row_counts FROM marts.publication ORDER BY publication_id DESC LIMIT 1"
            ).fetchone()
            rows = con.execute(f"SELECT count(*) FROM marts.{READ_MART}").fetchone()[0]
            parquet = con.execute(
                "SELECT count(*) FROM read_parquet(?)", [str(self.settings.parquet_dir / f"{READ_MART}.parquet")]
            ).fetchone()[0]
        return publication, rows, json.loads(counts)[READ_MART], parquet


def test_readers_querying_during_a_refresh_always_get_one_publications_answer(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    serve_new_version(clean_mirror, shared_data, VOTES_17)
    before = PublishedState.of(warehouse)
    reader = Reader(warehouse)
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    try:
        result = refresh(warehouse)
    finally:
        reader.stop.set()
        thread.join(timeout=30)

    assert result.success, failure_text(result)
    after = PublishedState.of(warehouse)
    assert not reader.errors, reader.errors[:5]
    seen = {publication for publication, *_ in reader.answers}
    assert {before.publication_id, after.publication_id} <= seen, "the reader did not read across the swap"
    inconsistent = [answer for answer in reader.answers if len(set(answer[1:])) != 1]
    assert not inconsistent, f"(publication, rows, recorded rows, parquet rows) that disagree: {inconsistent[:5]}"


def test_two_refreshes_started_together_one_runs_the_other_is_refused(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
) -> None:
    serve_new_version(clean_mirror, shared_data, VOTES_17)
    before = PublishedState.of(warehouse)
    logs = [tmp_path / f"refresh_{number}.log" for number in (1, 2)]
    processes = [start_refresh(warehouse, tmp_path / "dagster_home", log) for log in logs]
    exit_codes = [process.wait(timeout=SUBPROCESS_TIMEOUT_SECONDS) for process in processes]

    outputs = [log.read_text(errors="replace") for log in logs]
    assert sorted(exit_codes) == [0, 1], outputs
    last_line = outputs[exit_codes.index(1)].strip().splitlines()[-1]  # what cron's mail ends with
    assert BUSY_MESSAGE in last_line and str(warehouse.build_path.with_suffix(".lock")) in last_line
    after = PublishedState.of(warehouse)
    assert after.publication_id > before.publication_id
    assert after.parquet_target.endswith(after.publication_id)
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        recorded = json.loads(
            con.execute(
                "SELECT mart_row_counts FROM marts.publication WHERE publication_id = ?", [after.publication_id]
            ).fetchone()[0]
        )
        actual = {mart: con.execute(f'SELECT count(*) FROM marts."{mart}"').fetchone()[0] for mart in recorded}
    assert actual == recorded
