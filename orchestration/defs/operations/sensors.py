"""Refresh as soon as a source changes, and only what depends on it.

Every few hours the sensor asks each declared source cheaply whether it changed since the copy
the warehouse was built from (a conditional HEAD, or size and mtime for a mirror directory; see
`lib/sources.has_changed`). It then requests one run of the assets fed by the changed sources and
everything downstream of them: dbt models, publication, dashboard. Nothing changed, no run.
"""

import dagster as dg

from orchestration.defs.operations.schedules import refresh_warehouse
from orchestration.defs.resources import WarehouseSettings
from orchestration.defs.sources import raw_key
from orchestration.lib.sources import changed_sources

PROBE_INTERVAL_SECONDS = 3 * 60 * 60


@dg.sensor(
    name="source_change_sensor",
    job=refresh_warehouse,
    minimum_interval_seconds=PROBE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Probes every source cheaply and refreshes only the part of the graph downstream of what changed.",
)
def source_change_sensor(
    context: dg.SensorEvaluationContext, settings: WarehouseSettings
) -> dg.SensorResult | dg.SkipReason:
    changed = changed_sources(settings.resolve(), context.log.info)
    if not changed:
        return dg.SkipReason("no source changed since the last download")
    tables = [raw_key(table) for source in changed for table in source.tables]
    selection = dg.AssetSelection.assets(*tables).downstream()
    asset_keys = sorted(selection.resolve(context.repository_def.asset_graph), key=lambda key: key.to_string())
    names = ", ".join(sorted(source.asset_name for source in changed))
    return dg.SensorResult(run_requests=[dg.RunRequest(asset_selection=asset_keys, tags={"nupes/changed": names})])
