"""The ideal-point marts of the real 16th, checked against a fit written here, from raw tables.

The test builds the vote matrix itself from the raw layer (raw.an_votes, raw.an_scrutins, not the
dbt models the Python model reads), applies the filters of docs/methods.md, and fits the same
probit model with its own few lines of EM: dense numpy, plain binIRT steps (the estimator takes
sparse, SQUAREM-accelerated ones), from the centred matrix's singular vectors computed by LAPACK
(not ARPACK). Its positions must correlate above 0.99 with the mart's, and each alliance group's
median must lie in the interval the mart gives it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy.special import log_ndtr, ndtr

from tests.test_cohesion_marts import GROUP_CODES_16, NUPES

pytestmark = pytest.mark.integration

RAW_BALLOTS_16 = """
select votes.acteur_ref, votes.scrutin_uid, votes.organe_ref, if(votes.position = 'pour', 1.0, -1.0) as y
from raw.an_votes as votes
inner join raw.an_scrutins as scrutins on votes.scrutin_uid = scrutins.uid
where scrutins.legislature = 16 and scrutins.uid like 'VTAN%' and scrutins.code_type_vote in ('SPO', 'SPS')
    and votes.position in ('pour', 'contre')
"""


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path):
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        yield con


def vote_matrix(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """Dense deputies x votes matrix (+1, -1, 0 missing) after the 2.5 % and 20-vote filters, the
    deputies' uids and the group of most of their ballots."""
    rows = con.sql(RAW_BALLOTS_16).fetchall()
    deputies = sorted({row[0] for row in rows})
    votes = sorted({row[1] for row in rows})
    d_index = {uid: i for i, uid in enumerate(deputies)}
    v_index = {uid: j for j, uid in enumerate(votes)}
    matrix = np.zeros((len(deputies), len(votes)))
    groups: dict[str, Counter[str]] = {uid: Counter() for uid in deputies}
    for deputy, vote, organe, y in rows:
        matrix[d_index[deputy], v_index[vote]] = y
        groups[deputy][GROUP_CODES_16.get(organe, organe)] += 1
    n_for, n_against = (matrix > 0).sum(axis=0), (matrix < 0).sum(axis=0)
    matrix = matrix[:, np.minimum(n_for, n_against) >= 0.025 * (n_for + n_against)]
    keep = (matrix != 0).sum(axis=1) >= 20
    kept = [uid for uid, k in zip(deputies, keep) if k]
    return matrix[keep], kept, {uid: groups[uid].most_common(1)[0][0] for uid in kept}


def dense_binirt(matrix: np.ndarray, start: np.ndarray, max_steps: int = 2000) -> np.ndarray:
    """binIRT's EM on the dense matrix, plain (no acceleration): truncated-normal means (mu where
    missing), two ridge regressions, until x, alpha and each beta correlate above 1 - 1e-6 with
    the previous step."""
    n, d = start.shape
    rows, cols = np.nonzero(matrix)
    y = matrix[rows, cols]
    x, coefficients = start, np.zeros((d + 1, matrix.shape[1]))
    previous = coefficients
    for step in range(max_steps):
        design = np.hstack([np.ones((n, 1)), x])
        ystar = design @ coefficients
        mu = ystar[rows, cols]
        ystar[rows, cols] += y * np.exp(-0.5 * mu**2 - log_ndtr(y * mu)) / np.sqrt(2 * np.pi)
        coefficients = np.linalg.solve(design.T @ design + np.eye(d + 1) / 25, design.T @ ystar)
        alpha, beta = coefficients[0], coefficients[1:].T
        new_x = np.linalg.solve(beta.T @ beta + np.eye(d), beta.T @ (ystar - alpha).T).T
        # Vectors: each column of x, then alpha and each beta (the rows of the coefficients).
        pairs = zip([*new_x.T, *coefficients], [*x.T, *previous])
        if step and min(np.corrcoef(new, old)[0, 1] for new, old in pairs) > 1 - 1e-6:
            return new_x
        x, previous = new_x, coefficients
    return x


def aligned(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    left, _, right = np.linalg.svd(x.T @ target)
    return x @ left @ right


@pytest.fixture(scope="module")
def independent_fit(warehouse: duckdb.DuckDBPyConnection):
    matrix, deputies, group_of = vote_matrix(warehouse)
    left = np.linalg.svd(matrix - matrix.mean(axis=0), full_matrices=False)[0][:, :2]
    return deputies, group_of, dense_binirt(matrix, (left - left.mean(axis=0)) / left.std(axis=0))


@pytest.fixture(scope="module")
def mart(warehouse: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, float]]:
    rows = warehouse.sql(
        "select deputy_uid, dim1, dim2 from marts.mart_deputy_ideal_points where legislature = 16"
    ).fetchall()
    return {uid: (dim1, dim2) for uid, dim1, dim2 in rows}


def test_the_mart_places_the_same_deputies_as_the_filters(independent_fit, mart) -> None:
    deputies, _, _ = independent_fit
    assert set(mart) == set(deputies)


def test_an_independent_fit_correlates_with_the_mart(independent_fit, mart) -> None:
    deputies, _, x = independent_fit
    published = np.array([mart[uid] for uid in deputies])
    x = aligned(x, published)
    for axis in range(2):
        assert np.corrcoef(x[:, axis], published[:, axis])[0, 1] >= 0.99


def test_each_alliance_group_median_is_inside_its_interval(
    warehouse: duckdb.DuckDBPyConnection, independent_fit, mart
) -> None:
    deputies, group_of, x = independent_fit
    published = np.array([mart[uid] for uid in deputies])
    x = aligned(x, published)
    intervals = {
        row[0]: row[1:]
        for row in warehouse.sql(
            """select group_code, dim1_median, dim1_median_low, dim1_median_high, dim2_median, dim2_median_low,
                   dim2_median_high
            from marts.mart_group_ideal_points where legislature = 16 and period = 'legislature'"""
        ).fetchall()
    }
    for group in NUPES:
        members = [i for i, uid in enumerate(deputies) if group_of[uid] == group]
        for axis in range(2):
            median, low, high = intervals[group][3 * axis : 3 * axis + 3]
            assert np.median(published[members, axis]) == pytest.approx(median)
            assert low < np.median(x[members, axis]) < high, (group, axis)


def test_fit_statistics_recount_from_the_parameters(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The legislature's share correctly classified and APRE, recounted from the marts' x, alpha, beta."""
    ballots = warehouse.sql(
        """select points.dim1, points.dim2, params.alpha, params.beta_1, params.beta_2, votes.position = 'for' as pour
        from marts.fct_deputy_votes as votes
        inner join marts.mart_deputy_ideal_points as points using (legislature, deputy_uid)
        inner join marts.mart_scrutin_ideal_parameters as params using (scrutin_uid)
        where votes.legislature = 16 and votes.in_cohesion_scope and votes.position in ('for', 'against')"""
    ).fetchnumpy()
    mu = ballots["alpha"] + ballots["beta_1"] * ballots["dim1"] + ballots["beta_2"] * ballots["dim2"]
    errors = (mu > 0) != ballots["pour"]
    [(share_correct, apre, n_ballots)] = warehouse.sql(
        "select share_correct, apre, n_ballots from marts.mart_ideal_point_fit where legislature = 16 and dimensions = 2"
    ).fetchall()
    assert len(mu) == n_ballots
    assert 1 - errors.mean() == pytest.approx(share_correct)
    [(minority,)] = warehouse.sql(
        "select sum(n_minority) from marts.mart_scrutin_ideal_parameters where legislature = 16"
    ).fetchall()
    assert (minority - errors.sum()) / minority == pytest.approx(apre)
    assert ndtr(np.where(ballots["pour"], mu, -mu)).min() > 0
