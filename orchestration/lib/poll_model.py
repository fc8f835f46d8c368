"""A poll average with house effects and honest intervals: a state-space model (Jackman 2005).

Model, for one series (an election's question x subject): the level on day t is a Gaussian random
walk, level_t = level_(t-1) + eta_t, eta ~ N(0, sigma^2). A poll by pollster h with fieldwork
midpoint t and sample size n measures y = level_t + house_h + e, e ~ N(0, p(1-p)/n + tau^2): its
sampling variance plus tau^2, the variance beyond sampling (design effects, weighting, rounding of
the published figure). Everything is in percentage points.

The state is (level, house_1 .. house_H): house effects are constant states, estimated jointly
with the level by the same Kalman filter (a state-augmented filter). Without an official result
they are identified only relative to each other, so their prior covariance is restricted to the
subspace where they sum to zero, which every update keeps exactly. With an official result on
election day, that result is one more observation of the level alone, with no house effect and
(almost) no error: the house effects are then measured against it and have a full prior.

sigma and tau are maximum-likelihood estimates (the prediction-error decomposition of the
filter); the smoother of Durbin & Koopman (the univariate, inversion-free form of the
Rauch-Tung-Striebel smoother, "Time Series Analysis by State Space Methods", 2012, 4.4 and 6.4)
gives every day's level and every house effect with its variance.

Why poll by poll rather than day by day in the likelihood: between two polls only the level's
variance grows (gap x sigma^2), so the filter costs the number of polls, not of days, and every
series of the warehouse fits in a few seconds.

Pure numpy/scipy: no Dagster, no dbt, no DuckDB, no random draw: the same polls give the same
numbers on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

Z90 = float(norm.ppf(0.95))
Z95 = float(norm.ppf(0.975))


@dataclass(frozen=True)
class Settings:
    """Every choice of the model, in one place, so that a fit's fingerprint can name it."""

    # Prior variance (points^2) of the first level and of the house effects: sd 100 points, flat
    # on the scale of a share, so the data alone decide.
    diffuse_variance: float = 1e4
    # A poll whose sample size is unknown counts as 1,000 interviews, as in the window average.
    unknown_sample_size: float = 1000.0
    # Variance (points^2) of an official result as an observation of the level: it is published
    # to two decimals, so its rounding error (0.005 points) is all it has.
    result_variance: float = 1e-5
    # Bounds of the maximum-likelihood search: sigma in points per day, tau in points.
    sigma_bounds: tuple[float, float] = (1e-3, 5.0)
    tau_bounds: tuple[float, float] = (1e-3, 10.0)


@dataclass(frozen=True)
class Series:
    """One series' polls, sorted by day, with its pollsters indexed 0 .. n_pollsters - 1.

    day counts from the series' first day (0); the series' days run 0 .. n_days - 1."""

    day: np.ndarray  # int64
    value: np.ndarray  # float64, points
    sample_size: np.ndarray  # float64, nan when unknown
    pollster: np.ndarray  # int64
    n_pollsters: int
    n_days: int
    result_day: int | None = None  # the election day, when an official result anchors the level
    result_value: float | None = None

    @property
    def anchored(self) -> bool:
        return self.result_day is not None


def series(
    day: np.ndarray,
    value: np.ndarray,
    sample_size: np.ndarray,
    pollster: np.ndarray,
    n_pollsters: int,
    result_day: int | None = None,
    result_value: float | None = None,
) -> Series:
    """A Series, checked: polls in day order (ties keep the caller's order), days from 0."""
    day = np.asarray(day, dtype=np.int64)
    if len(day) == 0 or day.min() != 0 or (np.diff(day) < 0).any():
        raise ValueError("polls must be sorted by day, the first on day 0")
    last = int(day.max()) if result_day is None else max(int(day.max()), int(result_day))
    return Series(
        day=day,
        value=np.asarray(value, dtype=np.float64),
        sample_size=np.asarray(sample_size, dtype=np.float64),
        pollster=np.asarray(pollster, dtype=np.int64),
        n_pollsters=int(n_pollsters),
        n_days=last + 1,
        result_day=None if result_day is None else int(result_day),
        result_value=None if result_value is None else float(result_value),
    )


def sampling_variance(data: Series, settings: Settings) -> np.ndarray:
    """p(1-p)/n in points^2, with p the series' mean share: a poll's own figure would give its low
    draws smaller variances, so more weight, and pull the level down."""
    share = np.clip(data.value.mean() / 100.0, 0.005, 0.995)
    n = np.where(np.isnan(data.sample_size), settings.unknown_sample_size, data.sample_size)
    return share * (1.0 - share) / n * 1e4


def diffuse_polls(data: Series) -> np.ndarray:
    """Each pollster's first poll: its prediction rests on the flat prior of its house effect, not
    on data, so it is left out of the likelihood and of the calibration check (the approximate
    diffuse likelihood: one observation per diffuse direction of the state)."""
    first = np.zeros(len(data.day), dtype=bool)
    _, index = np.unique(data.pollster, return_index=True)
    first[index] = True
    return first


def initial_covariance(data: Series, settings: Settings) -> np.ndarray:
    """Flat priors; without a result, house effects live where they sum to zero."""
    m = data.n_pollsters
    covariance = np.zeros((m + 1, m + 1))
    covariance[0, 0] = settings.diffuse_variance
    house = np.eye(m) if data.anchored else np.eye(m) - 1.0 / m
    covariance[1:, 1:] = settings.diffuse_variance * house
    return covariance


@dataclass(frozen=True)
class Observations:
    """Polls (and the result, last on its day) in filter order: what each measures and how well."""

    day: np.ndarray
    value: np.ndarray
    house: np.ndarray  # state index of the house effect, -1 for the official result
    sampling: np.ndarray  # known variance: sampling, or the result's rounding
    is_poll: np.ndarray
    in_likelihood: np.ndarray


def observations(data: Series, settings: Settings) -> Observations:
    n = len(data.day)
    sampling = sampling_variance(data, settings)
    keep = ~diffuse_polls(data)
    if not data.anchored:
        return Observations(data.day, data.value, data.pollster + 1, sampling, np.ones(n, bool), keep)
    # The result closes its day, after that day's polls.
    at = int(np.searchsorted(data.day, data.result_day, side="right"))
    return Observations(
        day=np.insert(data.day, at, data.result_day),
        value=np.insert(data.value, at, data.result_value),
        house=np.insert(data.pollster + 1, at, -1),
        sampling=np.insert(sampling, at, settings.result_variance),
        is_poll=np.insert(np.ones(n, bool), at, False),
        # The result resolves the last diffuse direction (the level's scale) when it comes last.
        in_likelihood=np.insert(keep, at, False),
    )


def log_likelihood(
    data: Series, obs: Observations, sigma: np.ndarray, tau: np.ndarray, settings: Settings
) -> np.ndarray:
    """The prediction-error decomposition, sum of log N(v_i; 0, F_i) over the non-diffuse polls,
    for many (sigma, tau) at once: the filter's cost is numpy's overhead per poll, so running a
    whole grid of parameters through one pass costs little more than one."""
    sigma, tau = np.atleast_1d(sigma).astype(float), np.atleast_1d(tau).astype(float)
    g, m = len(sigma), data.n_pollsters + 1
    state = np.zeros((g, m))
    covariance = np.repeat(initial_covariance(data, settings)[None], g, axis=0)
    q = sigma * sigma
    extra = tau * tau
    total, previous = np.zeros(g), 0
    for i in range(len(obs.day)):
        covariance[:, 0, 0] += (obs.day[i] - previous) * q
        previous = obs.day[i]
        k = obs.house[i]
        if k > 0:
            gain = covariance[:, :, 0] + covariance[:, :, k]
            predicted = state[:, 0] + state[:, k]
            f = gain[:, 0] + gain[:, k] + obs.sampling[i] + extra
        else:
            gain = covariance[:, :, 0].copy()
            predicted = state[:, 0]
            f = gain[:, 0] + obs.sampling[i]
        v = obs.value[i] - predicted
        if obs.in_likelihood[i]:
            total -= 0.5 * (np.log(2.0 * np.pi * f) + v * v / f)
        state += gain * (v / f)[:, None]
        covariance -= gain[:, :, None] * (gain / f[:, None])[:, None, :]
    return total


# The maximum-likelihood search: a grid over (log sigma, log tau) spanning the bounds, then grids
# around the best point, each a third as wide, until a step is under 1 % of the value.
FIRST_GRID_POINTS = 9
ZOOM_GRID_POINTS = 7
LOG_STEP_TOLERANCE = 0.01


def estimate_variances(data: Series, settings: Settings) -> tuple[float, float, float]:
    """(sigma, tau, log-likelihood) by maximum likelihood on the log scale (both are positive and
    their plausible values span orders of magnitude). A grid rather than a gradient search: it
    finds the global maximum of a likelihood that can be flat or have two modes, evaluates a whole
    grid in one pass of the filter, and is deterministic."""
    obs = observations(data, settings)
    lower = np.log([settings.sigma_bounds[0], settings.tau_bounds[0]])
    upper = np.log([settings.sigma_bounds[1], settings.tau_bounds[1]])
    centre, half_width, points = (lower + upper) / 2, (upper - lower) / 2, FIRST_GRID_POINTS
    while True:
        axes = [
            np.clip(np.linspace(c - w, c + w, points), lo, hi) for c, w, lo, hi in zip(centre, half_width, lower, upper)
        ]
        log_sigma, log_tau = (grid.ravel() for grid in np.meshgrid(*axes, indexing="ij"))
        values = log_likelihood(data, obs, np.exp(log_sigma), np.exp(log_tau), settings)
        best = int(np.argmax(values))
        centre = np.array([log_sigma[best], log_tau[best]])
        step = 2 * half_width / (points - 1)
        if step.max() < LOG_STEP_TOLERANCE:
            return float(np.exp(centre[0])), float(np.exp(centre[1])), float(values[best])
        half_width, points = step, ZOOM_GRID_POINTS


def _noise(obs: Observations, tau: float) -> np.ndarray:
    return obs.sampling + np.where(obs.is_poll, tau * tau, 0.0)


@dataclass(frozen=True)
class Fit:
    """A series fitted: smoothed daily level, house effects, and the one-step-ahead check."""

    sigma: float
    tau: float
    log_likelihood: float
    level: np.ndarray  # per day, points
    level_sd: np.ndarray
    house: np.ndarray  # per pollster, points; positive = the pollster gives the subject more
    house_sd: np.ndarray
    predicted: np.ndarray  # per poll: level + house effect from the filter before it
    predicted_sd: np.ndarray  # with the poll's own noise
    in_calibration: np.ndarray  # not a pollster's first poll
    inside_90: np.ndarray

    @property
    def n_calibration(self) -> int:
        return int(self.in_calibration.sum())

    @property
    def calibration_share(self) -> float | None:
        """Share of the checked polls inside their 90 % predictive interval (should be ~0.90)."""
        if not self.n_calibration:
            return None
        return float(self.inside_90[self.in_calibration].mean())


def smooth(data: Series, sigma: float, tau: float, settings: Settings) -> Fit:
    """Filter forward over every day, then the Durbin-Koopman backward pass.

    Smoothed state on day t: a_t + P_t r_t and P_t - P_t N_t P_t, with (a_t, P_t) the prediction at
    the start of day t and (r_t, N_t) the backward recursions through day t's observations. It
    never inverts P, which is singular when house effects sum to zero."""
    obs = observations(data, settings)
    noise = _noise(obs, tau)
    m = data.n_pollsters + 1
    n_obs, n_days = len(obs.day), data.n_days
    state = np.zeros(m)
    covariance = initial_covariance(data, settings)
    day_state = np.empty((n_days, m))
    day_covariance = np.empty((n_days, m, m))
    innovations, variances = np.empty(n_obs), np.empty(n_obs)
    gains = np.empty((n_obs, m))
    predicted = np.empty(n_obs)
    i = 0
    for t in range(n_days):
        if t:
            covariance[0, 0] += sigma * sigma
        day_state[t], day_covariance[t] = state, covariance
        while i < n_obs and obs.day[i] == t:
            row = _row(obs.house[i], m)
            gain = covariance @ row
            predicted[i] = row @ state
            variances[i] = row @ gain + noise[i]
            innovations[i] = obs.value[i] - predicted[i]
            gains[i] = gain / variances[i]
            state = state + gains[i] * innovations[i]
            covariance = covariance - np.outer(gains[i], gain)
            i += 1
    r, n_matrix = np.zeros(m), np.zeros((m, m))
    level, level_var = np.empty(n_days), np.empty(n_days)
    house, house_cov = None, None
    i = n_obs - 1
    for t in range(n_days - 1, -1, -1):
        while i >= 0 and obs.day[i] == t:
            row = _row(obs.house[i], m)
            # L = I - K Z': r <- Z v / F + L' r,  N <- Z Z' / F + L' N L.
            r = row * (innovations[i] / variances[i]) + r - row * (gains[i] @ r)
            nk = n_matrix @ gains[i]
            n_matrix = (
                np.outer(row, row) * (1.0 / variances[i] + gains[i] @ nk)
                + n_matrix
                - np.outer(row, nk)
                - np.outer(nk, row)
            )
            i -= 1
        p = day_covariance[t]
        smoothed = day_state[t] + p @ r
        smoothed_cov = p - p @ n_matrix @ p
        level[t], level_var[t] = smoothed[0], smoothed_cov[0, 0]
        if t == n_days - 1:  # constant states: the same on every day
            house, house_cov = smoothed[1:], smoothed_cov[1:, 1:]
    poll = obs.is_poll
    sd = np.sqrt(variances[poll])
    inside = np.abs(innovations[poll]) <= Z90 * sd
    return Fit(
        sigma=sigma,
        tau=tau,
        log_likelihood=float(log_likelihood(data, obs, sigma, tau, settings)[0]),
        level=level,
        level_sd=np.sqrt(np.maximum(level_var, 0.0)),
        house=house,
        house_sd=np.sqrt(np.maximum(np.diag(house_cov), 0.0)),
        predicted=predicted[poll],
        predicted_sd=sd,
        in_calibration=obs.in_likelihood[poll],
        inside_90=inside,
    )


def _row(house: int, m: int) -> np.ndarray:
    """Z: the level, plus the pollster's house effect (none for the official result)."""
    row = np.zeros(m)
    row[0] = 1.0
    if house > 0:
        row[house] = 1.0
    return row


def fit(data: Series, settings: Settings | None = None) -> Fit:
    """Maximum-likelihood sigma and tau, then the smoothed series at them."""
    settings = settings or Settings()
    sigma, tau, _ = estimate_variances(data, settings)
    return smooth(data, sigma, tau, settings)
