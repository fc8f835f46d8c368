"""A failed run is said out loud, and so is a successful one that quarantined records: a clear log
line, and a webhook post when one is configured.

Run status sensors, so the alert is the daemon's, outside the run: it fires for the nightly
schedule's runs and the change sensor's alike, and a webhook that is down never fails a refresh.
"""

import dagster as dg

from orchestration.defs.resources import WarehouseSettings
from orchestration.lib.alerts import failure_message, post_webhook, quarantine_message
from orchestration.lib.refresh import QUARANTINE_CHECK, QUARANTINED_METADATA


def _post(settings: WarehouseSettings, message: str) -> None:
    webhook = settings.resolve().alert_webhook
    if webhook:
        post_webhook(webhook, message)


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs why a run failed and posts it to NUPES_ALERT_WEBHOOK when that is set.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, settings: WarehouseSettings) -> None:
    error = context.failure_event.message if context.failure_event else None
    message = failure_message(context.dagster_run.job_name, context.dagster_run.run_id, error)
    context.log.error(message)
    _post(settings, message)


def quarantined_in_run(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, object]]:
    """Every member the run's quarantine checks listed (their WARN evaluations' metadata)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    listed: dict[tuple[object, object], dict[str, object]] = {}
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.check_name != QUARANTINE_CHECK or evaluation.passed:
            continue
        for item in evaluation.metadata[QUARANTINED_METADATA].value:
            listed[(item["source"], item["member"])] = item
    return [listed[key] for key in sorted(listed, key=str)]


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="alert_on_quarantined_members",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a successful run whose quarantine checks warned, logs every quarantined member"
    " and posts them to NUPES_ALERT_WEBHOOK when that is set.",
)
def alert_on_quarantined_members(context: dg.RunStatusSensorContext, settings: WarehouseSettings) -> None:
    quarantined = quarantined_in_run(context.instance, context.dagster_run.run_id)
    if not quarantined:
        return
    message = quarantine_message(context.dagster_run.job_name, context.dagster_run.run_id, quarantined)
    context.log.warning(message)
    _post(settings, message)
