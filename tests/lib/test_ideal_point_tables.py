"""From ballots in DuckDB to the one-row Arrow table the dbt model writes, on synthetic votes."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from orchestration.lib import ideal_point_tables as tables
from orchestration.lib.ideal_points import Settings

SETTINGS = Settings(n_bootstrap=2)


@pytest.fixture(scope="module")
def votes() -> duckdb.DuckDBPyRelation:
    """fct_deputy_votes' columns for 60 deputies in two groups over 200 votes in two half-years,
    with one abstention and one vote outside the cohesion scope that the estimation must ignore."""
    rng = np.random.default_rng(7)
    x = np.r_[rng.normal(-1, 0.3, 30), rng.normal(1, 0.3, 30)]
    rows = []
    for vote in range(200):
        beta, alpha = rng.normal(scale=2), rng.normal(scale=0.5)
        date = f"2023-{'03' if vote < 100 else '09'}-01"
        for deputy in range(60):
            position = "for" if alpha + beta * x[deputy] + rng.normal() > 0 else "against"
            rows.append(
                (16, f"VTANR5L16V{vote:04d}", f"PA{deputy:03d}", "LFI" if deputy < 30 else "RE", date, position, True)
            )
    rows += [(16, "VTANR5L16V0000", "PA999", "LFI", "2023-03-01", "abstain", True)]
    rows += [(16, "VTANR5L16V9999", "PA000", "LFI", "2023-03-01", "for", False)]
    con = duckdb.connect()
    con.execute(
        "create table votes (legislature smallint, scrutin_uid varchar, deputy_uid varchar, group_code varchar,"
        " vote_date date, position varchar, in_cohesion_scope boolean)"
    )
    con.executemany("insert into votes values (?, ?, ?, ?, ?, ?, ?)", rows)
    return con.table("votes")


def test_one_row_holds_the_whole_estimation(votes: duckdb.DuckDBPyRelation) -> None:
    ballots = votes.query("votes", tables.ballots_sql(16)).to_arrow_table()
    result = tables.estimate_legislature(ballots, "fingerprint", SETTINGS, lambda _: None)
    assert result.schema == tables.SCHEMA and result.num_rows == 1
    row = result.to_pylist()[0]
    assert (row["n_deputies"], row["n_scrutins"], row["n_ballots"]) == (60, 200, 12000)
    deputies = pa.Table.from_pylist(row["deputies"])
    # Estimate and 2 replicates, for the legislature and each half-year, for every deputy.
    assert deputies.num_rows == 60 * 3 * 3
    assert set(deputies["period"].to_pylist()) == {"legislature", "2023-H1", "2023-H2"}
    estimates = [d for d in row["deputies"] if d["replicate"] == 0 and d["period"] == "legislature"]
    lfi = [d["dim1"] for d in estimates if d["group_code"] == "LFI"]
    assert np.median(lfi) < 0 and all(d["n_votes"] == 200 for d in estimates)
    assert all(d["n_votes"] is None for d in row["deputies"] if d["replicate"] > 0)
    assert len(row["scrutins"]) == 200


def test_the_fingerprint_follows_the_ballots_and_the_settings(votes: duckdb.DuckDBPyRelation) -> None:
    [(legislature, data)] = votes.query("votes", tables.FINGERPRINT_SQL).fetchall()
    assert legislature == 16
    changed = votes.query(
        "votes", "select * replace (if(deputy_uid = 'PA001', 'against', position) as position) from votes"
    )
    [(_, other_data)] = changed.query("votes", tables.FINGERPRINT_SQL).fetchall()
    assert other_data != data
    assert tables.input_fingerprint(data, SETTINGS) == tables.input_fingerprint(data, Settings(n_bootstrap=2))
    assert tables.input_fingerprint(data, SETTINGS) != tables.input_fingerprint(data, Settings(n_bootstrap=3))
