"""`python -m scripts.bench [--repeat N] [--cases ...]`: run the bench, print the table, write the JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.lib.config import PROJECT_ROOT
from orchestration.lib.publish import project_git_revision
from scripts.bench import cases
from support.mirror import LoopbackMirror

SHARED_DATA = Path(os.environ.get("NUPES_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))
OUTPUT_DIR = PROJECT_ROOT / "warehouse" / "bench"
GIB_IN_MIB = 1024
CASES: dict[str, Callable[[cases.Bench], dict[str, Any]]] = {
    "cold_and_nightly": cases.cold_and_nightly,
    "incremental": cases.incremental,
    "parse_load": cases.parse_load_against_read_json,
    "scaling": cases.scaling,
    "ideal_points": cases.ideal_points,
    "poll_model": cases.poll_model,
    "whole_build": cases.whole_build_scaling,
}
# The table's rows: (label, key of the case summary).
TABLE_ROWS = (
    ("cold full build, 16th + 17th", "cold"),
    ("nightly refresh, nothing changed", "nightly"),
    ("incremental refresh, 1 % new votes", "incremental"),
    ("parse + load of the 16th", "parse_load_16"),
    ("read_json baseline, same rows", "read_json_16"),
    ("scaling x1 (parse + load)", "x1"),
    ("scaling x2", "x2"),
    ("scaling x5", "x5"),
    ("scaling x10", "x10"),
    ("ideal points of the 16th: fits", "ideal_points_fit_16"),
    ("ideal points of the 16th: 50 bootstraps", "ideal_points_bootstrap_16"),
    ("ideal points, 5x synthetic: fits", "ideal_points_fit_x5"),
    ("poll model: every series fitted", "poll_model_fit"),
    ("whole build, 16th at 1x (synthetic)", "whole_build_x1"),
    ("whole build, 16th at 5x (synthetic)", "whole_build_x5"),
)


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy it was."""
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kib / (1 << 20), 1),
        "cpu_model": cpu_model,
        "python": platform.python_version(),
    }


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Every performance target (README, Performance) that the cases run can judge: figure, target, met."""
    checks: list[tuple[str, float, str, bool]] = []
    if "parse_load_16" in figures:
        seconds, speedup = figures["parse_load_16"]["median_s"], figures["speedup_vs_read_json"]
        checks += [
            ("parse + load of the 16th (s)", seconds, "< 3", seconds < 3),
            ("parse + load vs read_json (x faster)", speedup, ">= 5", speedup >= 5),
        ]
    if "cold" in figures:
        cold, nightly = figures["cold"], figures["nightly"]
        checks += [
            ("cold full build (s)", cold["median_s"], "< 60", cold["median_s"] < 60),
            ("nightly, nothing changed (s)", nightly["median_s"], "< 15", nightly["median_s"] < 15),
            (
                "cold / nightly (x)",
                round(cold["median_s"] / nightly["median_s"], 2),
                ">= 4",
                cold["median_s"] >= 4 * nightly["median_s"],
            ),
            (
                "peak memory of a full build, process tree (MiB)",
                cold["peak_tree_rss_mib"],
                "< 1024",
                cold["peak_tree_rss_mib"] < GIB_IN_MIB,
            ),
        ]
        if "incremental" in figures:
            share = round(figures["incremental"]["median_s"] / cold["median_s"], 3)
            checks.append(("incremental 1 % / cold", share, "< 0.333", share < 1 / 3))
    if "scaling" in figures:
        grown = cases.growth(figures["scaling"])
        checks += [
            ("time x10 / x1 (10 = linear)", grown["time_ratio"], "<= 10", grown["time_ratio"] <= 10),
            ("peak memory x10 / x1 (10 = linear)", grown["peak_rss_ratio"], "< 10", grown["peak_rss_ratio"] < 10),
        ]
    if "ideal_points_fit_16" in figures:
        fit, bootstrap = figures["ideal_points_fit_16"], figures["ideal_points_bootstrap_16"]
        checks += [
            ("ideal points: fit of the 16th (s)", fit["median_s"], "< 10", fit["median_s"] < 10),
            ("ideal points: bootstrap of the 16th (s)", bootstrap["median_s"], "< 60", bootstrap["median_s"] < 60),
            ("ideal points: peak memory (MiB)", fit["peak_rss_mib"], "< 500", fit["peak_rss_mib"] < 500),
        ]
    if "whole_build_x5" in figures:
        grown, peak = figures["whole_build_growth"], figures["whole_build_x5"]["peak_tree_rss_mib"]
        checks += [
            ("whole build x5 / x1 (5 = linear)", grown["time_ratio"], "<= 5", grown["time_ratio"] <= 5),
            ("whole build x5, process tree (MiB)", peak, "< 1536", peak < 1.5 * GIB_IN_MIB),
        ]
    if "poll_model_fit" in figures:
        seconds = figures["poll_model_fit"]["median_s"]
        checks.append(("poll model: every series fitted (s)", seconds, "< 10", seconds < 10))
    return [{"figure": name, "value": value, "target": target, "met": met} for name, value, target, met in checks]


def flatten(results: dict[str, Any]) -> dict[str, Any]:
    """One level of case summaries (scaling's factors lifted beside the other cases)."""
    flat = {key: value for key, value in results.items() if key != "scaling"}
    return flat | results.get("scaling", {})


def table(results: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    flat = flatten(results)
    lines = [
        f"{'case':40} {'median s':>9} {'min s':>7} {'max s':>7} {'runs':>4} {'peak RSS MiB':>12} {'tree RSS MiB':>12}",
    ]
    for label, key in TABLE_ROWS:
        if key in flat:
            row = flat[key]
            lines.append(
                f"{label:40} {row['median_s']:9.2f} {row['min_s']:7.2f} {row['max_s']:7.2f} {row['runs']:4d}"
                f" {row['peak_rss_mib']:12.0f} {row['peak_tree_rss_mib']:12.0f}"
            )
    for key in ("cold", "incremental", "whole_build_x1", "whole_build_x5"):
        if key in flat:
            stages = ", ".join(f"{name} {seconds:.1f}" for name, seconds in flat[key]["stages_median_s"].items())
            lines.append(f"{key} stages (median s): {stages}")
    lines.append("")
    lines += [
        f"{'MET ' if check['met'] else 'MISS'} {check['figure']}: {check['value']} (target {check['target']})"
        for check in checks
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=cases.__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="measurements per case (default 3)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        print(f"the source mirror is missing: {SHARED_DATA}", file=sys.stderr)
        return 1
    started_at, load_before = datetime.now(UTC), load_average()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="nupes-bench-") as work, LoopbackMirror(SHARED_DATA) as mirror:
        bench = cases.Bench(Path(work), mirror, args.repeat)
        for name in args.cases:
            print(f"{name} (load average {load_average()})", flush=True)
            results |= CASES[name](bench)
    checks = targets(results)
    report = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_revision": project_git_revision(),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "repeat": args.repeat,
        "results": results,
        "scaling_growth": cases.growth(results["scaling"]) if "scaling" in results else None,
        "targets": checks,
    }
    args.output_dir.mkdir(parents=True, exist_ok=True)
    output = args.output_dir / f"bench-{started_at:%Y%m%dT%H%M%SZ}.json"
    output.write_text(json.dumps(report, indent=2))
    print(table(results, checks))
    print(f"\nFigures written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
