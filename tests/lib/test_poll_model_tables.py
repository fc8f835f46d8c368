"""Which polls make a series, and the one-row-per-series Arrow shape (orchestration/lib/poll_model_tables.py),
on small tables built here."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pytest

from orchestration.lib import poll_model_tables as tables
from orchestration.lib.poll_model import Settings

ELECTIONS = """
select * from (values
    ('presidential_2022', 'presidential_first_round', date '2022-04-10'),
    ('presidential_2027', 'presidential_first_round', null::date)
) as elections (election, question, election_day)
"""
OFFICIAL = "select 'presidential_2022' as election, 'a' as subject_code, 30.0::double as result_pct"


def results_sql(rows: list[tuple]) -> str:
    """fct_poll_results' columns that POLLS_SQL reads, one row per tuple."""
    values = ",\n".join(
        f"('{question}', '{subject}', '{poll}', '{pollster}', '{hypothesis}', {row}, date '{start}', date '{end}', "
        f"{size}, {value})"
        for question, subject, poll, pollster, hypothesis, row, start, end, size, value in rows
    )
    return (
        f"select * from (values {values}) as results (question, subject_code, poll_id, pollster_code, hypothesis, "
        "source_row, fieldwork_start, fieldwork_end, sample_size, value_pct)"
    )


def read(rows: list[tuple]):
    con = duckdb.connect()
    return tables.read_polls(
        con, {"results": con.sql(results_sql(rows)), "elections": con.sql(ELECTIONS), "official": con.sql(OFFICIAL)}
    )


def test_a_poll_enters_its_election_once_with_its_first_hypothesis_testing_the_subject() -> None:
    polls = read(
        [
            ("presidential_first_round", "a", "p1", "x", "H2", 1, "2022-04-01", "2022-04-03", 1000, 20.0),
            ("presidential_first_round", "a", "p1", "x", "H1", 5, "2022-04-01", "2022-04-03", 1000, 22.0),
            ("presidential_first_round", "b", "p1", "x", "H1", 6, "2022-04-01", "2022-04-03", 1000, 9.0),
            ("presidential_first_round", "a", "p2", "y", "main", 7, "2022-04-09", "2022-04-11", 1000, 25.0),
            ("presidential_first_round", "a", "p3", "y", "main", 8, "2022-04-11", "2022-04-12", 1000, 26.0),
            ("presidential_second_round", "a", "p4", "y", "main", 9, "2022-04-12", "2022-04-13", 1000, 55.0),
        ]
    ).to_pylist()
    placed = {(row["election"], row["subject_code"], row["poll_id"]): row for row in polls}
    assert set(placed) == {
        ("presidential_2022", "a", "p1"),
        ("presidential_2022", "b", "p1"),
        ("presidential_2022", "a", "p2"),  # midpoint on election day
        ("presidential_2027", "a", "p3"),  # midpoint the day after: the next election
    }
    first = placed[("presidential_2022", "a", "p1")]
    assert (first["hypothesis"], first["value_pct"], first["poll_day"]) == ("H2", 20.0, date(2022, 4, 2))
    assert first["result_pct"] == 30.0
    assert placed[("presidential_2027", "a", "p3")]["result_pct"] is None


def test_overlapping_waves_of_one_pollster_are_left_out_but_not_another_pollsters() -> None:
    day = np.datetime64("2022-01-01")
    start = np.array([day, day + 1, day + 3, day + 4, day + 1])
    end = np.array([day + 2, day + 3, day + 5, day + 6, day + 3])
    keep = tables.independent_waves(np.array(["r", "r", "r", "r", "s"]), start, end)
    # r's second wave overlaps its first; its third starts after the first ended; its fourth overlaps the third.
    assert keep.tolist() == [True, False, True, False, True]


def synthetic_rows(n_polls: int) -> list[tuple]:
    rng = np.random.default_rng(4)
    rows = []
    for i in range(n_polls):
        start = date(2021, 9, 1) + timedelta(days=int(4 * i))
        pollster = "xyz"[i % 3]
        value = 20.0 + i * 0.02 + {"x": 1.0, "y": 0.0, "z": -1.0}[pollster] + rng.normal(0, 1)
        rows.append(
            (
                "presidential_first_round",
                "a",
                f"p{i}",
                pollster,
                "main",
                i,
                start,
                start + timedelta(days=2),
                1000,
                value,
            )
        )
    return rows


def test_every_series_is_one_row_with_its_days_house_effects_and_polls_nested() -> None:
    polls = read(
        synthetic_rows(40)
        + [("presidential_first_round", "b", "q", "x", "main", 99, "2022-01-05", "2022-01-06", "null", 5.0)]
    )
    fits = tables.fit_all(polls, Settings(), lambda _: None)
    assert fits.schema == tables.SCHEMA
    by_subject = {row["subject_code"]: row for row in fits.to_pylist()}
    fitted, small = by_subject["a"], by_subject["b"]
    assert (fitted["is_fitted"], fitted["is_anchored"], fitted["n_polls"], fitted["n_pollsters"]) == (True, True, 40, 3)
    assert (small["is_fitted"], small["days"], small["house_effects"], len(small["polls"])) == (False, [], [], 1)
    days = fitted["days"]
    # First poll's midpoint to election day, every day once.
    assert days[0]["day"] == date(2021, 9, 2) and days[-1]["day"] == date(2022, 4, 10)
    assert len(days) == (date(2022, 4, 10) - date(2021, 9, 2)).days + 1
    assert days[-1]["level_pct"] == pytest.approx(30.0, abs=0.01)
    assert days[-1]["n_polls_used"] == 40
    assert [effect["pollster_code"] for effect in fitted["house_effects"]] == ["x", "y", "z"]
    assert sum(effect["n_polls"] for effect in fitted["house_effects"]) == 40
    checked = [poll for poll in fitted["polls"] if poll["in_calibration"]]
    assert len(checked) == fitted["n_calibration_polls"] == 37
    assert fitted["calibration_share"] == pytest.approx(np.mean([poll["inside_90"] for poll in checked]))
