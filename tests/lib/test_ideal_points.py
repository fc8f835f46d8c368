"""The ideal-point estimator on synthetic roll calls whose true positions are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import truncnorm

from orchestration.lib import ideal_points as ip

FAST = ip.Settings(n_bootstrap=3)


def synthetic(n_deputies: int, n_votes: int, dims: int, share_voting: float, seed: int):
    """Ballots simulated from the model itself, with absences, and the true positions."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_deputies, dims))
    alpha = rng.normal(scale=0.5, size=n_votes)
    beta = rng.normal(scale=1.5, size=(n_votes, dims))
    deputy, vote = np.nonzero(rng.random((n_deputies, n_votes)) < share_voting)
    utility = alpha[vote] + (x[deputy] * beta[vote]).sum(axis=1)
    y = np.where(utility + rng.normal(size=len(utility)) > 0, 1.0, -1.0)
    calls = ip.roll_calls([f"PA{d:04d}" for d in deputy], [f"V{v:05d}" for v in vote], y)
    return calls, x


def half_years(calls: ip.RollCalls) -> np.ndarray:
    """Two 'periods': the first and second half of the votes."""
    return np.where(calls.vote < calls.shape[1] // 2, "2023-H1", "2023-H2")


def test_the_e_step_is_the_mean_of_the_truncated_normal() -> None:
    mu = np.array([-6.0, -1.5, 0.0, 0.7, 4.0])
    calls = ip.RollCalls(np.arange(5), np.arange(5), np.array([1.0, 1.0, -1.0, -1.0, 1.0]), np.arange(5), np.arange(5))
    expected = [
        truncnorm.mean(-m, np.inf, loc=m) if y > 0 else truncnorm.mean(-np.inf, -m, loc=m) for m, y in zip(mu, calls.y)
    ]
    np.testing.assert_allclose(mu + ip.latent_residuals(calls, mu), expected, rtol=1e-9)


def test_one_dimension_recovers_the_true_positions() -> None:
    calls, truth = synthetic(150, 800, 1, 0.8, seed=1)
    fit = ip.fit_em(calls, ip.svd_start(calls, 1), FAST)
    assert abs(np.corrcoef(fit.x[:, 0], truth[:, 0])[0, 1]) >= 0.99


def test_two_dimensions_recover_the_true_positions_up_to_rotation() -> None:
    calls, truth = synthetic(150, 1500, 2, 0.8, seed=2)
    fit = ip.procrustes(ip.principal_axes(ip.fit_em(calls, ip.svd_start(calls, 2), FAST)), truth)
    for axis in range(2):
        assert np.corrcoef(fit.x[:, axis], truth[:, axis])[0, 1] >= 0.99


def test_sparse_em_steps_equal_the_dense_binirt_steps() -> None:
    """One step of the sparse EM against binIRT written out on the dense matrix (missing = mu)."""
    calls, _ = synthetic(40, 120, 2, 0.5, seed=3)
    start = ip.svd_start(calls, 2)
    start = ip.em_step(calls, start, calls.matrix(np.zeros_like(calls.y)), FAST)
    sparse = ip.em_step(calls, start, calls.matrix(np.zeros_like(calls.y)), FAST)

    mu = start.alpha[None, :] + start.x @ start.beta.T
    ystar = mu.copy()
    residual = ip.latent_residuals(calls, mu[calls.deputy, calls.vote])
    ystar[calls.deputy, calls.vote] += residual
    design = np.hstack([np.ones((40, 1)), start.x])
    coefficients = np.linalg.solve(design.T @ design + np.eye(3) / 25, design.T @ ystar)
    alpha, beta = coefficients[0], coefficients[1:].T
    x = np.linalg.solve(beta.T @ beta + np.eye(2), beta.T @ (ystar - alpha).T).T
    np.testing.assert_allclose(sparse.alpha, alpha, atol=1e-10)
    np.testing.assert_allclose(sparse.beta, beta, atol=1e-10)
    np.testing.assert_allclose(sparse.x, x, atol=1e-10)


def test_lopsided_votes_then_absent_deputies_are_dropped() -> None:
    deputies = [f"PA{d}" for d in range(40)]
    # V1: 39 pour, 1 contre (minority 2.5 %, kept); V2: 40 pour (dropped); 20 votes split 20/20.
    ballots = [(d, "V1", 1.0 if i else -1.0) for i, d in enumerate(deputies)]
    ballots += [(d, "V2", 1.0) for d in deputies]
    ballots += [(d, f"W{v:02d}", 1.0 if i % 2 else -1.0) for v in range(20) for i, d in enumerate(deputies[:39])]
    calls = ip.roll_calls(*zip(*ballots))
    kept = ip.subset(calls, ip.kept_ballots(calls, ip.Settings()))
    assert "V2" not in kept.vote_ids and "V1" in kept.vote_ids
    # PA39 has only V1 left (1 vote < 20): dropped; the others have 21.
    assert list(kept.deputy_ids) == sorted(deputies[:39])


def test_fit_statistics_follow_voteview() -> None:
    """Two votes, three deputies at -1, 0.5, 1 on one dimension, cutting point at 0."""
    calls = ip.roll_calls(["a", "b", "c", "a", "b", "c"], ["v", "v", "v", "w", "w", "w"], [-1, 1, 1, -1, -1, 1])
    fit = ip.Fit(x=np.array([[-1.0], [0.5], [1.0]]), alpha=np.zeros(2), beta=np.ones((2, 1)))
    stats = ip.classify(calls, fit)
    assert list(stats.vote_errors) == [0, 1]  # b votes contre on w while predicted pour
    assert stats.share_correct == pytest.approx(5 / 6)
    assert list(stats.vote_apre) == [1.0, 0.0]  # minority 1 on each vote; w's one error cancels it
    assert stats.apre == pytest.approx(0.5)


def test_polarity_puts_the_reference_deputies_below_zero() -> None:
    calls, _ = synthetic(60, 300, 2, 0.7, seed=4)
    reference = calls.deputy_ids[:10]
    estimates = ip.estimate(calls, half_years(calls), reference, FAST)
    assert (np.median(estimates.fit_2d.x[:10], axis=0) < 0).all()
    assert estimates.fit_1d.x[:10, 0].mean() < 0


def test_the_same_ballots_give_the_same_numbers_whatever_the_threads() -> None:
    calls, _ = synthetic(60, 300, 2, 0.7, seed=5)
    first = ip.estimate(calls, half_years(calls), calls.deputy_ids[:5], FAST, workers=2)
    second = ip.estimate(calls, half_years(calls), calls.deputy_ids[:5], FAST, workers=1)
    np.testing.assert_array_equal(first.fit_2d.x, second.fit_2d.x)
    np.testing.assert_array_equal(first.fit_2d.beta, second.fit_2d.beta)
    np.testing.assert_array_equal(first.bootstrap_x, second.bootstrap_x)
    for period_a, period_b in zip(first.periods, second.periods):
        np.testing.assert_array_equal(period_a.x, period_b.x)
    assert first.bootstrap_x.shape == (3, *first.fit_2d.x.shape)
    assert not np.array_equal(first.bootstrap_x[0], first.bootstrap_x[1])


def test_period_positions_are_the_posterior_modes_given_the_votes() -> None:
    """At each period's position the gradient of the log posterior in x is zero."""
    calls, _ = synthetic(50, 400, 2, 0.7, seed=6)
    estimates = ip.estimate(calls, half_years(calls), calls.deputy_ids[:5], FAST)
    period = estimates.periods[0]
    in_period = half_years(estimates.calls) == period.label
    x = np.zeros_like(estimates.fit_2d.x)
    x[period.rows] = period.x
    mu = ip.Fit(x, estimates.fit_2d.alpha, estimates.fit_2d.beta).utilities(estimates.calls)
    residual = np.where(in_period, ip.latent_residuals(estimates.calls, mu), 0.0)
    beta = estimates.fit_2d.beta[estimates.calls.vote]
    gradient = np.stack([np.bincount(estimates.calls.deputy, beta[:, a] * residual, 50) for a in range(2)], 1) - x
    np.testing.assert_allclose(gradient[period.rows], 0.0, atol=1e-4)  # stopped by the correlation rule


def test_a_subset_is_indexed_as_its_labels_would_be() -> None:
    calls, _ = synthetic(40, 120, 1, 0.6, seed=7)
    # Every fifth deputy and seventh vote dropped whole, the other ballots at random.
    keep = (np.random.default_rng(8).random(len(calls.y)) < 0.5) & (calls.deputy % 5 > 0) & (calls.vote % 7 > 0)
    kept = ip.subset(calls, keep)
    by_labels = ip.roll_calls(calls.deputy_ids[calls.deputy[keep]], calls.vote_ids[calls.vote[keep]], calls.y[keep])
    for field in ("deputy", "vote", "y", "deputy_ids", "vote_ids"):
        np.testing.assert_array_equal(getattr(kept, field), getattr(by_labels, field))
    assert kept.shape == (32, 102)


def test_ballot_indices_outside_the_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="index the labels"):
        ip.from_indices(np.array([0, 1]), np.array([0, 2]), np.array([1.0, -1.0]), ["a", "b"], ["v", "w"])
