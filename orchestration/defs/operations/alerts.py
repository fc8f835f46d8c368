"""A failed run is said out loud: a clear log line, and a webhook post when one is configured."""

from __future__ import annotations

import dagster as dg

from orchestration.lib.alerts import failure_message, post_webhook
from orchestration.lib.config import load_settings


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs why a run failed and posts it to NUPES_ALERT_WEBHOOK when that is set.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    error = context.failure_event.message if context.failure_event else None
    message = failure_message(context.dagster_run.job_name, context.dagster_run.run_id, error)
    context.log.error(message)
    webhook = load_settings().alert_webhook
    if webhook:
        post_webhook(webhook, message)
