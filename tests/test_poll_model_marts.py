"""The state-space poll marts of the warehouse the whole Dagster graph built (`built_warehouse`),
checked against values recomputed here from the real poll files, independently of the SQL and of
orchestration/lib/poll_model.py."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from orchestration.lib.config import PROJECT_ROOT
from tests.lib.state_space_reference import dense_posterior

pytestmark = pytest.mark.integration

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds" / "polls"
LEGISLATIVE_2022 = "github/EliasOrphelin/Legislatives2022/main/SondagesLegislatives2022.csv"
ELECTION_DAY = date(2022, 6, 12)
NUPES_RESULT = 25.66
HEADLINE_DAY = date(2022, 6, 10)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def slug(label: str) -> str:
    """The warehouse's fallback pollster code, written again: accents stripped, non-alphanumerics to _."""
    plain = unicodedata.normalize("NFKD", label.strip()).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", plain).lower().strip("_")


def pollster_code(label: str) -> str:
    aliases = {row["pollster_label"]: row["pollster_code"] for row in read_csv(SEEDS / "ref_poll_pollster_aliases.csv")}
    return aliases.get(label.strip().lower(), slug(label))


def parse_day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def nupes_polls_2022(shared_data: Path) -> list[dict]:
    """Every NUPES figure of the raw 2022 legislative file with its midpoint, and sample sizes the
    errata seed declares unknown set to None."""
    unknown = {
        row["poll_id"]
        for row in read_csv(SEEDS / "ref_poll_errata.csv")
        if row["field"] == "sample_size" and not row["right_value"]
    }
    polls = []
    for row in read_csv(shared_data / "polls" / LEGISLATIVE_2022):
        if row["type"] != "score" or row["parti"] != "NUPES":
            continue
        start, end = parse_day(row["debut_enquete"]), parse_day(row["fin_enquete"])
        poll_id = f"{start:%Y%m%d}_{end:%m%d}_{slug(row['nom_institut'])}"
        polls.append(
            {
                "pollster": pollster_code(row["nom_institut"]),
                "start": start,
                "end": end,
                "midpoint": start + timedelta(days=(end - start).days // 2),
                "sample_size": None if poll_id in unknown else int(row["echantillon"]),
                "value": float(row["intentions"]),
            }
        )
    return polls


def independent(polls: list[dict]) -> list[dict]:
    """methods.md's rule, written again: a pollster's poll whose fieldwork overlaps its last kept one is left out."""
    kept, last_end = [], {}
    for poll in sorted(polls, key=lambda poll: (poll["pollster"], poll["start"])):
        if poll["pollster"] in last_end and poll["start"] <= last_end[poll["pollster"]]:
            continue
        kept.append(poll)
        last_end[poll["pollster"]] = poll["end"]
    return kept


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path):
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        yield con


def test_every_large_series_is_calibrated(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The intervals mean what they say: for every series of at least 30 polls, 80-97 % of the polls
    fall inside their 90 % one-step-ahead predictive interval; each pollster's first poll is not checked."""
    series = warehouse.execute(
        "select election, subject_code, n_polls, n_pollsters, n_calibration_polls, calibration_share "
        "from marts.mart_poll_model_diagnostics where is_fitted and n_polls >= 30"
    ).fetchall()
    assert len(series) >= 20
    assert {election for election, *_ in series} == {"presidential_2022", "presidential_2027"}
    for election, subject, n_polls, n_pollsters, n_checked, share in series:
        assert n_checked == n_polls - n_pollsters, (election, subject)
        assert 0.80 <= share <= 0.97, (election, subject, share)


def test_the_calibration_share_is_the_share_of_polls_inside_their_predictive_interval(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    polls = warehouse.execute(
        "select fits.calibration_share, p.poll.value_pct, p.poll.predicted_pct, p.poll.predicted_sd_pts "
        "from marts.fct_poll_model_fits as fits, unnest(fits.polls) as p(poll) "
        "where fits.election = 'presidential_2022' and fits.subject_code = 'jean_luc_melenchon' "
        "and p.poll.in_calibration"
    ).fetchall()
    inside = [abs(value - predicted) <= 1.6448536269514722 * sd for _, value, predicted, sd in polls]
    assert polls[0][0] == pytest.approx(np.mean(inside))


def test_the_nupes_2022_series_holds_the_raw_files_independent_polls(
    warehouse: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    polls = nupes_polls_2022(shared_data)
    kept = independent(polls)
    row = warehouse.execute(
        "select n_polls, n_polls_overlapping, n_pollsters, first_poll_day, last_poll_day, is_anchored, result_pct "
        "from marts.mart_poll_model_diagnostics where election = 'legislative_2022' and subject_code = 'nupes'"
    ).fetchone()
    assert row == (
        len(kept),
        len(polls) - len(kept),
        len({poll["pollster"] for poll in kept}),
        min(poll["midpoint"] for poll in kept),
        max(poll["midpoint"] for poll in kept),
        True,
        NUPES_RESULT,
    )
    (last_day,) = warehouse.execute(
        "select last_poll_day from marts.mart_poll_model_daily "
        "where election = 'legislative_2022' and subject_code = 'nupes' and day = ?",
        [HEADLINE_DAY],
    ).fetchone()
    assert last_day == max(poll["midpoint"] for poll in kept if poll["midpoint"] <= HEADLINE_DAY)


def test_the_nupes_level_and_house_effects_equal_the_dense_posterior_at_the_marts_variances(
    warehouse: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    """The Kalman smoother's answer, recomputed from the raw file by solving the whole Gaussian
    problem at once, at the sigma and tau the diagnostics mart publishes."""
    kept = sorted(independent(nupes_polls_2022(shared_data)), key=lambda poll: poll["midpoint"])
    sigma, tau = warehouse.execute(
        "select sigma_pts, tau_pts from marts.mart_poll_model_diagnostics "
        "where election = 'legislative_2022' and subject_code = 'nupes'"
    ).fetchone()
    first = kept[0]["midpoint"]
    pollsters = sorted({poll["pollster"] for poll in kept})
    posterior = dense_posterior(
        np.array([(poll["midpoint"] - first).days for poll in kept]),
        np.array([poll["value"] for poll in kept]),
        np.array([np.nan if poll["sample_size"] is None else poll["sample_size"] for poll in kept], dtype=float),
        np.array([pollsters.index(poll["pollster"]) for poll in kept]),
        len(pollsters),
        (ELECTION_DAY - first).days + 1,
        sigma,
        tau,
        result=((ELECTION_DAY - first).days, NUPES_RESULT),
    )
    level, low, high = warehouse.execute(
        "select level_pct, low_90, high_90 from marts.mart_poll_model_daily "
        "where election = 'legislative_2022' and subject_code = 'nupes' and day = ?",
        [HEADLINE_DAY],
    ).fetchone()
    t = (HEADLINE_DAY - first).days
    assert level == pytest.approx(posterior.level[t], abs=1e-5)
    assert (high - low) / 2 == pytest.approx(1.6448536269514722 * posterior.level_sd[t], abs=1e-5)
    effects = dict(
        (code, (effect, se))
        for code, effect, se in warehouse.execute(
            "select pollster_code, house_effect_pts, house_effect_se_pts from marts.mart_poll_model_house_effects "
            "where election = 'legislative_2022' and subject_code = 'nupes'"
        ).fetchall()
    )
    assert sorted(effects) == pollsters
    for index, code in enumerate(pollsters):
        assert effects[code] == pytest.approx((posterior.house[index], posterior.house_sd[index]), abs=1e-5)


def test_each_pollsters_last_nupes_poll_is_scored_against_the_result(
    warehouse: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    last = {}
    for poll in nupes_polls_2022(shared_data):
        if poll["end"] <= ELECTION_DAY:
            current = last.get(poll["pollster"])
            if current is None or (poll["end"], poll["start"]) > (current["end"], current["start"]):
                last[poll["pollster"]] = poll
    rows = warehouse.execute(
        "select pollster_code, fieldwork_end, value_pct, result_pct, error_pts from marts.mart_pollster_accuracy "
        "where election = 'legislative_2022' and subject_code = 'nupes'"
    ).fetchall()
    assert {code: (end, value, result) for code, end, value, result, _ in rows} == {
        code: (poll["end"], poll["value"], NUPES_RESULT) for code, poll in last.items()
    }
    for code, _, _, _, error in rows:
        assert error == pytest.approx(last[code]["value"] - NUPES_RESULT)


def test_the_2022_and_2027_presidential_campaigns_are_separate_series(warehouse: duckdb.DuckDBPyConnection) -> None:
    spans = dict(
        warehouse.execute(
            "select election, [min(day), max(day)] from marts.mart_poll_model_daily "
            "where subject_code = 'jean_luc_melenchon' group by election"
        ).fetchall()
    )
    assert set(spans) == {"presidential_2022", "presidential_2027"}
    assert spans["presidential_2022"][1] == date(2022, 4, 10)  # anchored on election day
    assert spans["presidential_2027"][0] > date(2022, 4, 10)
