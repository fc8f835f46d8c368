"""Between the warehouse and the poll model: poll figures in, one Arrow row per fitted series out.

The dbt Python model `fct_poll_model_fits` is a thin caller of this module, so that which polls
make a series and the shape of the output are unit-tested without dbt. A series is one election's
first-round question x subject; its row holds the fit's parameters and diagnostics and, as nested
lists, every day's smoothed level, every pollster's house effect and every poll with its
one-step-ahead prediction. The SQL marts unnest it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.lib import poll_model
from orchestration.lib.poll_model import Settings

Log = Callable[[str], None]

# A series needs this many independent polls for sigma and tau to be estimated at all: with H
# pollsters, H of its polls only place the house effects (their prediction is diffuse).
MIN_POLLS = 10

# The polls of every series, from fct_poll_results (`results`), ref_poll_elections (`elections`)
# and ref_poll_official_results (`official`):
# - first-round voting intentions, at the fieldwork midpoint (the window average's poll_midpoint);
# - in the election of their question held on or after that day (an undated election, last);
# - the hypothesis rule: a poll enters a subject's series once, with the first of its hypotheses
#   (in the feed's order, which follows the pollster's report: its headline scenario first) that
#   tests the subject. Line-ups are never averaged together; the hypothesis is kept on every poll.
POLLS_SQL = """
polls as (
    select
        question,
        subject_code,
        poll_id,
        pollster_code,
        hypothesis,
        source_row,
        fieldwork_start,
        fieldwork_end,
        fieldwork_start + cast(floor(datediff('day', fieldwork_start, fieldwork_end) / 2) as integer) as poll_day,
        sample_size,
        value_pct
    from results
    where question in ('legislative_first_round', 'presidential_first_round') and value_pct is not null
),

placed as (
    select polls.*, elections.election, elections.election_day
    from polls
    inner join elections
        on elections.question = polls.question
        and (elections.election_day is null or elections.election_day >= polls.poll_day)
    qualify row_number() over (
        partition by polls.question, polls.subject_code, polls.poll_id, polls.hypothesis, polls.source_row
        order by elections.election_day nulls last
    ) = 1
),

main_hypothesis as (
    select * from placed
    qualify row_number() over (partition by election, subject_code, poll_id order by source_row) = 1
)

select
    main_hypothesis.question,
    main_hypothesis.election,
    main_hypothesis.election_day,
    main_hypothesis.subject_code,
    main_hypothesis.poll_id,
    main_hypothesis.pollster_code,
    main_hypothesis.hypothesis,
    main_hypothesis.fieldwork_start,
    main_hypothesis.fieldwork_end,
    main_hypothesis.poll_day,
    main_hypothesis.sample_size,
    main_hypothesis.value_pct,
    official.result_pct
from main_hypothesis
left join official
    on official.election = main_hypothesis.election and official.subject_code = main_hypothesis.subject_code
order by question, election, subject_code, poll_day, pollster_code, fieldwork_start, poll_id
"""


def read_polls(connection: duckdb.DuckDBPyConnection, relations: dict[str, duckdb.DuckDBPyRelation]) -> pa.Table:
    """POLLS_SQL over the relations it names (results, elections, official), each a CTE of its
    query: nothing is created, so it runs on a read-only warehouse too."""
    sources = ",\n".join(f"{name} as ({relation.sql_query()})" for name, relation in relations.items())
    return connection.sql(f"with {sources},\n{POLLS_SQL}").to_arrow_table()


DAY_TYPE = pa.struct(
    [
        ("day", pa.date32()),
        ("level_pct", pa.float64()),
        ("level_sd_pts", pa.float64()),
        ("n_polls_used", pa.int32()),
        ("last_poll_day", pa.date32()),
    ]
)
HOUSE_TYPE = pa.struct(
    [
        ("pollster_code", pa.string()),
        ("house_effect_pts", pa.float64()),
        ("house_effect_se_pts", pa.float64()),
        ("n_polls", pa.int32()),
    ]
)
POLL_TYPE = pa.struct(
    [
        ("poll_id", pa.string()),
        ("pollster_code", pa.string()),
        ("hypothesis", pa.string()),
        ("fieldwork_start", pa.date32()),
        ("fieldwork_end", pa.date32()),
        ("poll_day", pa.date32()),
        ("sample_size", pa.int32()),
        ("value_pct", pa.float64()),
        ("is_independent", pa.bool_()),
        ("predicted_pct", pa.float64()),
        ("predicted_sd_pts", pa.float64()),
        ("in_calibration", pa.bool_()),
        ("inside_90", pa.bool_()),
    ]
)
SCHEMA = pa.schema(
    [
        ("question", pa.string()),
        ("election", pa.string()),
        ("subject_code", pa.string()),
        ("election_day", pa.date32()),
        ("result_pct", pa.float64()),
        ("is_anchored", pa.bool_()),
        ("is_fitted", pa.bool_()),
        ("n_polls", pa.int32()),
        ("n_polls_overlapping", pa.int32()),
        ("n_pollsters", pa.int32()),
        ("first_poll_day", pa.date32()),
        ("last_poll_day", pa.date32()),
        ("sigma_pts", pa.float64()),
        ("tau_pts", pa.float64()),
        ("log_likelihood", pa.float64()),
        ("n_calibration_polls", pa.int32()),
        ("calibration_share", pa.float64()),
        ("days", pa.list_(DAY_TYPE)),
        ("house_effects", pa.list_(HOUSE_TYPE)),
        ("polls", pa.list_(POLL_TYPE)),
    ]
)


def independent_waves(pollster: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Mask of the polls kept as independent samples: a poll whose fieldwork overlaps the last kept
    poll of its pollster is left out. Rolling polls (a new wave every day over the last three days)
    share most of their respondents; counted as independent, they would weigh three times what
    they know. Polls must come in fieldwork order within each pollster."""
    keep = np.ones(len(pollster), dtype=bool)
    last_end: dict[object, object] = {}
    for i, (who, first, last) in enumerate(zip(pollster, start, end)):
        if who in last_end and first <= last_end[who]:
            keep[i] = False
        else:
            last_end[who] = last
    return keep


@dataclass(frozen=True)
class SeriesPolls:
    """One series' rows of POLLS_SQL: the Arrow slice, and the numpy columns the model reads."""

    key: tuple[str, str, str]
    election_day: date | None
    result_pct: float | None
    rows: pa.Table

    def column(self, name: str) -> np.ndarray:
        return self.rows[name].to_numpy(zero_copy_only=False)


def split_series(polls: pa.Table) -> Iterator[SeriesPolls]:
    """POLLS_SQL's rows (sorted by series) cut into series."""
    keys = list(zip(*(polls[name].to_pylist() for name in ("question", "election", "subject_code"))))
    boundaries = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]] + [len(keys)]
    for start, stop in zip(boundaries, boundaries[1:]):
        yield SeriesPolls(
            key=keys[start],
            election_day=polls["election_day"][start].as_py(),
            result_pct=polls["result_pct"][start].as_py(),
            rows=polls.slice(start, stop - start),
        )


def _day_number(days: np.ndarray, origin: np.datetime64) -> np.ndarray:
    return (days.astype("datetime64[D]") - origin).astype(np.int64)


def model_series(polls: SeriesPolls, keep: np.ndarray) -> tuple[poll_model.Series, list[str], np.datetime64]:
    """The model's input: independent polls, pollsters indexed by sorted code, days from the first;
    the official result anchors election day when there is one."""
    pollsters, pollster = np.unique(polls.column("pollster_code")[keep].astype(str), return_inverse=True)
    poll_day = polls.column("poll_day")[keep]
    origin = poll_day.astype("datetime64[D]").min()
    anchored = polls.result_pct is not None and polls.election_day is not None
    data = poll_model.series(
        _day_number(poll_day, origin),
        polls.column("value_pct")[keep].astype(np.float64),
        polls.rows["sample_size"].cast(pa.float64()).fill_null(np.nan).to_numpy()[keep],
        pollster,
        len(pollsters),
        result_day=int(_day_number(np.array([polls.election_day]), origin)[0]) if anchored else None,
        result_value=polls.result_pct if anchored else None,
    )
    return data, list(pollsters), origin


def _dates(origin: np.datetime64, offsets: np.ndarray) -> pa.Array:
    return pa.array((origin + offsets.astype("timedelta64[D]")).astype("datetime64[D]"), pa.date32())


def _day_rows(data: poll_model.Series, fit: poll_model.Fit, origin: np.datetime64) -> pa.Table:
    """Every day from the first poll to the last (or to election day when anchored)."""
    days = np.arange(data.n_days)
    used = np.searchsorted(data.day, days, side="right")
    last = data.day[np.maximum(used - 1, 0)]
    return pa.table(
        {
            "day": _dates(origin, days),
            "level_pct": fit.level,
            "level_sd_pts": fit.level_sd,
            "n_polls_used": pa.array(used, pa.int32()),
            "last_poll_day": _dates(origin, last),
        }
    )


def _house_rows(data: poll_model.Series, fit: poll_model.Fit, pollsters: list[str]) -> pa.Table:
    return pa.table(
        {
            "pollster_code": pa.array(pollsters, pa.string()),
            "house_effect_pts": fit.house,
            "house_effect_se_pts": fit.house_sd,
            "n_polls": pa.array(np.bincount(data.pollster, minlength=len(pollsters)), pa.int32()),
        }
    )


def _poll_rows(polls: SeriesPolls, keep: np.ndarray, fit: poll_model.Fit | None) -> pa.Table:
    """Every poll of the series; the model's columns are null on the overlapping waves left out."""
    n = len(keep)

    def on_kept(values: np.ndarray | None, kind: pa.DataType) -> pa.Array:
        full = np.zeros(n, dtype=values.dtype if values is not None else np.float64)
        if values is not None:
            full[keep] = values
        return pa.array(full, kind, mask=~keep if values is not None else np.ones(n, bool))

    published = {field.name: polls.rows[field.name].cast(field.type) for field in list(POLL_TYPE)[:8]}
    return pa.table(
        {
            **published,
            "is_independent": pa.array(keep, pa.bool_()),
            "predicted_pct": on_kept(fit and fit.predicted, pa.float64()),
            "predicted_sd_pts": on_kept(fit and fit.predicted_sd, pa.float64()),
            "in_calibration": on_kept(fit and fit.in_calibration, pa.bool_()),
            "inside_90": on_kept(fit and fit.inside_90, pa.bool_()),
        }
    )


def _nested(table: pa.Table, kind: pa.StructType) -> pa.ListArray:
    """One list holding every row of `table` as a struct."""
    structs = pa.StructArray.from_arrays([table[field.name].combine_chunks() for field in kind], fields=list(kind))
    return pa.ListArray.from_arrays(pa.array([0, len(structs)], pa.int32()), structs)


def fit_series(polls: SeriesPolls, settings: Settings) -> pa.Table:
    """The one-row table of a series: fitted when it has MIN_POLLS independent polls."""
    pollster, start, end = (polls.column(name) for name in ("pollster_code", "fieldwork_start", "fieldwork_end"))
    order = np.lexsort((start.astype("datetime64[D]"), pollster.astype(str)))
    keep = np.empty(len(order), dtype=bool)
    keep[order] = independent_waves(pollster[order], start[order], end[order])
    fitted = int(keep.sum()) >= MIN_POLLS
    data, pollsters, origin = model_series(polls, keep)
    fit = poll_model.fit(data, settings) if fitted else None
    question, election, subject = polls.key
    row = {
        "question": question,
        "election": election,
        "subject_code": subject,
        "election_day": polls.election_day,
        "result_pct": polls.result_pct,
        "is_anchored": data.anchored,
        "is_fitted": fitted,
        "n_polls": int(keep.sum()),
        "n_polls_overlapping": int((~keep).sum()),
        "n_pollsters": data.n_pollsters,
        "first_poll_day": origin.astype(date),
        "last_poll_day": (origin + np.timedelta64(int(data.day.max()), "D")).astype(date),
        "sigma_pts": fit and fit.sigma,
        "tau_pts": fit and fit.tau,
        "log_likelihood": fit and fit.log_likelihood,
        "n_calibration_polls": fit and fit.n_calibration,
        "calibration_share": fit and fit.calibration_share,
    }
    table = {name: pa.array([value], SCHEMA.field(name).type) for name, value in row.items()}
    table["days"] = _nested(_day_rows(data, fit, origin), DAY_TYPE) if fit else _empty_list(DAY_TYPE)
    table["house_effects"] = _nested(_house_rows(data, fit, pollsters), HOUSE_TYPE) if fit else _empty_list(HOUSE_TYPE)
    table["polls"] = _nested(_poll_rows(polls, keep, fit), POLL_TYPE)
    return pa.table(table, schema=SCHEMA)


def _empty_list(kind: pa.StructType) -> pa.ListArray:
    """An unfitted series has no days and no house effects, only its polls."""
    return pa.array([[]], pa.list_(kind))


def fit_all(polls: pa.Table, settings: Settings, log: Log) -> pa.Table:
    """Every series of POLLS_SQL's rows, one row each."""
    tables = [fit_series(series, settings) for series in split_series(polls)]
    fitted = sum(table["is_fitted"][0].as_py() for table in tables)
    log(f"{len(tables)} series, {fitted} fitted (at least {MIN_POLLS} independent polls)")
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()
