"""The poll model's posterior computed another way, for the tests: every day's level and the house
effects as one Gaussian vector, solved from the normal equations of the whole problem at once (no
filter, no recursion). Slow (dense, days x days) but independent of orchestration/lib/poll_model.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Posterior:
    level: np.ndarray
    level_sd: np.ndarray
    house: np.ndarray
    house_sd: np.ndarray


def dense_posterior(
    day: np.ndarray,
    value: np.ndarray,
    sample_size: np.ndarray,
    pollster: np.ndarray,
    n_pollsters: int,
    n_days: int,
    sigma: float,
    tau: float,
    *,
    result: tuple[int, float] | None = None,
    flat_variance: float = 1e4,
    result_variance: float = 1e-5,
) -> Posterior:
    """Levels follow a random walk (precision 1/sigma^2 on each daily difference), polls measure
    level + house with variance p(1-p)/n + tau^2 (p the mean share, n = 1,000 when unknown). With
    no result, house effects are h = B g with B an orthonormal basis of {sum h = 0}; with a result
    (day, value), h is free and the result is one more observation of the level alone."""
    m = n_pollsters
    basis = np.eye(m) if result else np.linalg.svd(np.eye(m) - 1.0 / m)[0][:, : m - 1]
    size = n_days + basis.shape[1]
    precision = np.zeros((size, size))
    precision[0, 0] += 1.0 / flat_variance
    precision[n_days:, n_days:] += np.eye(basis.shape[1]) / flat_variance
    for t in range(1, n_days):
        difference = np.zeros(size)
        difference[t], difference[t - 1] = 1.0, -1.0
        precision += np.outer(difference, difference) / sigma**2
    share = np.clip(np.mean(value) / 100, 0.005, 0.995)
    sizes = np.where(np.isnan(sample_size), 1000.0, sample_size)
    information = np.zeros(size)
    rows = []
    for t, y, h, n in zip(day, value, pollster, sizes):
        row = np.zeros(size)
        row[t] = 1.0
        row[n_days:] = basis[h]
        rows.append((row, y, share * (1 - share) / n * 1e4 + tau**2))
    if result:
        row = np.zeros(size)
        row[result[0]] = 1.0
        rows.append((row, result[1], result_variance))
    for row, y, variance in rows:
        precision += np.outer(row, row) / variance
        information += row * y / variance
    covariance = np.linalg.inv(precision)
    mean = covariance @ information
    house_cov = basis @ covariance[n_days:, n_days:] @ basis.T
    return Posterior(
        level=mean[:n_days],
        level_sd=np.sqrt(np.diag(covariance)[:n_days]),
        house=basis @ mean[n_days:],
        house_sd=np.sqrt(np.diag(house_cov)),
    )
