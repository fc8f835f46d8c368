"""The semantic layer says what the marts say: every MetricFlow metric, queried through MetricFlow on
the session's built warehouse, equals the figure the mart publishes, read directly with duckdb.

MetricFlow's engine runs in process (what `mf query` calls), so the dozen queries share one start-up;
one test runs the `mf query` command line of docs/analysts.md itself. Both read a copy of the build
database, never a file another reader holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import pytest

from orchestration.defs.transform.project import dbt_project
from orchestration.lib.config import Settings

pytestmark = pytest.mark.integration

SEMANTIC_MANIFEST = dbt_project.project_dir / "target" / "semantic_manifest.json"
MF_EXECUTABLE = Path(sys.executable).with_name("mf")
# Ratios are computed in a different order (sums, then the division) from the marts' averages.
RELATIVE_TOLERANCE = 1e-9

Row = tuple[object, ...]


@dataclass(frozen=True)
class MetricCheck:
    """MetricFlow's `metrics` by `group_by` must equal the mart's rows: `mart_sql` selects the group-by
    keys, in the same order, then the metrics' values, in the same order."""

    name: str
    metrics: tuple[str, ...]
    group_by: tuple[str, ...]
    mart_sql: str
    where: tuple[str, ...] = ()


COHESION = ("mean_agreement_index", "agreement_index_votes", "agreement_index_total")
COHESION_COLUMNS = "mean_agreement_index, n_votes, mean_agreement_index * n_votes"
PAIRS = ("pairwise_agreement_rate", "pair_votes", "pair_agreements")
UNITY = ("bloc_unanimity_rate", "bloc_votes", "bloc_unanimous_votes")
SUCCESS = ("success_rate", "decisive_rate", "positioned_votes", "won_votes", "decisive_votes")
SUCCESS_COLUMNS = "success_rate, decisive_rate, n_votes, n_won, n_decisive"

CHECKS = (
    MetricCheck(
        "cohesion by month and group",
        COHESION,
        ("metric_time__month", "group_vote__legislature", "group_vote__group_code"),
        f"select vote_month, legislature, group_code, {COHESION_COLUMNS} from marts.mart_group_cohesion_monthly",
    ),
    MetricCheck(
        "cohesion by legislature and group",
        COHESION,
        ("group_vote__legislature", "group_vote__group_code"),
        f"select legislature, group_code, {COHESION_COLUMNS} from marts.mart_group_cohesion",
    ),
    MetricCheck(
        "cohesion by policy area",
        COHESION,
        ("group_vote__legislature", "group_vote__policy_area", "group_vote__group_code"),
        f"select legislature, policy_area, group_code, {COHESION_COLUMNS} from marts.mart_policy_area_cohesion",
        where=("{{ Dimension('group_vote__policy_area') }} is not null",),
    ),
    MetricCheck(
        "pairwise agreement by month",
        PAIRS,
        (
            "metric_time__month",
            "bloc_pair_month__legislature",
            "bloc_pair_month__group_code_a",
            "bloc_pair_month__group_code_b",
        ),
        "select vote_month, legislature, group_code_a, group_code_b, agreement_rate, n_votes, n_agree"
        " from marts.mart_bloc_pairwise_agreement_monthly",
    ),
    MetricCheck(
        "pairwise agreement by legislature",
        PAIRS,
        ("bloc_pair_month__legislature", "bloc_pair_month__group_code_a", "bloc_pair_month__group_code_b"),
        "select legislature, group_code_a, group_code_b, agreement_rate, n_votes, n_agree"
        " from marts.mart_bloc_pairwise_agreement",
    ),
    MetricCheck(
        "bloc unity by month",
        UNITY,
        ("metric_time__month", "bloc_month__legislature", "bloc_month__bloc"),
        "select vote_month, legislature, bloc, unanimity_rate, n_votes, n_unanimous from marts.mart_bloc_unity_monthly",
    ),
    MetricCheck(
        "bloc unity by legislature",
        UNITY,
        ("bloc_month__legislature", "bloc_month__bloc"),
        "select legislature, bloc, unanimity_rate, n_votes, n_unanimous from marts.mart_bloc_unity",
    ),
    MetricCheck(
        "loyalty and participation by membership",
        ("loyalty_rate", "loyalty_votes", "loyal_votes", "participation_rate", "votes_cast", "votes_expected"),
        ("membership",),
        "select membership_key, loyalty_rate, n_votes, n_follows, participation_rate, n_votes_cast,"
        " n_votes_held - n_excused from marts.mart_deputy_loyalty",
    ),
    MetricCheck(
        "poll average by day",
        ("poll_average",),
        ("metric_time__day", "poll_average_day__question", "poll_average_day__subject_code"),
        "select day, question, subject_code, average_pct from marts.mart_poll_average_daily",
    ),
    MetricCheck(
        "success by month",
        SUCCESS,
        ("metric_time__month", "group_success_month__legislature", "group_success_month__group_code"),
        f"select grain_value::date, legislature, group_code, {SUCCESS_COLUMNS}"
        " from marts.mart_group_success where grain = 'month'",
    ),
    MetricCheck(
        "success by legislature",
        SUCCESS,
        ("group_success_month__legislature", "group_success_month__group_code"),
        f"select legislature, group_code, {SUCCESS_COLUMNS} from marts.mart_group_success where grain = 'legislature'",
    ),
)


def semantic_manifest() -> dict:
    return orjson.loads(SEMANTIC_MANIFEST.read_bytes())


def normalised(rows: Sequence[Row], n_keys: int) -> dict[Row, Row]:
    """Rows keyed by their group-by values (datetimes as dates, as the marts store them). Rows with no
    figure at all (every count zero or null) are left out: MetricFlow lists the group values its
    semantic model holds, a mart only those it has votes for."""
    keyed: dict[Row, Row] = {}
    for row in rows:
        key = tuple(value.date() if isinstance(value, dt.datetime) else value for value in row[:n_keys])
        values = tuple(row[n_keys:])
        if any(value not in (None, 0) for value in values):
            assert key not in keyed, f"group-by keys repeat: {key}"
            keyed[key] = values
    return keyed


def same_figure(left: object, right: object) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(float(left), float(right), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)


def mismatches(semantic: dict[Row, Row], mart: dict[Row, Row], metrics: Sequence[str]) -> list[str]:
    """One line per key and metric where the two disagree, a key present on one side only included."""
    lines = [f"{key}: only in MetricFlow" for key in semantic.keys() - mart.keys()]
    lines += [f"{key}: only in the mart" for key in mart.keys() - semantic.keys()]
    for key in semantic.keys() & mart.keys():
        lines += [
            f"{key} {metric}: MetricFlow {ours}, mart {theirs}"
            for metric, ours, theirs in zip(metrics, semantic[key], mart[key], strict=True)
            if not same_figure(ours, theirs)
        ]
    return lines


def copy_of_the_build(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's build database, under the database name the semantic manifest records
    (dbt names a DuckDB catalog after its file). Each reader gets its own: dbt's connection and a
    read-only one cannot share a file in one process, nor an `mf` process another's."""
    database = semantic_manifest()["semantic_models"][0]["node_relation"]["database"]
    copy = tmp_path_factory.mktemp("semantic") / f"{database}.duckdb"
    shutil.copyfile(settings.build_path, copy)
    return copy


@pytest.fixture(scope="module")
def mart_database(built_warehouse: Path, built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of_the_build(built_settings, tmp_path_factory)


@pytest.fixture(scope="module")
def metricflow(
    built_warehouse: Path, built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    """MetricFlow's engine on a copy: dbt's profile takes the database from NUPES_BUILD_DATABASE."""
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NUPES_BUILD_DATABASE", str(copy_of_the_build(built_settings, tmp_path_factory)))
        configuration = CLIConfiguration()
        configuration.setup(
            dbt_profiles_path=dbt_project.project_dir,
            dbt_project_path=dbt_project.project_dir,
            configure_file_logging=False,
        )
        yield configuration.mf


def metricflow_rows(engine: object, check: MetricCheck) -> list[Row]:
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    request = MetricFlowQueryRequest.create(
        metric_names=check.metrics, group_by_names=check.group_by, where_constraints=list(check.where) or None
    )
    table = engine.query(mf_request=request).result_df
    order = [table.column_name_index(name) for name in (*check.group_by, *check.metrics)]
    return [tuple(row[index] for index in order) for row in table.rows]


def test_every_metric_is_checked_against_a_mart() -> None:
    defined = {metric["name"] for metric in semantic_manifest()["metrics"]}
    checked = {metric for check in CHECKS for metric in check.metrics}
    assert defined == checked


@pytest.mark.parametrize("check", CHECKS, ids=[check.name for check in CHECKS])
def test_metric_equals_its_mart(check: MetricCheck, metricflow: object, mart_database: Path) -> None:
    n_keys = len(check.group_by)
    with duckdb.connect(str(mart_database), read_only=True) as con:
        mart = normalised(con.execute(check.mart_sql).fetchall(), n_keys)
    semantic = normalised(metricflow_rows(metricflow, check), n_keys)
    assert mart, f"{check.name}: the mart is empty, nothing was compared"
    assert not mismatches(semantic, mart, check.metrics)


def test_the_analysts_mf_query_by_month_and_group(
    built_settings: Settings, mart_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The command line docs/analysts.md shows, run as an analyst runs it."""
    database = copy_of_the_build(built_settings, tmp_path_factory)
    output = database.with_name("cohesion.csv")
    subprocess.run(
        [
            str(MF_EXECUTABLE),
            "query",
            "--metrics",
            "mean_agreement_index",
            "--group-by",
            "metric_time__month,group_vote__group_code",
            "--csv",
            str(output),
            "--quiet",
        ],
        cwd=dbt_project.project_dir,
        env={**os.environ, "NUPES_BUILD_DATABASE": str(database)},
        check=True,
        capture_output=True,
        timeout=300,
    )
    with output.open(newline="") as handle:
        rows = [
            (
                dt.datetime.fromisoformat(row["metric_time__month"]).date(),
                row["group_vote__group_code"],
                float(row["mean_agreement_index"]) if row["mean_agreement_index"] else None,
            )
            for row in csv.DictReader(handle)
        ]
    with duckdb.connect(str(mart_database), read_only=True) as con:
        mart = con.execute(
            "select vote_month, group_code, mean_agreement_index from marts.mart_group_cohesion_monthly"
        ).fetchall()
    assert not mismatches(normalised(rows, 2), normalised(mart, 2), ["mean_agreement_index"])
