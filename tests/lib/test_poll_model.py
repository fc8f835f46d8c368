"""The state-space poll model (orchestration/lib/poll_model.py) on polls simulated here from a known
random walk and known house effects, and against the same posterior computed independently by
dense linear algebra."""

from __future__ import annotations

import numpy as np
import pytest

from orchestration.lib import poll_model
from orchestration.lib.poll_model import Settings
from tests.lib.state_space_reference import dense_posterior

N_DAYS = 400
HOUSE = np.array([1.5, -1.0, 0.5, -0.5, -0.5])  # sums to zero
SIGMA, TAU = 0.15, 0.8


def simulate(seed: int, n_polls: int = 300, house: np.ndarray = HOUSE) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A true level (a random walk from 25 %) and polls of it: level + house + sampling + tau."""
    rng = np.random.default_rng(seed)
    level = 25.0 + np.concatenate([[0.0], np.cumsum(rng.normal(0.0, SIGMA, N_DAYS - 1))])
    day = np.sort(rng.integers(0, N_DAYS, n_polls))
    day[0], day[-1] = 0, N_DAYS - 1
    pollster = rng.integers(0, len(house), n_polls)
    sample_size = rng.integers(800, 2500, n_polls).astype(float)
    share = level[day] / 100
    noise_sd = np.sqrt(share * (1 - share) / sample_size * 1e4 + TAU**2)
    value = level[day] + house[pollster] + rng.normal(0.0, noise_sd)
    return level, {"day": day, "value": value, "sample_size": sample_size, "pollster": pollster}


@pytest.fixture(scope="module")
def simulated() -> tuple[np.ndarray, dict[str, np.ndarray], poll_model.Fit]:
    level, polls = simulate(seed=7)
    return level, polls, poll_model.fit(poll_model.series(**polls, n_pollsters=len(HOUSE)))


def test_the_fit_recovers_the_random_walk_within_its_interval(simulated) -> None:
    level, _, fit = simulated
    inside = np.abs(fit.level - level) <= poll_model.Z90 * fit.level_sd
    assert 0.80 <= inside.mean() <= 1.0
    assert np.abs(fit.level - level).mean() < 0.5


def test_the_fit_recovers_the_house_effects_and_the_variances(simulated) -> None:
    _, _, fit = simulated
    assert fit.house.sum() == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.abs(fit.house - HOUSE) <= 3 * fit.house_sd)
    assert np.all(fit.house_sd < 0.3)
    assert fit.sigma == pytest.approx(SIGMA, rel=0.35)
    assert fit.tau == pytest.approx(TAU, rel=0.25)


def test_the_one_step_ahead_check_covers_about_90_percent(simulated) -> None:
    _, polls, fit = simulated
    assert fit.n_calibration == len(polls["day"]) - len(HOUSE)  # each pollster's first poll is not checked
    assert 0.85 <= fit.calibration_share <= 0.95
    recomputed = np.abs(polls["value"] - fit.predicted) <= poll_model.Z90 * fit.predicted_sd
    assert np.array_equal(recomputed, fit.inside_90)


def test_an_official_result_reveals_a_bias_every_pollster_shares() -> None:
    """Every pollster 1 point too high: invisible without the result (effects sum to zero), measured
    against it."""
    shared_bias = HOUSE + 1.0
    level, polls = simulate(seed=11, house=shared_bias)
    free = poll_model.fit(poll_model.series(**polls, n_pollsters=len(HOUSE)))
    anchored = poll_model.fit(
        poll_model.series(**polls, n_pollsters=len(HOUSE), result_day=N_DAYS - 1, result_value=float(level[-1]))
    )
    assert anchored.level[-1] == pytest.approx(level[-1], abs=0.01)
    assert np.all(np.abs(anchored.house - shared_bias) <= 3 * anchored.house_sd)
    assert anchored.house.mean() == pytest.approx(1.0, abs=0.4)
    assert free.house.sum() == pytest.approx(0.0, abs=1e-9)
    assert np.abs(free.level - level).mean() > 0.6


def test_the_same_polls_give_the_same_numbers() -> None:
    _, polls = simulate(seed=3, n_polls=120)
    first = poll_model.fit(poll_model.series(**polls, n_pollsters=len(HOUSE)))
    second = poll_model.fit(poll_model.series(**polls, n_pollsters=len(HOUSE)))
    for name in ("level", "level_sd", "house", "house_sd", "predicted", "predicted_sd"):
        assert np.array_equal(getattr(first, name), getattr(second, name)), name
    assert (first.sigma, first.tau) == (second.sigma, second.tau)


def test_the_smoother_equals_the_dense_posterior() -> None:
    _, polls = simulate(seed=5, n_polls=60)
    keep = polls["day"] < 120
    polls = {name: values[keep] for name, values in polls.items()}
    data = poll_model.series(**polls, n_pollsters=len(HOUSE))
    settings = Settings()
    smoothed = poll_model.smooth(data, 0.2, 0.7, settings)
    dense = dense_posterior(
        data.day, data.value, data.sample_size, data.pollster, data.n_pollsters, data.n_days, 0.2, 0.7
    )
    assert_same_posterior(smoothed, dense)


def test_the_anchored_smoother_equals_the_dense_posterior() -> None:
    level, polls = simulate(seed=6, n_polls=60)
    keep = polls["day"] < 120
    polls = {name: values[keep] for name, values in polls.items()}
    data = poll_model.series(**polls, n_pollsters=len(HOUSE), result_day=130, result_value=float(level[130]))
    smoothed = poll_model.smooth(data, 0.2, 0.7, Settings())
    dense = dense_posterior(
        data.day,
        data.value,
        data.sample_size,
        data.pollster,
        data.n_pollsters,
        data.n_days,
        0.2,
        0.7,
        result=(130, float(level[130])),
    )
    assert_same_posterior(smoothed, dense)


def assert_same_posterior(smoothed: poll_model.Fit, dense) -> None:
    np.testing.assert_allclose(smoothed.level, dense.level, atol=1e-6)
    np.testing.assert_allclose(smoothed.level_sd, dense.level_sd, atol=1e-6)
    np.testing.assert_allclose(smoothed.house, dense.house, atol=1e-6)
    np.testing.assert_allclose(smoothed.house_sd, dense.house_sd, atol=1e-6)


def test_the_likelihood_is_maximal_at_the_estimate() -> None:
    _, polls = simulate(seed=9, n_polls=150)
    data = poll_model.series(**polls, n_pollsters=len(HOUSE))
    settings = Settings()
    sigma, tau, best = poll_model.estimate_variances(data, settings)
    obs = poll_model.observations(data, settings)
    around = poll_model.log_likelihood(
        data, obs, sigma * np.array([0.9, 1.1, 1.0, 1.0]), tau * np.array([1.0, 1.0, 0.9, 1.1]), settings
    )
    assert np.all(around < best)


def test_polls_out_of_day_order_are_refused() -> None:
    with pytest.raises(ValueError, match="sorted by day"):
        poll_model.series(np.array([0, 3, 2]), np.ones(3), np.ones(3), np.zeros(3, int), 1)
