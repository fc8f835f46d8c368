"""Ideal points from roll calls: the binary probit IRT model fitted by EM (Imai, Lo & Olmsted 2016).

Model: y*_ij = alpha_j + beta_j . x_i + e_ij, e ~ N(0, 1); deputy i votes "pour" on vote j when
y* > 0. Priors x ~ N(0, I), (alpha, beta) ~ N(0, 25 I). The EM is that of emIRT's `binIRT`: the
E-step replaces y* by its conditional mean (a truncated normal's mean for "pour" and "contre", mu
where the deputy did not vote), the M-step is two ridge regressions, one for the vote parameters
and one for each deputy.

Why sparse: the vote matrix of a legislature is mostly missing (absences, deputies replaced during
the term). Writing y* = mu + r, with r non-zero only where the deputy voted, both regressions are
products of small dense matrices and of the sparse r, so an iteration costs the number of ballots,
not deputies x votes, and a legislature five times the 16th fits in the same memory per ballot.

Pure numpy/scipy: no Dagster, no dbt, no DuckDB. Every random draw comes from a seeded Generator,
so the same roll calls give the same numbers on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, svds
from scipy.special import erfcx, log_ndtr, ndtr

Log = Callable[[str], None]

# sqrt(2 / pi): phi(mu) / Phi(mu) = sqrt(2 / pi) / erfcx(-mu / sqrt(2)), stable for every mu.
_MILLS = np.sqrt(2.0 / np.pi)


def _silent(_: str) -> None:
    """The default log: estimation is quiet unless the caller wants progress."""


@dataclass(frozen=True)
class Settings:
    """Every choice of the estimation, in one place, so that the fingerprint of a fit can name it."""

    # W-NOMINATE's defaults: drop votes whose minority is under 2.5 % of pour + contre, then
    # deputies with fewer than 20 remaining votes.
    min_minority_share: float = 0.025
    min_votes: int = 20
    # Prior variance of (alpha, beta); x has the standard normal prior.
    vote_prior_variance: float = 25.0
    # emIRT's stopping rule: every parameter vector correlates above 1 - threshold with the last.
    convergence_threshold: float = 1e-6
    max_iterations: int = 5000
    # Parametric bootstrap: replicates and the seed of their draws.
    n_bootstrap: int = 50
    seed: int = 20160401
    # A deputy's position in a period needs this many of its votes.
    min_period_votes: int = 20


@dataclass(frozen=True)
class RollCalls:
    """Ballots "pour" (+1) and "contre" (-1) in coordinate form, sorted by deputy then vote."""

    deputy: np.ndarray  # int64 row index of each ballot
    vote: np.ndarray  # int64 column index of each ballot
    y: np.ndarray  # float64, +1 or -1
    deputy_ids: np.ndarray  # labels (str), one per row, sorted
    vote_ids: np.ndarray  # labels (str), one per column, sorted

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.deputy_ids), len(self.vote_ids)

    @cached_property
    def deputy_ballots(self) -> np.ndarray:
        """Ballots per deputy (zero for a deputy without any here).

        Ballots are sorted by deputy, so a deputy's value at every ballot is np.repeat of it by
        these counts, a copy several times faster than gathering it ballot by ballot."""
        if (np.diff(self.deputy) < 0).any():
            raise ValueError("ballots must be sorted by deputy")
        return np.bincount(self.deputy, minlength=self.shape[0])

    def matrix(self, data: np.ndarray) -> sp.csr_matrix:
        """A sparse deputies x votes matrix holding `data` at the ballots (same order as y)."""
        return sp.csr_matrix((data, (self.deputy, self.vote)), shape=self.shape)


def roll_calls(deputy_ids: Sequence[str], vote_ids: Sequence[str], y: Sequence[float]) -> RollCalls:
    """Index one ballot per (deputy, vote) pair; labels are sorted so that indices are reproducible."""
    # Fixed-width strings sort many times faster than Python objects.
    deputies, deputy = np.unique(np.asarray(deputy_ids).astype(str), return_inverse=True)
    votes, vote = np.unique(np.asarray(vote_ids).astype(str), return_inverse=True)
    order = np.lexsort((vote, deputy))
    return from_indices(deputy[order], vote[order], np.asarray(y, dtype=np.float64)[order], deputies, votes)


def from_indices(
    deputy: np.ndarray, vote: np.ndarray, y: np.ndarray, deputy_ids: np.ndarray, vote_ids: np.ndarray
) -> RollCalls:
    """Ballots already indexed (by sorted labels) and sorted by deputy then vote, as a caller that
    ranks them in SQL gives them; checked, never reordered, so arrays aligned with them stay so."""
    deputy, vote = np.asarray(deputy, dtype=np.int64), np.asarray(vote, dtype=np.int64)
    values = np.asarray(y, dtype=np.float64)
    if not np.isin(values, (-1.0, 1.0)).all():
        raise ValueError("ballots must be +1 (pour) or -1 (contre)")
    if not (_in_range(deputy, len(deputy_ids)) and _in_range(vote, len(vote_ids))):
        raise ValueError("ballot indices must index the labels")
    keys = deputy * len(vote_ids) + vote
    if (np.diff(keys) <= 0).any():
        raise ValueError("ballots must be sorted by deputy then vote, one per deputy and vote")
    return RollCalls(deputy, vote, values, np.asarray(deputy_ids).astype(str), np.asarray(vote_ids).astype(str))


def _in_range(index: np.ndarray, size: int) -> bool:
    """Whether every index is in [0, size): Fit.utilities gathers with np.take(mode="clip")."""
    return len(index) == 0 or (index.min() >= 0 and index.max() < size)


def subset(calls: RollCalls, keep_ballot: np.ndarray) -> RollCalls:
    """The ballots where `keep_ballot` is true, re-indexed over the deputies and votes left.

    Labels stay sorted, so the kept ballots keep their order: arrays aligned with the ballots
    (a period per ballot) are subset with the same mask. Re-indexed on the integer indices, not
    the labels: a label per ballot is tens of bytes, and sorting them was most of the fit's peak
    memory on a large legislature."""
    deputy, deputies = _reindexed(calls.deputy[keep_ballot], calls.shape[0])
    vote, votes = _reindexed(calls.vote[keep_ballot], calls.shape[1])
    return RollCalls(deputy, vote, calls.y[keep_ballot], calls.deputy_ids[deputies], calls.vote_ids[votes])


def _reindexed(index: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """`index` renumbered 0, 1, ... over the values it holds (in their order), and those values."""
    present = np.flatnonzero(np.bincount(index, minlength=size))
    renumber = np.zeros(size, dtype=np.int64)
    renumber[present] = np.arange(len(present))
    return renumber[index], present


def kept_ballots(calls: RollCalls, settings: Settings) -> np.ndarray:
    """W-NOMINATE's filter, once and in its order: lopsided votes, then deputies with few votes left.

    A near-unanimous vote says almost nothing about positions and its parameters rest on the prior;
    a deputy with a handful of votes gets a position the prior dominates. Returns a ballot mask."""
    n_votes = calls.shape[1]
    n_for = np.bincount(calls.vote, weights=calls.y > 0, minlength=n_votes)
    n_cast = np.bincount(calls.vote, minlength=n_votes)
    kept_votes = np.minimum(n_for, n_cast - n_for) >= settings.min_minority_share * n_cast
    ballots = kept_votes[calls.vote]
    per_deputy = np.bincount(calls.deputy[ballots], minlength=calls.shape[0])
    return ballots & (per_deputy[calls.deputy] >= settings.min_votes)


@dataclass(frozen=True)
class Fit:
    """Posterior modes: x (deputies x d), alpha (votes), beta (votes x d)."""

    x: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    n_iterations: int = 0

    @property
    def dimensions(self) -> int:
        return self.x.shape[1]

    def utilities(self, calls: RollCalls, out: np.ndarray | None = None) -> np.ndarray:
        """mu = alpha_j + beta_j . x_i at every ballot, written into `out` when given.

        Every EM step and Newton step runs this on every ballot: vote parameters are gathered by
        np.take, its mode "clip" skipping the bounds check that took two thirds of the time (the
        indices are in range by construction, see from_indices), positions repeated
        (calls.deputy_ballots)."""
        mu = np.take(self.alpha, calls.vote, out=out, mode="clip")
        term = np.empty_like(mu)
        for axis in range(self.dimensions):
            np.take(self.beta[:, axis], calls.vote, out=term, mode="clip")
            term *= np.repeat(self.x[:, axis], calls.deputy_ballots)
            mu += term
        return mu

    def rotated(self, rotation: np.ndarray) -> Fit:
        """The same model (beta . x unchanged) with both x and beta multiplied by an orthogonal matrix."""
        return replace(self, x=self.x @ rotation, beta=self.beta @ rotation)


def latent_residuals(calls: RollCalls, mu: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """E-step: E[y* | y] - mu at every ballot, the inverse Mills ratio with the ballot's sign.

    mu + phi(mu)/Phi(mu) for pour, mu - phi(mu)/(1 - Phi(mu)) for contre; missing ballots have
    E[y*] = mu, a residual of zero, which is why only ballots are stored. Computed in place in
    `out` (which may be mu itself): erfcx is most of an EM step, the rest should not allocate."""
    residual = np.multiply(calls.y, mu, out=out)
    residual *= -1.0 / np.sqrt(2.0)
    erfcx(residual, out=residual)
    np.divide(_MILLS, residual, out=residual)
    residual *= calls.y
    return residual


def svd_start(calls: RollCalls, dimensions: int) -> Fit:
    """The first singular vectors of the vote-centred matrix (missing as 0), scaled to the prior.

    Vote parameters start at zero: the first M-step computes them from these positions. The
    operator is never made dense, and ARPACK starts from a fixed vector, so the start is the same
    on every run."""
    n_deputies, n_votes = calls.shape
    matrix = calls.matrix(calls.y)
    centre = np.asarray(matrix.mean(axis=0)).ravel()
    ones = np.ones(n_deputies)
    operator = LinearOperator(
        (n_deputies, n_votes),
        matvec=lambda v: matrix @ np.ravel(v) - ones * (centre @ np.ravel(v)),
        rmatvec=lambda u: matrix.T @ np.ravel(u) - centre * np.ravel(u).sum(),
        dtype=np.float64,
    )
    start_vector = np.ones(min(calls.shape)) / np.sqrt(min(calls.shape))
    left, singular, _ = svds(operator, k=dimensions, v0=start_vector, solver="arpack")
    x = left[:, np.argsort(-singular)]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return Fit(x=x, alpha=np.zeros(n_votes), beta=np.zeros((n_votes, dimensions)))


def em_step(calls: RollCalls, fit: Fit, residual_matrix: sp.csr_matrix, settings: Settings) -> Fit:
    """One iteration: E-step at the current parameters, then the two ridge regressions.

    y* = [1, x] B + R with B = [alpha; beta'] and R sparse (`residual_matrix` is reused, its data
    overwritten). The vote regression of y* on [1, x] has one Gram matrix for every vote; each
    deputy's regression of y* - alpha on beta has one for every deputy."""
    n_deputies, _ = calls.shape
    latent_residuals(calls, fit.utilities(calls, out=residual_matrix.data), out=residual_matrix.data)
    design = np.hstack([np.ones((n_deputies, 1)), fit.x])
    coefficients = np.vstack([fit.alpha, fit.beta.T])
    gram = design.T @ design
    vote_precision = np.eye(gram.shape[0]) / settings.vote_prior_variance
    new_coefficients = np.linalg.solve(gram + vote_precision, gram @ coefficients + (residual_matrix.T @ design).T)
    alpha, beta = new_coefficients[0], new_coefficients[1:].T
    deputy_rhs = design @ (coefficients @ beta) - alpha @ beta + residual_matrix @ beta
    x = np.linalg.solve(beta.T @ beta + np.eye(beta.shape[1]), deputy_rhs.T).T
    return Fit(x=x, alpha=alpha, beta=beta, n_iterations=fit.n_iterations + 1)


def _min_correlation(old: np.ndarray, new: np.ndarray) -> float:
    """The smallest correlation between matching columns (a constant column counts as converged)."""
    old2, new2 = old.reshape(len(old), -1), new.reshape(len(new), -1)
    correlations = []
    for a, b in zip(old2.T, new2.T):
        if np.ptp(a) == 0 or np.ptp(b) == 0:
            correlations.append(1.0 if np.allclose(a, b) else 0.0)
        else:
            correlations.append(float(np.corrcoef(a, b)[0, 1]))
    return min(correlations)


def converged(old: Fit, new: Fit, threshold: float) -> bool:
    """emIRT's rule: x, alpha and every column of beta correlate above 1 - threshold with the last."""
    return min(_min_correlation(p, q) for p, q in ((old.x, new.x), (old.alpha, new.alpha), (old.beta, new.beta))) > (
        1.0 - threshold
    )


def _squared_norm(v: np.ndarray) -> float:
    """v . v without BLAS: OpenBLAS hands a dot product of more than 10,000 terms to its threads,
    and on a busy machine waking them took far longer than the sum itself."""
    return float(np.square(v).sum())


def _pack(fit: Fit) -> np.ndarray:
    return np.concatenate([fit.x.ravel(), fit.alpha, fit.beta.ravel()])


def _unpack(theta: np.ndarray, like: Fit) -> Fit:
    n_x, n_alpha = like.x.size, like.alpha.size
    return replace(
        like,
        x=theta[:n_x].reshape(like.x.shape),
        alpha=theta[n_x : n_x + n_alpha],
        beta=theta[n_x + n_alpha :].reshape(like.beta.shape),
    )


@dataclass
class _Squarem:
    """SQUAREM (Varadhan & Roland, Scandinavian Journal of Statistics 35(2), 2008), scheme S3.

    Why: three quarters of a legislature's cells are absences, and EM's rate is the share of
    missing information, so plain binIRT needs hundreds of iterations, as many again from a warm
    start in the bootstrap. SQUAREM extrapolates from two EM steps and then takes one more EM step
    from the extrapolated point: the EM map, its fixed point (the posterior mode) and the stopping
    rule are unchanged; only the path is shorter. The step grows while it helps (stepmax x 4) and
    falls back to the plain EM step whenever extrapolating moved away from the fixed point."""

    step_max: float = 1.0

    def cycle(self, step: Callable[[Fit], Fit], fit: Fit) -> tuple[Fit, Fit]:
        """Advance one cycle; returns the last genuine EM step (before, after) for the stopping rule."""
        first = step(fit)
        second = step(first)
        theta, r = _pack(fit), _pack(first) - _pack(fit)
        v = _pack(second) - _pack(first) - r
        if not v.any():
            return first, second
        alpha = max(-np.sqrt(_squared_norm(r) / _squared_norm(v)), -self.step_max)
        if alpha == -self.step_max:
            self.step_max *= 4.0
        extrapolated = _unpack(theta - 2.0 * alpha * r + alpha * alpha * v, second)
        stabilized = step(extrapolated)
        if _squared_norm(_pack(stabilized) - _pack(extrapolated)) > _squared_norm(_pack(second) - _pack(first)):
            self.step_max = max(1.0, self.step_max / 4.0)
            return first, second
        return extrapolated, stabilized


def fit_em(calls: RollCalls, start: Fit, settings: Settings, log: Log = _silent, label: str = "fit") -> Fit:
    """Iterate EM (accelerated by SQUAREM) from `start` until converged, or max_iterations EM
    steps, which the log says. n_iterations counts EM steps."""
    residual_matrix = calls.matrix(np.zeros_like(calls.y))
    accelerator = _Squarem()
    fit, reported = start, start.n_iterations
    while fit.n_iterations < settings.max_iterations:
        before, fit = accelerator.cycle(lambda current: em_step(calls, current, residual_matrix, settings), fit)
        if converged(before, fit, settings.convergence_threshold):
            log(f"{label}: converged after {fit.n_iterations} EM steps")
            return fit
        if fit.n_iterations - reported >= 100:
            reported = fit.n_iterations
            log(f"{label}: {fit.n_iterations} EM steps")
    log(f"{label}: stopped at max_iterations={settings.max_iterations} EM steps before converging")
    return fit


def principal_axes(fit: Fit) -> Fit:
    """Rotate x and beta to the orthogonal principal axes of the fitted points, largest first.

    In two dimensions the likelihood and the N(0, I) prior are unchanged by a rotation: the axes are
    identified only by this convention (Voteview's too)."""
    centred = fit.x - fit.x.mean(axis=0)
    variances, axes = np.linalg.eigh(centred.T @ centred)
    return fit.rotated(axes[:, np.argsort(-variances)])


def fix_polarity(fit: Fit, reference_rows: np.ndarray) -> Fit:
    """Flip each dimension so that the reference deputies' median is negative on it."""
    if len(reference_rows) == 0:
        return fit
    signs = np.where(np.median(fit.x[reference_rows], axis=0) > 0, -1.0, 1.0)
    return fit.rotated(np.diag(signs))


def procrustes(fit: Fit, target: np.ndarray) -> Fit:
    """The orthogonal rotation (reflections allowed) that best maps fit.x onto target.

    A bootstrap replicate identifies its axes only up to rotation and sign, like the fit itself:
    without aligning, the spread of the replicates would measure the arbitrary axes."""
    left, _, right = np.linalg.svd(fit.x.T @ target)
    return fit.rotated(left @ right)


@dataclass(frozen=True)
class Classification:
    """Voteview's fit statistics of a fit on its ballots."""

    deputy_votes: np.ndarray
    deputy_errors: np.ndarray
    deputy_log_probability: np.ndarray  # sum of log P(observed ballot)
    vote_votes: np.ndarray
    vote_errors: np.ndarray
    vote_minority: np.ndarray

    @property
    def geometric_mean_probability(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.exp(self.deputy_log_probability / self.deputy_votes)

    @property
    def vote_share_correct(self) -> np.ndarray:
        return 1.0 - self.vote_errors / self.vote_votes

    @property
    def vote_apre(self) -> np.ndarray:
        """Aggregate proportional reduction in error of one vote: (minority - errors) / minority."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.vote_minority - self.vote_errors) / self.vote_minority

    @property
    def share_correct(self) -> float:
        return float(1.0 - self.vote_errors.sum() / self.vote_votes.sum())

    @property
    def apre(self) -> float:
        return float((self.vote_minority - self.vote_errors).sum() / self.vote_minority.sum())

    @property
    def geometric_mean_probability_overall(self) -> float:
        return float(np.exp(self.deputy_log_probability.sum() / self.deputy_votes.sum()))


def classify(calls: RollCalls, fit: Fit) -> Classification:
    """Errors (the predicted side, mu > 0 for pour, is not the ballot) and log-probabilities."""
    mu = fit.utilities(calls)
    errors = (mu > 0) != (calls.y > 0)
    n_deputies, n_votes = calls.shape
    n_for = np.bincount(calls.vote, weights=calls.y > 0, minlength=n_votes)
    n_cast = np.bincount(calls.vote, minlength=n_votes)
    return Classification(
        deputy_votes=np.bincount(calls.deputy, minlength=n_deputies),
        deputy_errors=np.bincount(calls.deputy, weights=errors, minlength=n_deputies).astype(np.int64),
        deputy_log_probability=np.bincount(calls.deputy, weights=log_ndtr(calls.y * mu), minlength=n_deputies),
        vote_votes=n_cast,
        vote_errors=np.bincount(calls.vote, weights=errors, minlength=n_votes).astype(np.int64),
        vote_minority=np.minimum(n_for, n_cast - n_for),
    )


def simulate(calls: RollCalls, fit: Fit, rng: np.random.Generator) -> RollCalls:
    """Ballots drawn from the fitted model where the deputies actually voted (absences kept)."""
    y = np.where(rng.random(len(calls.y)) < ndtr(fit.utilities(calls)), 1.0, -1.0)
    return replace(calls, y=y)


def positions_given_votes(calls: RollCalls, votes: Fit, rows: np.ndarray, settings: Settings) -> np.ndarray:
    """The posterior modes of deputies `rows` with the vote parameters held fixed.

    With alpha and beta fixed, each deputy's x is a separate d-parameter log-concave problem, the
    one binIRT's deputy M-step solves by iterating; Newton's method reaches the same mode in a
    handful of steps (gradient sum_j beta_j r_ij - x, Hessian -sum_j beta_j beta_j' r(r + mu) - I,
    r the E-step's residual). Starts from the legislature's positions; stops by the same
    correlation rule, on those rows. The products of beta at the ballots are the same in every
    step, and mu and r reuse two arrays: a step is then the E-step and five bincounts."""
    n_deputies, dims = calls.shape[0], votes.dimensions
    beta = votes.beta[calls.vote]
    pairs = [(a, b, beta[:, a] * beta[:, b]) for a in range(dims) for b in range(a, dims)]
    mu, residual = np.empty_like(calls.y), np.empty_like(calls.y)
    x = votes.x.copy()
    for _ in range(settings.max_iterations):
        replace(votes, x=x).utilities(calls, out=mu)
        latent_residuals(calls, mu, out=residual)
        gradient = np.stack([np.bincount(calls.deputy, beta[:, a] * residual, n_deputies) for a in range(dims)], 1) - x
        weight = mu
        weight += residual
        weight *= residual
        information = np.empty((n_deputies, dims, dims))
        for a, b, product in pairs:
            information[:, a, b] = information[:, b, a] = np.bincount(calls.deputy, product * weight, n_deputies)
        information += np.eye(dims)
        new_x = x + np.linalg.solve(information, gradient[..., None])[..., 0]
        if _min_correlation(x[rows], new_x[rows]) > 1.0 - settings.convergence_threshold:
            return new_x[rows]
        x = new_x
    return x[rows]


@dataclass(frozen=True)
class Period:
    """The ballots that place deputies in one period: those of deputies with min_period_votes in it.

    Found once per legislature: a bootstrap replicate simulates ballots where the deputies voted,
    so every replicate has the same ballots in each period, only their sides differ."""

    label: str
    ballots: np.ndarray  # indices into the legislature's ballots
    rows: np.ndarray  # deputy indices (into the legislature's roll calls) placed in this period

    def calls(self, calls: RollCalls) -> RollCalls:
        """The period's ballots of `calls` (the legislature's, or a replicate's), indices unchanged."""
        return replace(calls, deputy=calls.deputy[self.ballots], vote=calls.vote[self.ballots], y=calls.y[self.ballots])


def periods_of(calls: RollCalls, ballot_period: np.ndarray, settings: Settings) -> list[Period]:
    """Every period of the ballots (`ballot_period`: a label per ballot), in the labels' order."""
    labels, codes = np.unique(np.asarray(ballot_period).astype(str), return_inverse=True)
    periods = []
    for code, label in enumerate(labels):
        in_period = codes == code
        per_deputy = np.bincount(calls.deputy[in_period], minlength=calls.shape[0])
        placed = per_deputy >= settings.min_period_votes
        periods.append(Period(str(label), np.flatnonzero(in_period & placed[calls.deputy]), np.flatnonzero(placed)))
    return periods


@dataclass(frozen=True)
class PeriodPositions:
    """Positions of the deputies with enough votes in one period, with their fit statistics."""

    label: str
    rows: np.ndarray  # deputy indices (into the legislature's roll calls) placed in this period
    x: np.ndarray  # positions of those rows
    classification: Classification


def period_positions(calls: RollCalls, votes: Fit, period: Period, settings: Settings) -> PeriodPositions:
    """The positions in one period, and their fit statistics on the period's ballots."""
    period_calls = period.calls(calls)
    x = votes.x.copy()
    x[period.rows] = positions_given_votes(period_calls, votes, period.rows, settings)
    return PeriodPositions(period.label, period.rows, x[period.rows], classify(period_calls, replace(votes, x=x)))


@dataclass(frozen=True)
class Estimates:
    """Everything published for one legislature."""

    calls: RollCalls  # the roll calls after filtering
    fit_1d: Fit
    fit_2d: Fit
    classification_1d: Classification
    classification_2d: Classification
    periods: list[PeriodPositions]
    bootstrap_x: np.ndarray  # replicates x deputies x 2, aligned to fit_2d
    bootstrap_periods: list[list[np.ndarray]]  # replicate -> period -> positions of its rows


def fit_dimensions(calls: RollCalls, dimensions: int, reference_rows: np.ndarray, settings: Settings, log: Log) -> Fit:
    """Fit from the SVD start, rotate to principal axes, fix the polarity on the reference deputies."""
    fit = fit_em(calls, svd_start(calls, dimensions), settings, log, label=f"{dimensions}-D fit")
    return fix_polarity(principal_axes(fit), reference_rows)


def bootstrap_replicate(
    calls: RollCalls, fit: Fit, periods: Sequence[Period], rng: np.random.Generator, settings: Settings
) -> tuple[np.ndarray, list[np.ndarray]]:
    """One parametric replicate: simulate ballots, refit from the estimate, align, redo the periods
    (positions only: the published fit statistics are the estimate's)."""
    simulated = simulate(calls, fit, rng)
    refit = procrustes(fit_em(simulated, fit, settings), fit.x)
    return refit.x, [positions_given_votes(period.calls(simulated), refit, period.rows, settings) for period in periods]


def estimate(
    calls: RollCalls,
    ballot_period: np.ndarray,
    reference_deputies: Sequence[str],
    settings: Settings = Settings(),
    log: Log = _silent,
    workers: int = 2,
) -> Estimates:
    """The whole estimation of one legislature.

    `calls` are its ballots before filtering and `ballot_period` the period label of each ballot
    (same order); `reference_deputies` fix the polarity (their median is negative on every
    dimension). Periods keep the legislature's vote parameters: a move between periods is then a
    move of the deputy, not of the scale. Bootstrap replicates run on `workers` threads (numpy and
    scipy release the GIL in their loops); each has its own seeded stream and they are collected
    in order, so the result does not depend on the number of workers."""
    mask = kept_ballots(calls, settings)
    keep, periods_of_kept = subset(calls, mask), np.asarray(ballot_period)[mask]
    reference_rows = np.flatnonzero(np.isin(keep.deputy_ids, np.asarray(reference_deputies, dtype=str)))
    log(f"{keep.shape[0]} deputies, {keep.shape[1]} votes, {len(keep.y)} ballots after filtering")
    fit_1d = fit_dimensions(keep, 1, reference_rows, settings, log)
    fit_2d = fit_dimensions(keep, 2, reference_rows, settings, log)
    periods = periods_of(keep, periods_of_kept, settings)
    period_estimates = [period_positions(keep, fit_2d, period, settings) for period in periods]
    streams = np.random.SeedSequence(settings.seed).spawn(settings.n_bootstrap)

    def replicate(stream: np.random.SeedSequence) -> tuple[np.ndarray, list[np.ndarray]]:
        return bootstrap_replicate(keep, fit_2d, periods, np.random.default_rng(stream), settings)

    draws_x, draws_periods = [], []
    log(f"bootstrap: {settings.n_bootstrap} replicates on {workers} threads")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for number, (x, period_x) in enumerate(pool.map(replicate, streams), start=1):
            draws_x.append(x)
            draws_periods.append(period_x)
            if number % 10 == 0 or number == settings.n_bootstrap:
                log(f"bootstrap: {number} of {settings.n_bootstrap} replicates")
    return Estimates(
        calls=keep,
        fit_1d=fit_1d,
        fit_2d=fit_2d,
        classification_1d=classify(keep, fit_1d),
        classification_2d=classify(keep, fit_2d),
        periods=period_estimates,
        bootstrap_x=np.array(draws_x).reshape(len(draws_x), *fit_2d.x.shape),
        bootstrap_periods=draws_periods,
    )
