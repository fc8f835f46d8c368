"""The poll feeds end to end against the loopback mirror: the assets' reload rules, and the marts of the
warehouse the whole Dagster graph built (`built_warehouse`), checked against values recomputed here
from the real files and the staged rows, independently of the SQL.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.config import PROJECT_ROOT, load_settings
from orchestration.lib.poll_feeds import poll_feed
from orchestration.lib.polls import FEEDS, PollFileError, feed_by_source
from orchestration.lib.quarantine import TooManyBadRecords
from orchestration.lib.refresh import RefreshOptions, UnitOutcome, refresh_unit
from support.mirror import LoopbackMirror

pytestmark = pytest.mark.integration

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds" / "polls"
LEGISLATIVE_2022 = "github/EliasOrphelin/Legislatives2022/main/SondagesLegislatives2022.csv"
HEADLINE_DAY = date(2022, 6, 10)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def feed_path(shared_data: Path, source: str, table: str) -> Path:
    feed = feed_by_source(source)
    spec = next(spec for spec in feed.files if spec.table == table)
    return shared_data / "polls" / ("curated" if feed.curated else "github") / spec.path


# Assets -----------------------------------------------------------------------------------------


def silent(message: str) -> None:
    return None


FEED = "eliasorphelin_legislatives2022"
QUARANTINE = RefreshOptions()
STRICT = RefreshOptions(on_bad_member="fail")


def load_feed(con, source: str, settings, options: RefreshOptions, warn=silent) -> UnitOutcome:
    """One refresh of the feed named `source` into `con`, as its asset runs it."""
    feed = poll_feed(source)
    (unit,) = feed.units(settings)
    return refresh_unit(con, feed, unit, options, silent, warn)


@pytest.fixture
def feed_settings(clean_mirror: LoopbackMirror, tmp_path: Path):
    return load_settings({"NUPES_SOURCES": clean_mirror.base_url, "NUPES_WAREHOUSE": str(tmp_path / "w.duckdb")})


def test_an_unchanged_feed_is_not_reloaded(feed_settings, tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "feed.duckdb")) as con:
        first = load_feed(con, FEED, feed_settings, QUARANTINE)
        second = load_feed(con, FEED, feed_settings, QUARANTINE)
    assert (first.status, second.status) == ("loaded", "unchanged")
    assert second.rows_by_table == first.rows_by_table == {"polls_legislative_2022": 593}


def test_in_strict_mode_a_bad_row_fails_naming_file_row_and_column_and_keeps_the_loaded_rows(
    feed_settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
) -> None:
    good = (shared_data / "polls" / LEGISLATIVE_2022).read_bytes()
    with duckdb.connect(str(tmp_path / "feed.duckdb")) as con:
        load_feed(con, FEED, feed_settings, STRICT)
        clean_mirror.state.overrides["polls/" + LEGISLATIVE_2022] = good.replace(b'"34"', b'"34,5"', 1)
        with pytest.raises(PollFileError, match=r"SondagesLegislatives2022\.csv: row 2, column intentions"):
            load_feed(con, FEED, feed_settings, STRICT)
        (kept,) = con.execute("select count(*) from raw.polls_legislative_2022").fetchone()
    assert kept == 593


def test_a_bad_row_is_quarantined_and_the_others_load_but_not_above_one_percent(
    feed_settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
) -> None:
    good = (shared_data / "polls" / LEGISLATIVE_2022).read_bytes()
    warnings: list[str] = []
    with duckdb.connect(str(tmp_path / "feed.duckdb")) as con:
        clean_mirror.state.overrides["polls/" + LEGISLATIVE_2022] = good.replace(b'"34"', b'"34,5"', 1)
        outcome = load_feed(con, FEED, feed_settings, QUARANTINE, warnings.append)
        assert outcome.rows_by_table["polls_legislative_2022"] == 592
        rows = con.execute("select source_row from raw.polls_legislative_2022 order by 1").fetchall()
        assert [row for (row,) in rows] == [n for n in range(1, 594) if n != 2]
        (source, member, error, kept) = con.execute(
            "select source, member, error, kept_previous_rows from raw.quarantine"
        ).fetchone()
        assert (source, member, kept) == (
            "polls/eliasorphelin_legislatives2022",
            "SondagesLegislatives2022.csv:row 2",
            False,
        )
        assert error.startswith("SondagesLegislatives2022.csv: row 2, column intentions: cannot read '34,5' as float")
        assert warnings == [f"eliasorphelin_legislatives2022: {member} quarantined: {error}"]

        too_many = good.replace(b'"3498"', b'"3 498"', 6)  # 6 rows of 593: above 1 %
        clean_mirror.state.overrides["polls/" + LEGISLATIVE_2022] = too_many
        with pytest.raises(TooManyBadRecords, match=r"6 of 593 rows \(1\.0%\) cannot be loaded"):
            load_feed(con, FEED, feed_settings, QUARANTINE)
        assert con.execute("select count(*) from raw.polls_legislative_2022").fetchone() == (592,)
        assert con.execute("select count(*) from raw.quarantine").fetchone() == (1,)


# Built warehouse ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        yield con


def test_every_raw_poll_table_holds_every_row_of_its_file(
    warehouse: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    for feed in FEEDS:
        for spec in feed.files:
            expected = len(read_csv(feed_path(shared_data, feed.source, spec.table)))
            (loaded,) = warehouse.execute(f"select count(*) from raw.{spec.table}").fetchone()
            assert loaded == expected, spec.table


def test_the_2022_legislative_polls_are_each_one_poll(warehouse: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    records = read_csv(shared_data / "polls" / LEGISLATIVE_2022)
    shares = [r for r in records if r["type"] == "score"]
    polls = {(r["nom_institut"].lower(), r["debut_enquete"], r["fin_enquete"]) for r in shares}
    rows, n_polls = warehouse.execute(
        "select count(*), count(distinct poll_id) from marts.fct_poll_results where source = 'eliasorphelin_legislatives2022'"
    ).fetchone()
    assert (rows, n_polls) == (len(shares), len(polls))


# The errata seed names fct columns; the 2022 legislative staging calls the share `value`.
STAGED_ERRATUM_COLUMN = {"sample_size": "sample_size", "value_pct": "value"}


def erratum_values(warehouse: duckdb.DuckDBPyConnection, relation: str, column: str, erratum: dict[str, str]) -> list:
    subject = erratum["subject_label"] or None
    return warehouse.execute(
        f"select distinct {column} from {relation} "
        "where source = ? and poll_id = ? and (? is null or subject_label = ?)",
        [erratum["source"], erratum["poll_id"], subject, subject],
    ).fetchall()


def test_errata_correct_the_mart_and_leave_staging_as_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    errata = read_csv(SEEDS / "ref_poll_errata.csv")
    assert {erratum["source"] for erratum in errata} == {"eliasorphelin_legislatives2022"}
    for erratum in errata:
        staged_shares = "(select * from staging.stg_polls__legislative_2022 where measure = 'vote_share')"
        published = erratum_values(warehouse, staged_shares, STAGED_ERRATUM_COLUMN[erratum["field"]], erratum)
        corrected = erratum_values(warehouse, "marts.fct_poll_results", erratum["field"], erratum)
        assert published == [(float(erratum["wrong_value"]),)]
        assert corrected == [(float(erratum["right_value"]) if erratum["right_value"] else None,)]


def test_pollsters_have_one_spelling(warehouse: duckdb.DuckDBPyConnection) -> None:
    spellings = warehouse.execute(
        "select pollster_code, count(distinct pollster_name) from marts.fct_poll_results group by 1 having count(distinct pollster_name) <> 1"
    ).fetchall()
    assert spellings == []
    (opinionway,) = warehouse.execute(
        "select count(distinct pollster_code) from marts.fct_poll_results where lower(pollster_label) in ('opinionway', 'opinion way')"
    ).fetchone()
    assert opinionway == 1


# The daily average, recomputed ------------------------------------------------------------------


def dbt_vars() -> dict[str, float]:
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    return project["vars"]


def pollster_codes() -> dict[str, str]:
    return {row["pollster_label"]: row["pollster_code"] for row in read_csv(SEEDS / "ref_poll_pollster_aliases.csv")}


def sample_size_errata() -> dict[tuple[str, str], int | None]:
    return {
        (row["source"], row["poll_id"]): int(float(row["right_value"])) if row["right_value"] else None
        for row in read_csv(SEEDS / "ref_poll_errata.csv")
        if row["field"] == "sample_size"
    }


def staged_nupes_polls(
    warehouse: duckdb.DuckDBPyConnection,
) -> list[tuple[str, str, str, date, date, int | None, float]]:
    """The NUPES joint-list figures of every staged legislative poll (both legislative feeds)."""
    return warehouse.execute(
        """
        select source, poll_id, pollster_label, fieldwork_start, fieldwork_end, sample_size, value
        from staging.stg_polls__legislative_2022 where measure = 'vote_share' and subject_label = 'NUPES'
        union all
        select source, poll_id, pollster_label, fieldwork_start, fieldwork_end, sample_size, value_pct
        from staging.stg_polls__legislative_2022_2023 where not is_election_result and subject_label = 'NUPES'
        """
    ).fetchall()


def python_average(polls: list[tuple], day: date) -> tuple[float, int]:
    """methods.md, written again from the text: midpoint, window, sqrt(n/1000) capped, half-life, per-pollster split."""
    params = dbt_vars()
    codes, errata = pollster_codes(), sample_size_errata()
    in_window = []
    for source, poll_id, label, start, end, sample_size, value in polls:
        midpoint = start + timedelta(days=(end - start).days // 2)
        age = (day - midpoint).days
        if 0 <= age < params["poll_window_days"]:
            size = errata.get((source, poll_id), sample_size)
            in_window.append((codes[label.lower().strip()], size, age, value))
    per_pollster = Counter(pollster for pollster, *_ in in_window)
    weights = [
        min(math.sqrt((size or 1000) / 1000), params["poll_sample_weight_cap"])
        * 0.5 ** (age / params["poll_half_life_days"])
        / per_pollster[pollster]
        for pollster, size, age, _ in in_window
    ]
    values = [value for *_, value in in_window]
    return sum(w * v for w, v in zip(weights, values)) / sum(weights), len(in_window)


def test_the_daily_average_equals_the_formula_recomputed_in_python(warehouse: duckdb.DuckDBPyConnection) -> None:
    expected_average, expected_polls = python_average(staged_nupes_polls(warehouse), HEADLINE_DAY)
    average, n_polls = warehouse.execute(
        "select average_pct, n_polls from marts.mart_poll_average_daily "
        "where question = 'legislative_first_round' and subject_code = 'nupes' and day = ?",
        [HEADLINE_DAY],
    ).fetchone()
    assert n_polls == expected_polls
    assert average == pytest.approx(expected_average, abs=1e-9)


# Other marts ------------------------------------------------------------------------------------


def test_left_bloc_share_is_the_joint_list_with_the_2022_result_beside_it(
    warehouse: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    records = read_csv(shared_data / "polls" / LEGISLATIVE_2022)
    nupes_2022 = sorted(float(r["intentions"]) for r in records if r["type"] == "score" and r["parti"] == "NUPES")
    shares = warehouse.execute(
        "select alliance_share_pct from marts.mart_left_bloc_voting_intention "
        "where source = 'eliasorphelin_legislatives2022' and share_method = 'joint_list' order by 1"
    ).fetchall()
    assert [share for (share,) in shares] == nupes_2022
    curated = read_csv(shared_data / "polls" / "curated" / "legislative_voting_intentions_2022-11_2023-12.csv")
    result = next(float(r["pct"]) for r in curated if r["variant"] == "election_result" and r["party"] == "NUPES")
    assert result == 25.66
    (results,) = warehouse.execute(
        "select list(distinct result_2022_first_round_pct) from marts.mart_left_bloc_voting_intention"
    ).fetchone()
    assert results == [result]


def test_a_split_list_poll_is_summed_only_over_every_party(
    warehouse: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    curated = read_csv(shared_data / "polls" / "curated" / "legislative_voting_intentions_2022-11_2023-12.csv")
    split = [r for r in curated if r["poll_id"] == "20231213_ifop_left_split_lists"]
    expected = sum(float(r["pct"]) for r in split if r["party"] in {"LFI", "PS", "EELV", "PCF"})
    (share,) = warehouse.execute(
        "select alliance_share_pct from marts.mart_left_bloc_voting_intention "
        "where poll_id = '20231213_ifop' and hypothesis = 'left_split_lists' and share_method = 'sum_of_parties'"
    ).fetchone()
    assert share == expected


def test_leader_series_never_mix_pollsters(warehouse: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    barometers = read_csv(shared_data / "polls" / "curated" / "popularity_barometers_2022_2024.csv")
    odoxa = sorted(
        (r["fieldwork_end"] or r["published"] or r["wave"], float(r["value_pct"]))
        for r in barometers
        if r["subject"] == "Jean-Luc Mélenchon"
        and r["pollster"].startswith("Odoxa")
        and r["metric"] == "adhesion"
        and r["population"] == "all"
    )
    series = warehouse.execute(
        "select value_pct, previous_value_pct, change_pts from marts.mart_leader_popularity "
        "where subject_code = 'jean_luc_melenchon' and pollster_code = 'odoxa' and metric = 'adhesion' "
        "and population = 'all' order by poll_date"
    ).fetchall()
    values = [value for _, value in odoxa]
    assert [value for value, _, _ in series] == values
    assert [change for _, _, change in series] == [None] + [b - a for a, b in zip(values, values[1:])]


def test_release_months_count_every_dated_release(warehouse: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    releases = read_csv(feed_path(shared_data, "dlmrr_sondages_france", "polls_releases"))
    (counted, encoded) = warehouse.execute(
        "select sum(n_releases), count(*) filter (where latest_title like '%&rsquo;%') from marts.mart_poll_releases_monthly"
    ).fetchone()
    assert counted == sum(1 for r in releases if r["date"])
    assert encoded == 0


def test_the_monthly_headline_carries_the_alliance_average_and_its_n(warehouse: duckdb.DuckDBPyConnection) -> None:
    """June 2022: the alliance's joint-list average on the month's last day that has one, with its polls."""
    expected = warehouse.execute(
        "select average_pct, n_polls, day from marts.mart_poll_average_daily "
        "where question = 'legislative_first_round' and subject_code = 'nupes' "
        "and day < date '2022-07-01' order by day desc limit 1"
    ).fetchone()
    june = warehouse.execute(
        "select voting_intention_pct, voting_intention_n_polls, voting_intention_day from marts.mart_nupes_monthly "
        "where month = date '2022-06-01' and alliance_code = 'NUPES'"
    ).fetchone()
    assert june == expected
    (months_with_votes,) = warehouse.execute(
        "select count(*) from marts.mart_nupes_monthly where n_votes_unity > 0 and unanimity_rate is not null"
    ).fetchone()
    assert months_with_votes > 0
