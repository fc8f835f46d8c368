"""`make run`: materialize the whole graph once, in process, and exit non-zero on any failure.

Runs are recorded in the Dagster instance under $DAGSTER_HOME, so `make dev` shows them.
"""

from __future__ import annotations

import sys

import dagster as dg

from orchestration.definitions import defs


def build_warehouse(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Every asset and every asset check, in dependency order, in this process."""
    job = defs.resolve_job_def("refresh_warehouse")
    return job.execute_in_process(instance=instance, raise_on_error=False)


def failed_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [event.step_key or "?" for event in result.all_events if event.is_step_failure]


def main() -> int:
    with dg.DagsterInstance.get() as instance:
        result = build_warehouse(instance)
    if not result.success:
        print(f"Warehouse build failed at: {', '.join(failed_steps(result))}", file=sys.stderr)
        return 1
    print("Warehouse built.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
