"""`make run` / `make rebuild`: materialize the whole graph once, in process; non-zero on failure.

Runs are recorded in the Dagster instance under $DAGSTER_HOME, so `make dev` shows them.
"""

from __future__ import annotations

import argparse
import sys

import dagster as dg

from orchestration.definitions import build_definitions, defs
from orchestration.defs.operations.alerts import quarantined_in_run
from orchestration.defs.operations.publication import PUBLISHED_WAREHOUSE
from orchestration.defs.resources import WarehouseSettings
from orchestration.lib.alerts import quarantine_message
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.locking import WarehouseBusy, writer_lock
from orchestration.lib.sources import SOURCES

DBT_ASSET = "warehouse_dbt_models"
# Every source's asset: a full rebuild reparses every file and replaces whole partitions; a strict
# run fails on the first record one cannot load instead of quarantining it (RefreshConfig).
SOURCE_ASSETS = tuple(source.asset_name for source in SOURCES)


def run_config(*, full_rebuild: bool = False, strict: bool = False) -> dict[str, object] | None:
    """Run config of a refresh. `full_rebuild`: after a parser, seed or model change (incremental
    paths skip those). `strict`: a record that cannot be loaded fails the run instead of being
    quarantined (tests, investigations)."""
    ops: dict[str, dict[str, object]] = {}
    if full_rebuild:
        for name in SOURCE_ASSETS:
            ops.setdefault(name, {})["force_reload"] = True
        ops[DBT_ASSET] = {"full_refresh": True}
    if strict:
        for name in SOURCE_ASSETS:
            ops.setdefault(name, {})["on_bad_member"] = "fail"
    return {"ops": {name: {"config": config} for name, config in ops.items()}} if ops else None


def build_warehouse(
    instance: dg.DagsterInstance,
    *,
    settings: Settings | None = None,
    full_rebuild: bool = False,
    strict: bool = False,
) -> dg.ExecuteInProcessResult:
    """Every asset and every asset check, in dependency order, in this process; with the
    environment's settings unless others are given."""
    definitions = build_definitions(WarehouseSettings.of(settings)) if settings else defs
    job = definitions.resolve_job_def("refresh_warehouse")
    config = run_config(full_rebuild=full_rebuild, strict=strict)
    return job.execute_in_process(instance=instance, run_config=config, raise_on_error=False)


def failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [event.step_key or "?" for event in result.all_events if event.is_step_failure]


def failure_summary(result: dg.ExecuteInProcessResult) -> str:
    """The last line of a failed run, for the person reading cron's mail: the failed steps, or the
    error that stopped the run before any step (a refused writer lock, a resource that did not start)."""
    steps = failed_steps(result)
    if steps:
        return "failed at: " + ", ".join(steps)
    errors = [
        event.event_specific_data.error.message.strip()
        for event in result.all_events
        if event.event_type_value == "RESOURCE_INIT_FAILURE" and event.event_specific_data.error
    ]
    return "refused before any step: " + ("; ".join(errors) or "see the run's events")


def outcome_summary(result: dg.ExecuteInProcessResult) -> str:
    """A successful run either published, or found nothing new and left the publication alone."""
    published = any(event.asset_key == PUBLISHED_WAREHOUSE for event in result.get_asset_materialization_events())
    if published:
        return "Warehouse built and published."
    return "Nothing new since the last publication: the published warehouse is unchanged."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--full-rebuild",
        action="store_true",
        help="reparse every dump and rebuild incremental dbt models from scratch",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on the first record that cannot be loaded instead of quarantining it",
    )
    args = parser.parse_args(argv)
    try:
        # Taken before the Dagster instance is opened: a refused refresh touches nothing at all.
        with writer_lock(load_settings().writer_lock_path), dg.DagsterInstance.get() as instance:
            result = build_warehouse(instance, full_rebuild=args.full_rebuild, strict=args.strict)
            quarantined = quarantined_in_run(instance, result.run_id) if result.success else []
    except WarehouseBusy as exc:
        print(f"Warehouse build refused before any step: {exc}", file=sys.stderr)
        return 1
    if not result.success:
        print(f"Warehouse build {failure_summary(result)}", file=sys.stderr)
        return 1
    print(outcome_summary(result))
    if quarantined:
        print(quarantine_message(result.dagster_run.job_name, result.run_id, quarantined), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
