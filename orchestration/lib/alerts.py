"""Telling a person that a refresh failed: a log line always, a webhook post when configured."""

from __future__ import annotations

import requests


def failure_message(job_name: str, run_id: str, error: str | None) -> str:
    reason = (error or "unknown error").strip().splitlines()[0][:500]
    return (
        f"nupes-warehouse: run {run_id} of job {job_name} failed: {reason}. "
        "The previous publication of the warehouse is still served."
    )


def post_webhook(url: str, text: str, timeout_seconds: float = 10.0) -> None:
    """POST {"text": ...} (the shape Slack, Mattermost and most chat webhooks accept)."""
    response = requests.post(url, json={"text": text}, timeout=timeout_seconds)
    response.raise_for_status()
