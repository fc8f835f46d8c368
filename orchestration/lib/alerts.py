"""Telling a person that a refresh failed, or succeeded leaving records out: a log line always, a
webhook post when configured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import requests

# A chat message stays readable: the first members in full, then a count (raw.quarantine has all).
LISTED_MEMBERS = 20
ERROR_CHARACTERS = 300


def failure_message(job_name: str, run_id: str, error: str | None) -> str:
    reason = (error or "unknown error").strip().splitlines()[0][:500]
    return (
        f"nupes-warehouse: run {run_id} of job {job_name} failed: {reason}. "
        "The previous publication of the warehouse is still served."
    )


def quarantine_message(job_name: str, run_id: str, quarantined: Sequence[Mapping[str, object]]) -> str:
    """What a successful run left out: every member (up to LISTED_MEMBERS), its source, whether it
    kept its previous rows, and its error."""
    lines = [
        f"- {item['source']} {item['member']} ("
        + ("previous rows kept" if item["kept_previous_rows"] else "no previous rows")
        + f"): {str(item['error'])[:ERROR_CHARACTERS]}"
        for item in quarantined[:LISTED_MEMBERS]
    ]
    if len(quarantined) > LISTED_MEMBERS:
        lines.append(f"- and {len(quarantined) - LISTED_MEMBERS:,} more")
    members = "member" if len(quarantined) == 1 else "members"
    return (
        f"nupes-warehouse: run {run_id} of job {job_name} succeeded, but {len(quarantined):,} {members}"
        " could not be loaded and are quarantined (raw.quarantine); everything else was loaded:\n" + "\n".join(lines)
    )


def post_webhook(url: str, text: str, timeout_seconds: float = 10.0) -> None:
    """POST {"text": ...} (the shape Slack, Mattermost and most chat webhooks accept)."""
    response = requests.post(url, json={"text": text}, timeout=timeout_seconds)
    response.raise_for_status()
