"""One row per legislature: its ideal-point estimation (orchestration/lib/ideal_points.py).

Incremental by legislature: a legislature is re-estimated only when the fingerprint of its
ballots, or of the estimator, differs from the one its row was built from; delete+insert then
replaces that row alone. `dbt build --full-refresh` (`make rebuild`) re-estimates everything.
"""

import pyarrow as pa
from dbt.events.types import JinjaLogInfo
from dbt_common.events.functions import fire_event

from orchestration.lib.ideal_point_tables import (
    FINGERPRINT_SQL,
    ballots_sql,
    empty,
    estimate_legislature,
    input_fingerprint,
)
from orchestration.lib.ideal_points import Settings


def log(message):
    """Progress in dbt's log, at info level like the log() of a SQL model."""
    fire_event(JinjaLogInfo(msg=f"fct_ideal_point_fits: {message}"))


def published_fingerprints(dbt, session):
    """The fingerprint each legislature's current row was built from (none on a full build)."""
    if not dbt.is_incremental:
        return {}
    return dict(session.sql(f"select legislature, input_fingerprint from {dbt.this}").fetchall())


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="legislature",
        on_schema_change="fail",
    )
    settings = Settings()
    votes = dbt.ref("fct_deputy_votes")
    fingerprints = votes.query("votes", FINGERPRINT_SQL).fetchall()
    built = published_fingerprints(dbt, session)
    tables = []
    for legislature, data_fingerprint in fingerprints:
        fingerprint = input_fingerprint(data_fingerprint, settings)
        if built.get(legislature) == fingerprint:
            log(f"legislature {legislature}: ballots and estimator unchanged, estimates kept")
            continue
        rows = votes.query("votes", ballots_sql(legislature)).to_arrow_table()
        tables.append(estimate_legislature(rows, fingerprint, settings, log))
    return pa.concat_tables(tables) if tables else empty()
