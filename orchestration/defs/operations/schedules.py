"""The nightly refresh: every source, then dbt build, then publication, in one serialized run."""

import dagster as dg

from orchestration.lib.config import nightly_cron

# In process: resources (and so the run-wide writer lock) are set up once for the whole run, and
# DuckDB's single writer gains nothing from parallel steps anyway.
refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Refresh every source, build and test every dbt model, publish, redraw the dashboard.",
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_warehouse,
    cron_schedule=nightly_cron(),
    execution_timezone="Europe/Paris",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="04:30 Paris time (NUPES_NIGHTLY_CRON): after the Assemblée's nightly dump, before readers arrive.",
)
