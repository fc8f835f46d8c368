"""Operations: the refresh job, its schedule and change sensor, publication to readers, alerts."""

import dagster as dg

from orchestration.defs.operations.alerts import alert_on_quarantined_members, alert_on_run_failure
from orchestration.defs.operations.publication import published_warehouse
from orchestration.defs.operations.quarantine import raw_quarantine
from orchestration.defs.operations.schedules import nightly_refresh, refresh_warehouse
from orchestration.defs.operations.sensors import source_change_sensor

defs = dg.Definitions(
    assets=[published_warehouse, raw_quarantine],
    jobs=[refresh_warehouse],
    schedules=[nightly_refresh],
    sensors=[alert_on_run_failure, alert_on_quarantined_members, source_change_sensor],
)
