"""What the bench runs in a fresh process per measurement; each writes its figures to `--result`.

    python -m scripts.bench.child pipeline --result FILE
        one `make run` (orchestration.run.build_warehouse on $DAGSTER_HOME's instance), with the
        duration of every Dagster step
    python -m scripts.bench.child parse-load ZIP DATABASE --result FILE
        the pipeline's parse of a scrutins dump and its bulk load into a fresh raw layer
    python -m scripts.bench.child read-json DIRECTORY DATABASE --result FILE
        the baseline: DuckDB's read_json with automatic schema inference over the extracted
        members, unnested in SQL into the same vote rows (baseline.sql)
    python -m scripts.bench.child ballots ZIP TARGET COPIES --result FILE
        the ideal-point estimator's ballots of a votes dump, each scrutin COPIES times, as Parquet
        (datasets.write_ballots; in a child so that the bench's own process stays small: a child
        forked from a large parent starts its peak memory from the parent's)
    python -m scripts.bench.child ideal-points BALLOTS REPLICATES --result FILE
        the ideal-point estimation of one legislature's ballots (Parquet, as BALLOTS_SQL gives
        them), what the dbt model fct_ideal_point_fits runs, timed from its progress log: the
        fits (filters, one and two dimensions, half-years), then the bootstrap
    python -m scripts.bench.child poll-model DATABASE --result FILE
        the state-space fit of every poll series, what the dbt model fct_poll_model_fits runs,
        on the polls of a built warehouse (read-only): the reading, then the fits

Nothing is imported before the clock starts that the measured code would not import itself.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

BASELINE_SQL = Path(__file__).with_name("baseline.sql")
# The tables the read_json baseline builds: the pipeline's vote tables but the corrections.
BASELINE_TABLES = ("an_scrutins", "an_group_tallies", "an_votes")
# Real and synthetic dumps alike are the 16th's scrutins.
LEGISLATURE = 16


def run_pipeline() -> dict[str, Any]:
    started = time.perf_counter()
    import dagster as dg

    from orchestration.run import build_warehouse

    imported = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = build_warehouse(instance)
    finished = time.perf_counter()
    if not result.success:
        raise SystemExit(f"pipeline failed: {[event.step_key for event in result.all_events if event.is_step_failure]}")
    return {
        "import_seconds": imported - started,
        "run_seconds": finished - imported,
        "steps": {
            event.step_key: event.event_specific_data.duration_ms / 1000
            for event in result.all_events
            if event.is_step_success
        },
        "skipped_steps": sorted(event.step_key for event in result.all_events if event.is_step_skipped),
    }


def parse_and_load(archive: Path, database: Path) -> dict[str, Any]:
    """What a full load of a votes dump does (lib/an_dumps.py: parse, then `replace_rows`), without Dagster."""
    import duckdb

    from orchestration.lib.assemblee_votes import VOTE_TABLES, parse_scrutins
    from orchestration.lib.warehouse import PartitionLoad, replace_rows

    started = time.perf_counter()
    parsed = parse_scrutins(archive)
    loads = [PartitionLoad(table, "legislature", LEGISLATURE, parsed.tables[table]) for table in VOTE_TABLES]
    parsed_at = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        written = replace_rows(con, loads)
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "parse_seconds": parsed_at - started,
        "load_seconds": finished - parsed_at,
        "rows": written,
    }


def read_json_baseline(directory: Path, database: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        con.execute(f"SET file_search_path = '{directory}'")
        con.execute(BASELINE_SQL.read_text())
        rows = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in BASELINE_TABLES}
    return {"seconds": time.perf_counter() - started, "rows": rows}


def ideal_points(ballots: Path, replicates: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from orchestration.lib.ideal_point_tables import estimate_legislature
    from orchestration.lib.ideal_points import Settings

    started = time.perf_counter()
    marks: dict[str, float] = {}

    def log(message: str) -> None:
        if "bootstrap:" in message and "bootstrap" not in marks:
            marks["bootstrap"] = time.perf_counter()

    rows = pq.read_table(ballots)
    loaded = time.perf_counter()
    result = estimate_legislature(rows, "bench", Settings(n_bootstrap=int(replicates)), log)
    finished = time.perf_counter()
    bootstrap_started = marks.get("bootstrap", finished)
    return {
        "seconds": finished - started,
        "read_seconds": loaded - started,
        "fit_seconds": bootstrap_started - loaded,
        "bootstrap_seconds": finished - bootstrap_started,
        "ballots": result["n_ballots"][0].as_py(),
        "em_steps_2d": result["n_iterations_2d"][0].as_py(),
    }


def poll_model(database: Path) -> dict[str, Any]:
    import duckdb

    from orchestration.lib.poll_model import Settings
    from orchestration.lib.poll_model_tables import fit_all, read_polls

    started = time.perf_counter()
    with duckdb.connect(str(database), read_only=True) as con:
        relations = {
            "results": con.table("marts.fct_poll_results"),
            "elections": con.table("staging.ref_poll_elections"),
            "official": con.table("staging.ref_poll_official_results"),
        }
        polls = read_polls(con, relations)
    read = time.perf_counter()
    fits = fit_all(polls, Settings(), lambda _: None)
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "read_seconds": read - started,
        "fit_seconds": finished - read,
        "polls": polls.num_rows,
        "series": fits.num_rows,
        "fitted": sum(fits["is_fitted"].to_pylist()),
    }


def write_ballots(archive: Path, target: Path, copies: str) -> dict[str, Any]:
    from scripts.bench.datasets import write_ballots as write

    return {"path": str(write(archive, target, int(copies)))}


def peak_rss_bytes() -> int:
    """The peak resident memory of this process or of any process it waited for (dbt).

    The bench cannot take it from wait4: on Linux a process started by vfork and exec, as
    subprocess starts it, inherits its parent's peak as its ru_maxrss, so every child would
    report at least the bench process's own peak. VmHWM is this process image's alone; a
    grandchild's ru_maxrss starts from this process's, which VmHWM covers."""
    status = Path("/proc/self/status").read_text().splitlines()
    own_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return max(own_kib, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "what", choices=["pipeline", "parse-load", "read-json", "ballots", "ideal-points", "poll-model"]
    )
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    if args.what == "pipeline":
        report = run_pipeline()
    elif args.what == "parse-load":
        report = parse_and_load(*map(Path, args.paths))
    elif args.what == "read-json":
        report = read_json_baseline(*map(Path, args.paths))
    elif args.what == "ballots":
        report = write_ballots(Path(args.paths[0]), Path(args.paths[1]), args.paths[2])
    elif args.what == "ideal-points":
        report = ideal_points(Path(args.paths[0]), args.paths[1])
    else:
        report = poll_model(Path(args.paths[0]))
    args.result.write_text(json.dumps(report | {"peak_rss_bytes": peak_rss_bytes()}))


if __name__ == "__main__":
    main()
