"""The seven cases of the bench; each returns its figures as a JSON-ready dict.

Pipeline cases run `python -m scripts.bench.child pipeline` (what `make run` does) against the
loopback mirror, each with its own warehouse and Dagster home (the project's .dagster/dagster.yaml)
under the bench's work directory.
"""

from __future__ import annotations

import os
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.lib.config import PROJECT_ROOT, load_settings
from scripts.bench.datasets import extract_members, write_scaled_dump
from scripts.bench.measure import CaseFigures, ChildRun, run_child
from support.mirror import LoopbackMirror
from support.partial_dump import write_partial_scrutins_zip

CHILD = "scripts.bench.child"
VOTES_16 = Path("an/16/loi/scrutins/Scrutins.json.zip")  # under the mirror root
INSTANCE_CONFIG = PROJECT_ROOT / ".dagster" / "dagster.yaml"
# Dagster steps grouped into the stages the issue names.
STAGES: dict[str, Callable[[str], bool]] = {
    "sources: download, parse, load": lambda step: step.startswith(("assemblee_", "polls_")),
    "raw checks": lambda step: step.startswith("raw__"),
    "dbt build": lambda step: step == "warehouse_dbt_models",
    "publication and dashboard": lambda step: step in ("published_warehouse", "dashboard_site"),
}
# Rows compared between the pipeline's load and the read_json baseline, per table.
COMPARED_COLUMNS = {
    "an_votes": "scrutin_uid, legislature, organe_ref, acteur_ref, mandat_ref, position, par_delegation,"
    " cause_position_vote, num_place",
    "an_group_tallies": "scrutin_uid, legislature, organe_ref, nombre_membres_groupe, position_majoritaire,"
    " pour, contre, abstentions, non_votants, non_votants_volontaires",
}


@dataclass(frozen=True)
class Bench:
    """Where the bench works, what it serves, how often it repeats each case."""

    work_dir: Path
    mirror: LoopbackMirror
    repeat: int

    @property
    def votes_16(self) -> Path:
        return self.mirror.state.root / VOTES_16

    def pipeline_env(self, state_dir: Path, **settings: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("NUPES_")}
        env.update(
            NUPES_SOURCES=self.mirror.base_url,
            NUPES_WAREHOUSE=str(state_dir / "warehouse" / "nupes.duckdb"),
            DAGSTER_HOME=str(state_dir / "dagster_home"),
            **settings,
        )
        return env

    def run_pipeline(self, state_dir: Path, **settings: str) -> ChildRun:
        """One pipeline run in a fresh process; `settings`: more NUPES_* variables for it."""
        home = state_dir / "dagster_home"
        if not home.exists():
            home.mkdir(parents=True)
            shutil.copy(INSTANCE_CONFIG, home / "dagster.yaml")
        return run_child([CHILD, "pipeline"], self.pipeline_env(state_dir, **settings), PROJECT_ROOT)

    def child(self, *args: str | Path) -> ChildRun:
        return run_child([CHILD, *map(str, args)], os.environ, PROJECT_ROOT)


def pipeline_summary(figures: CaseFigures) -> dict[str, Any]:
    """Wall time and memory, and the median seconds of each stage and of Dagster's own overhead."""
    summary = figures.summary()
    stage_runs = [_stages(run) for run in figures.runs]
    summary["stages_median_s"] = {
        stage: round(statistics.median(run[stage] for run in stage_runs), 3) for stage in stage_runs[0]
    }
    summary["skipped_steps"] = figures.runs[-1].report["skipped_steps"]
    return summary


def _stages(run: ChildRun) -> dict[str, float]:
    steps: dict[str, float] = run.report["steps"]
    stages = {
        name: sum(seconds for step, seconds in steps.items() if belongs(step)) for name, belongs in STAGES.items()
    }
    stages["python start and imports"] = run.report["import_seconds"]
    # Planning, event storage and resources: the run's time outside every step.
    stages["dagster outside steps"] = run.report["run_seconds"] - sum(steps.values())
    return stages


def cold_and_nightly(bench: Bench) -> dict[str, Any]:
    """Full builds from nothing; then, on the last one, refreshes with nothing changed."""
    cold, nightly = CaseFigures("cold"), CaseFigures("nightly")
    for attempt in range(bench.repeat):
        state = _fresh_dir(bench.work_dir / "cold")
        cold.add(bench.run_pipeline(state))
        _progress(f"cold build {attempt + 1}/{bench.repeat}: {cold.runs[-1].seconds:.1f} s")
    for attempt in range(bench.repeat):
        nightly.add(bench.run_pipeline(state))
        _progress(f"nightly refresh, nothing changed {attempt + 1}/{bench.repeat}: {nightly.runs[-1].seconds:.1f} s")
    return {"cold": pipeline_summary(cold), "nightly": pipeline_summary(nightly)}


def incremental(bench: Bench, new_fraction: float = 0.01) -> dict[str, Any]:
    """A warehouse built while the 16th's dump lacked its newest scrutins, then refreshed after
    they were released. Each repetition starts from a copy of the same built state."""
    partial = bench.work_dir / "partial-votes-16.zip"
    held_back = write_partial_scrutins_zip(bench.votes_16, partial, 1.0 - new_fraction)
    snapshot = _fresh_dir(bench.work_dir / "incremental-snapshot")
    bench.mirror.state.overrides[VOTES_16.as_posix()] = partial.read_bytes()
    try:
        bench.run_pipeline(snapshot)
    finally:
        bench.mirror.clear_faults()
    figures = CaseFigures("incremental")
    live = bench.work_dir / "incremental"
    for attempt in range(bench.repeat):
        shutil.rmtree(live, ignore_errors=True)
        shutil.copytree(snapshot, live, symlinks=True)
        figures.add(bench.run_pipeline(live))
        _progress(
            f"incremental refresh, {len(held_back)} new scrutins {attempt + 1}/{bench.repeat}: {figures.runs[-1].seconds:.1f} s"
        )
    summary = pipeline_summary(figures)
    summary["new_scrutins"] = len(held_back)
    return {"incremental": summary}


def parse_load_against_read_json(bench: Bench) -> dict[str, Any]:
    """The 16th's votes: the pipeline's parse and load, and the read_json baseline, alternated."""
    extracted = extract_members(bench.votes_16, bench.work_dir / "votes-16-extracted")
    ours, baseline = CaseFigures("parse_load_16"), CaseFigures("read_json_16")
    for attempt in range(bench.repeat):
        ours.add(bench.child("parse-load", bench.votes_16, _fresh_file(bench.work_dir / "ours.duckdb")))
        baseline.add(bench.child("read-json", extracted, _fresh_file(bench.work_dir / "baseline.duckdb")))
        _progress(
            f"parse+load of the 16th {attempt + 1}/{bench.repeat}: {ours.runs[-1].report['seconds']:.2f} s,"
            f" read_json baseline {baseline.runs[-1].report['seconds']:.2f} s"
        )
    differences = _row_differences(bench.work_dir / "ours.duckdb", bench.work_dir / "baseline.duckdb")
    if any(differences.values()):
        raise RuntimeError(f"the read_json baseline did not load the pipeline's rows: {differences}")
    ours_summary, baseline_summary = ours.summary("seconds"), baseline.summary("seconds")
    ours_summary["rows"] = ours.runs[-1].report["rows"]
    ours_summary["parse_median_s"] = round(statistics.median(ours.seconds("parse_seconds")), 3)
    ours_summary["load_median_s"] = round(statistics.median(ours.seconds("load_seconds")), 3)
    baseline_summary["rows"] = baseline.runs[-1].report["rows"]
    baseline_summary["rows_differing_from_pipeline"] = differences
    return {
        "parse_load_16": ours_summary,
        "read_json_16": baseline_summary,
        "speedup_vs_read_json": round(baseline_summary["median_s"] / ours_summary["median_s"], 2),
    }


def _row_differences(ours: Path, baseline: Path) -> dict[str, int]:
    """Rows in one load and not the other (both ways, duplicates counted), per compared table."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{ours}' AS ours (READ_ONLY)")
        con.execute(f"ATTACH '{baseline}' AS baseline (READ_ONLY)")
        return {
            table: sum(
                con.execute(
                    f"SELECT count(*) FROM (SELECT {columns} FROM {left} EXCEPT ALL SELECT {columns} FROM {right})"
                ).fetchone()[0]
                for left, right in (
                    (f"ours.raw.{table}", f"baseline.{table}"),
                    (f"baseline.{table}", f"ours.raw.{table}"),
                )
            )
            for table, columns in COMPARED_COLUMNS.items()
        }


def scaling(bench: Bench, factors: tuple[int, ...] = (1, 2, 5, 10)) -> dict[str, Any]:
    """Parse and load of synthetic legislatures `factor` times the 16th: time and peak memory.

    Every size, 1x included, is written the same way (write_scaled_dump), and the repetitions go
    round the sizes (1, 2, 5, 10, 1, 2, ...), so a change of the machine's load during the case
    weighs on every size alike instead of on the largest, measured last."""
    dumps = {
        factor: write_scaled_dump(bench.votes_16, bench.work_dir / f"votes-16-x{factor}.zip", factor)
        for factor in factors
    }
    figures = {factor: CaseFigures(f"scale_x{factor}") for factor in factors}
    for attempt in range(bench.repeat):
        for factor, dump in dumps.items():
            figures[factor].add(bench.child("parse-load", dump, _fresh_file(bench.work_dir / "scaled.duckdb")))
            _progress(
                f"scaling x{factor} {attempt + 1}/{bench.repeat}: {figures[factor].runs[-1].report['seconds']:.2f} s"
            )
    for dump in dumps.values():
        dump.unlink()
    return {
        "scaling": {
            f"x{factor}": figures[factor].summary("seconds") | {"rows": figures[factor].runs[-1].report["rows"]}
            for factor in factors
        }
    }


# dbt's DuckDB memory limit for both sizes of whole_build: at 5x, the default 384 MB runs out in the
# incremental facts (fct_deputy_votes, fct_group_votes), so both sizes get the same larger limit.
WHOLE_BUILD_DBT_MEMORY = "1GB"


def whole_build_scaling(bench: Bench, factor: int = 5) -> dict[str, Any]:
    """Whole cold builds (load, dbt build, publication) of a warehouse whose 16th legislature is the
    real one, then `factor` times larger (write_scaled_dump, served in place of the real dump; the
    17th and the polls unchanged): where one machine stops, and which stage grows fastest.

    Both sizes go through write_scaled_dump, as in `scaling`, and alternate round the repetitions."""
    dumps = {
        size: write_scaled_dump(bench.votes_16, bench.work_dir / f"whole-votes-16-x{size}.zip", size)
        for size in (1, factor)
    }
    figures = {size: CaseFigures(f"whole_build_x{size}") for size in dumps}
    for attempt in range(bench.repeat):
        for size, dump in dumps.items():
            bench.mirror.state.overrides[VOTES_16.as_posix()] = dump.read_bytes()
            try:
                state = _fresh_dir(bench.work_dir / "whole-build")
                figures[size].add(bench.run_pipeline(state, NUPES_DBT_MEMORY_LIMIT=WHOLE_BUILD_DBT_MEMORY))
            finally:
                bench.mirror.clear_faults()
            _progress(f"whole build x{size} {attempt + 1}/{bench.repeat}: {figures[size].runs[-1].seconds:.1f} s")
    summaries = {
        f"whole_build_x{size}": pipeline_summary(figures[size]) | {"dbt_memory_limit": WHOLE_BUILD_DBT_MEMORY}
        for size in dumps
    }
    return summaries | {
        "whole_build_growth": stage_growth(summaries["whole_build_x1"], summaries[f"whole_build_x{factor}"])
    }


def stage_growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    """Each stage's time at the larger size over its time at the smaller, the fastest first."""
    ratios = {
        stage: round(large["stages_median_s"][stage] / seconds, 2)
        for stage, seconds in small["stages_median_s"].items()
        if seconds > 0
    }
    ranked = dict(sorted(ratios.items(), key=lambda item: item[1], reverse=True))
    return {
        "time_ratio": round(large["median_s"] / small["median_s"], 2),
        # CPU seconds (the child and the processes it waited for) hold better on a shared machine.
        "cpu_ratio": round(large["cpu_median_s"] / small["cpu_median_s"], 2),
        "stage_time_ratios": ranked,
        "fastest_growing_stage": next(iter(ranked)),
    }


def ideal_points(bench: Bench, replicates: int = 50, factor: int = 5) -> dict[str, Any]:
    """The ideal-point estimation of the 16th (fits, then a bootstrap of `replicates`), and the
    fits alone on a legislature `factor` times larger (every scrutin repeated), alternated."""
    real, scaled = bench.work_dir / "ballots-16.parquet", bench.work_dir / f"ballots-16-x{factor}.parquet"
    bench.child("ballots", bench.votes_16, real, 1)
    bench.child("ballots", bench.votes_16, scaled, factor)
    ours, larger = CaseFigures("ideal_points_16"), CaseFigures(f"ideal_points_x{factor}")
    for attempt in range(bench.repeat):
        ours.add(bench.child("ideal-points", real, replicates))
        larger.add(bench.child("ideal-points", scaled, 0))
        report = ours.runs[-1].report
        _progress(
            f"ideal points of the 16th {attempt + 1}/{bench.repeat}: fit {report['fit_seconds']:.1f} s, bootstrap"
            f" {report['bootstrap_seconds']:.1f} s; x{factor} fit {larger.runs[-1].report['fit_seconds']:.1f} s"
        )
    return {
        "ideal_points_fit_16": ours.summary("fit_seconds") | {"ballots": ours.runs[-1].report["ballots"]},
        "ideal_points_bootstrap_16": ours.summary("bootstrap_seconds") | {"replicates": replicates},
        f"ideal_points_fit_x{factor}": larger.summary("fit_seconds") | {"ballots": larger.runs[-1].report["ballots"]},
    }


def poll_model(bench: Bench) -> dict[str, Any]:
    """Fitting every poll series, on the polls of the warehouse `make run` published (the poll
    feeds are small: the polls, not a pipeline run, are what the case needs)."""
    database = load_settings().warehouse_path
    if not database.exists():
        raise RuntimeError(f"the poll-model case reads the published warehouse, {database}: run `make run` first")
    figures = CaseFigures("poll_model_fit")
    for attempt in range(bench.repeat):
        figures.add(bench.child("poll-model", database))
        report = figures.runs[-1].report
        _progress(
            f"poll model, {report['fitted']} of {report['series']} series fitted {attempt + 1}/{bench.repeat}:"
            f" fit {report['fit_seconds']:.2f} s"
        )
    report = figures.runs[-1].report
    return {
        "poll_model_fit": figures.summary("fit_seconds") | {key: report[key] for key in ("polls", "series", "fitted")}
    }


def growth(scaled: dict[str, Any], largest: str = "x10") -> dict[str, float]:
    """How time and peak memory grow from 1x to the largest factor (10 = linear)."""
    first, last = scaled["x1"], scaled[largest]
    return {
        "time_ratio": round(last["median_s"] / first["median_s"], 2),
        "peak_rss_ratio": round(last["peak_rss_mib"] / first["peak_rss_mib"], 2),
        "peak_rss_mib_per_extra_x": round((last["peak_rss_mib"] - first["peak_rss_mib"]) / (int(largest[1:]) - 1), 1),
    }


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _fresh_file(path: Path) -> Path:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return path


def _progress(message: str) -> None:
    print(f"  {message}", flush=True)
