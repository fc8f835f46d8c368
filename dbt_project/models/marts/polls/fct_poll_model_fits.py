"""One row per poll series (election x first-round question x subject): its state-space fit
(orchestration/lib/poll_model.py), with the days, house effects and polls nested.

Rebuilt whole on every build: every series fits in a few seconds (scripts/bench), so there is no
fingerprint to keep, unlike the ideal points.
"""

from dbt.events.types import JinjaLogInfo
from dbt_common.events.functions import fire_event

from orchestration.lib.poll_model import Settings
from orchestration.lib.poll_model_tables import fit_all, read_polls


def log(message):
    """Progress in dbt's log, at info level like the log() of a SQL model."""
    fire_event(JinjaLogInfo(msg=f"fct_poll_model_fits: {message}"))


def model(dbt, session):
    dbt.config(materialized="table")
    polls = read_polls(
        session,
        {
            "results": dbt.ref("fct_poll_results"),
            "elections": dbt.ref("ref_poll_elections"),
            "official": dbt.ref("ref_poll_official_results"),
        },
    )
    return fit_all(polls, Settings(), log)
