"""Between the warehouse and the estimator: ballots in, one Arrow row of estimates per legislature out.

The dbt Python model `fct_ideal_point_fits` is a thin caller of this module (dbt imports nothing
else), so that the reading, the fingerprint and the shape of the output are unit-tested without
dbt. One row per legislature holds the whole estimation, its fit statistics and, as nested lists,
the deputies' positions (point estimate and every bootstrap replicate, for the legislature and
each half-year) and the votes' parameters: the grain at which a fit is redone, and the key of the
incremental model. The SQL marts unnest it.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import pyarrow as pa

from orchestration.lib import ideal_points
from orchestration.lib.ideal_points import Classification, Estimates, Log, Settings

# Polarity: the median deputy of this group is negative on every dimension (LFI in both
# legislatures, the alliance's largest group; its code is canonical in ref_parliament_groups).
POLARITY_GROUP = "LFI"
WHOLE_LEGISLATURE = "legislature"

# The ballots the estimation reads, from fct_deputy_votes (as the relation `votes`): the
# Assemblée's ordinary and solemn public votes (in_cohesion_scope: SPO, SPS), recorded "pour" or
# "contre" (the position of the record, not a later correction). Each ballot carries its half-year
# and the deputy's group over the legislature and over the half-year: the group of most of their
# ballots here, the latest on a tie.
BALLOTS_SQL = """
with ballots as (
    select
        legislature,
        scrutin_uid,
        deputy_uid,
        group_code,
        vote_date,
        if(position = 'for', 1.0, -1.0)::double as y,
        year(vote_date) || '-H' || if(month(vote_date) <= 6, 1, 2) as period
    from votes
    where in_cohesion_scope and position in ('for', 'against') and legislature = {legislature}
),

group_ballots as (
    select legislature, deputy_uid, period, group_code, count(*) as n_ballots, max(vote_date) as last_vote
    from ballots
    group by all
),

group_of_period as (
    select legislature, deputy_uid, period, group_code
    from group_ballots
    qualify row_number() over (
        partition by legislature, deputy_uid, period order by n_ballots desc, last_vote desc, group_code
    ) = 1
),

group_of_legislature as (
    select legislature, deputy_uid, group_code
    from (
        select legislature, deputy_uid, group_code, sum(n_ballots) as n_ballots, max(last_vote) as last_vote
        from group_ballots
        group by all
    )
    qualify row_number() over (
        partition by legislature, deputy_uid order by n_ballots desc, last_vote desc, group_code
    ) = 1
)

select
    ballots.legislature,
    ballots.scrutin_uid,
    ballots.deputy_uid,
    dense_rank() over (partition by ballots.legislature order by ballots.deputy_uid) - 1 as deputy_index,
    dense_rank() over (partition by ballots.legislature order by ballots.scrutin_uid) - 1 as scrutin_index,
    ballots.y,
    ballots.period,
    group_of_legislature.group_code,
    group_of_period.group_code as period_group_code
from ballots
inner join group_of_legislature using (legislature, deputy_uid)
inner join group_of_period using (legislature, deputy_uid, period)
order by ballots.legislature, deputy_index, scrutin_index
"""

# What changes a legislature's estimates: the ballots BALLOTS_SQL reads (their half-years and
# groups follow from these columns), and the estimator.
FINGERPRINT_SQL = """
select legislature, count(*) || '-' || sum(hash(scrutin_uid, deputy_uid, position, vote_date, group_code))
    as data_fingerprint
from votes
where in_cohesion_scope and position in ('for', 'against')
group by legislature
order by legislature
"""


def ballots_sql(legislature: int) -> str:
    """BALLOTS_SQL for one legislature: one at a time, so that DuckDB sorts only its ballots."""
    return BALLOTS_SQL.format(legislature=int(legislature))


DEPUTY_TYPE = pa.struct(
    [
        ("period", pa.string()),
        ("deputy_uid", pa.string()),
        ("group_code", pa.string()),
        ("replicate", pa.int32()),
        ("dim1", pa.float64()),
        ("dim2", pa.float64()),
        ("n_votes", pa.int32()),
        ("n_errors", pa.int32()),
        ("geometric_mean_probability", pa.float64()),
    ]
)
SCRUTIN_TYPE = pa.struct(
    [
        ("scrutin_uid", pa.string()),
        ("alpha", pa.float64()),
        ("beta_1", pa.float64()),
        ("beta_2", pa.float64()),
        ("n_votes", pa.int32()),
        ("n_minority", pa.int32()),
        ("n_errors", pa.int32()),
    ]
)
FIT_FIELDS = [
    (f"{name}_{dims}d", kind)
    for dims in (1, 2)
    for name, kind in (
        ("n_iterations", pa.int32()),
        ("share_correct", pa.float64()),
        ("apre", pa.float64()),
        ("geometric_mean_probability", pa.float64()),
    )
]
SCHEMA = pa.schema(
    [
        ("legislature", pa.int16()),
        ("input_fingerprint", pa.string()),
        ("n_deputies", pa.int32()),
        ("n_scrutins", pa.int32()),
        ("n_ballots", pa.int64()),
        ("n_deputies_dropped", pa.int32()),
        ("n_scrutins_dropped", pa.int32()),
        ("n_bootstrap", pa.int32()),
        *FIT_FIELDS,
        ("deputies", pa.list_(DEPUTY_TYPE)),
        ("scrutins", pa.list_(SCRUTIN_TYPE)),
    ]
)


def estimator_fingerprint(settings: Settings) -> str:
    """The estimator's settings and code: a change to either re-estimates every legislature."""
    source = inspect.getsource(ideal_points) + inspect.getsource(inspect.getmodule(estimator_fingerprint))
    return hashlib.sha256((repr(sorted(asdict(settings).items())) + source).encode()).hexdigest()[:16]


def input_fingerprint(data_fingerprint: str, settings: Settings) -> str:
    return f"{data_fingerprint}-{estimator_fingerprint(settings)}"


def _deputy_rows(
    period: str,
    deputy_uids: np.ndarray,
    groups: np.ndarray,
    point: np.ndarray,
    draws: Sequence[np.ndarray],
    classification: Classification,
    rows: np.ndarray,
) -> pa.Table:
    """Replicate 0 (the estimate, with its fit statistics) then every bootstrap replicate."""
    n, n_draws = len(rows), len(draws)
    positions = np.concatenate([point, *draws]) if n_draws else point
    with_stats = np.arange(n * (n_draws + 1)) < n

    def fit_column(values: np.ndarray, kind: pa.DataType) -> pa.Array:
        return pa.array(np.tile(values[rows], n_draws + 1), type=kind, mask=~with_stats)

    return pa.table(
        {
            "period": pa.array([period] * len(positions), pa.string()),
            "deputy_uid": pa.array(np.tile(deputy_uids[rows], n_draws + 1), pa.string()),
            "group_code": pa.array(np.tile(groups[rows], n_draws + 1), pa.string()),
            "replicate": pa.array(np.repeat(np.arange(n_draws + 1), n), pa.int32()),
            "dim1": pa.array(positions[:, 0], pa.float64()),
            "dim2": pa.array(positions[:, 1], pa.float64()),
            "n_votes": fit_column(classification.deputy_votes, pa.int32()),
            "n_errors": fit_column(classification.deputy_errors, pa.int32()),
            "geometric_mean_probability": fit_column(classification.geometric_mean_probability, pa.float64()),
        }
    )


def _scrutin_rows(estimates: Estimates) -> pa.Table:
    fit, classification = estimates.fit_2d, estimates.classification_2d
    return pa.table(
        {
            "scrutin_uid": pa.array(estimates.calls.vote_ids, pa.string()),
            "alpha": fit.alpha,
            "beta_1": fit.beta[:, 0],
            "beta_2": fit.beta[:, 1],
            "n_votes": pa.array(classification.vote_votes, pa.int32()),
            "n_minority": pa.array(classification.vote_minority, pa.int32()),
            "n_errors": pa.array(classification.vote_errors, pa.int32()),
        }
    )


def _nested(table: pa.Table, kind: pa.StructType) -> pa.ListArray:
    """One list holding every row of `table` as a struct."""
    structs = pa.StructArray.from_arrays([table[field.name].combine_chunks() for field in kind], fields=list(kind))
    return pa.ListArray.from_arrays(pa.array([0, len(structs)], pa.int32()), structs)


def _labels(column: pa.ChunkedArray, index: np.ndarray) -> np.ndarray:
    """The value of `column` at the first ballot of each index (constant over an index's ballots)."""
    _, first = np.unique(index, return_index=True)
    return column.take(pa.array(first)).to_numpy(zero_copy_only=False)


def _fixed_width(column: pa.ChunkedArray) -> np.ndarray:
    """A string column as a numpy array of fixed-width strings, through its few distinct values:
    to_numpy would make a Python object per ballot, several times the memory."""
    encoded = column.combine_chunks().dictionary_encode()
    return np.asarray(encoded.dictionary.to_pylist(), dtype=str)[encoded.indices.to_numpy()]


def _period_groups(ballots: pa.Table) -> dict[tuple[str, str], str]:
    """(period, deputy_uid) -> the deputy's group in that period."""
    distinct = (
        ballots.select(["period", "deputy_uid", "period_group_code"])
        .group_by(["period", "deputy_uid"])
        .aggregate([("period_group_code", "max")])
    )
    return dict(
        zip(
            zip(distinct["period"].to_pylist(), distinct["deputy_uid"].to_pylist()),
            distinct["period_group_code_max"].to_pylist(),
        )
    )


def estimate_legislature(ballots: pa.Table, fingerprint: str, settings: Settings, log: Log) -> pa.Table:
    """The one-row table of a legislature's estimates, from its rows of BALLOTS_SQL."""
    [legislature] = set(ballots["legislature"].to_pylist())
    deputy_index = ballots["deputy_index"].to_numpy()
    scrutin_index = ballots["scrutin_index"].to_numpy()
    calls = ideal_points.from_indices(
        deputy_index,
        scrutin_index,
        ballots["y"].to_numpy(),
        _labels(ballots["deputy_uid"], deputy_index),
        _labels(ballots["scrutin_uid"], scrutin_index),
    )
    periods = _fixed_width(ballots["period"])
    group_of = dict(zip(calls.deputy_ids, _labels(ballots["group_code"], deputy_index)))
    reference = [deputy for deputy, group in group_of.items() if group == POLARITY_GROUP]
    log(f"legislature {legislature}: {calls.shape[0]} deputies, {calls.shape[1]} votes, {len(calls.y)} ballots")
    estimates = ideal_points.estimate(
        calls, periods, reference, settings, lambda m: log(f"legislature {legislature}: {m}")
    )
    deputy_uids = estimates.calls.deputy_ids
    all_rows = np.arange(len(deputy_uids))
    tables = [
        _deputy_rows(
            WHOLE_LEGISLATURE,
            deputy_uids,
            np.array([group_of[uid] for uid in deputy_uids], dtype=object),
            estimates.fit_2d.x,
            list(estimates.bootstrap_x),
            estimates.classification_2d,
            all_rows,
        )
    ]
    period_group_of = _period_groups(ballots)
    for index, period in enumerate(estimates.periods):
        groups = np.array([period_group_of.get((period.label, uid)) for uid in deputy_uids], dtype=object)
        draws = [replicate[index] for replicate in estimates.bootstrap_periods]
        tables.append(
            _deputy_rows(period.label, deputy_uids, groups, period.x, draws, period.classification, period.rows)
        )
    fits = {}
    for dims, fit, classification in (
        (1, estimates.fit_1d, estimates.classification_1d),
        (2, estimates.fit_2d, estimates.classification_2d),
    ):
        fits[f"n_iterations_{dims}d"] = fit.n_iterations
        fits[f"share_correct_{dims}d"] = classification.share_correct
        fits[f"apre_{dims}d"] = classification.apre
        fits[f"geometric_mean_probability_{dims}d"] = classification.geometric_mean_probability_overall
    row = {
        "legislature": legislature,
        "input_fingerprint": fingerprint,
        "n_deputies": estimates.calls.shape[0],
        "n_scrutins": estimates.calls.shape[1],
        "n_ballots": len(estimates.calls.y),
        "n_deputies_dropped": calls.shape[0] - estimates.calls.shape[0],
        "n_scrutins_dropped": calls.shape[1] - estimates.calls.shape[1],
        "n_bootstrap": settings.n_bootstrap,
        **fits,
    }
    columns = {name: pa.array([value], SCHEMA.field(name).type) for name, value in row.items()}
    columns["deputies"] = _nested(pa.concat_tables(tables), DEPUTY_TYPE)
    columns["scrutins"] = _nested(_scrutin_rows(estimates), SCRUTIN_TYPE)
    return pa.table(columns, schema=SCHEMA)


def empty() -> pa.Table:
    """No legislature to re-estimate: the incremental model inserts nothing."""
    return SCHEMA.empty_table()
