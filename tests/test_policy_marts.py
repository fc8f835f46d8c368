"""Votes tied to dossiers and policy areas, checked on the warehouse built from the real mirror.

Independent references: the decision acts are read from the real dossiers zip with zipfile + json
(none of the project's parsers); the unanimity of one area is recomputed in Python from the staged
group tallies with the definitions of docs/methods.md (strict plurality of pour, contre, abstentions;
a vote counts when every alliance group has a position).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.defs.assemblee.assets import assemblee_dossiers
from orchestration.lib.an_dumps import DOSSIERS_DUMP
from orchestration.lib.config import Settings
from support.mirror import LoopbackMirror
from tests.lib.test_dossiers_parser import walk_dicts
from tests.resources import loader_resources, settings_for

pytestmark = pytest.mark.integration

DOSSIERS_ZIP_16 = "an/16/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip"
SCRUTINS_ZIP_16 = "an/16/loi/scrutins/Scrutins.json.zip"
MIN_LINKED_SHARE_16 = 0.80
CHECKED_AREA = "defence"
NUPES_BLOC = "NUPES"


def votes_named_by_decisions(shared_data: Path) -> dict[str, set[str]]:
    """{scrutin uid: dossiers whose acts name it in voteRefs}, read straight from the real zip."""
    named: dict[str, set[str]] = defaultdict(set)
    with zipfile.ZipFile(shared_data / DOSSIERS_ZIP_16) as archive:
        for name in archive.namelist():
            if not name.startswith("json/dossierParlementaire/"):
                continue
            dossier = json.loads(archive.read(name))["dossierParlementaire"]
            for node in walk_dicts(dossier):
                refs = node.get("voteRef")
                for ref in [refs] if isinstance(refs, str) else refs or []:
                    named[ref].add(dossier["uid"])
    return named


def scrutin_uids_16(shared_data: Path) -> set[str]:
    with zipfile.ZipFile(shared_data / SCRUTINS_ZIP_16) as archive:
        return {Path(name).stem for name in archive.namelist() if name.endswith(".json")}


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        yield con


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


# Links -----------------------------------------------------------------------------------------


def test_every_vote_named_by_a_decision_act_gets_that_dossier(shared_data, warehouse):
    named = votes_named_by_decisions(shared_data)
    loaded = scrutin_uids_16(shared_data)
    expected = {uid: dossiers for uid, dossiers in named.items() if uid in loaded}
    assert len(expected) > 150 and all(len(dossiers) == 1 for dossiers in expected.values())
    links = {
        row["scrutin_uid"]: row
        for row in fetch_dicts(warehouse, "SELECT * FROM marts.dim_scrutins WHERE legislature = 16")
    }
    wrong = {
        uid: (links[uid]["dossier_uid"], links[uid]["link_method"], dossiers)
        for uid, dossiers in expected.items()
        if links[uid]["dossier_uid"] not in dossiers or links[uid]["link_method"] != "decision_vote_ref"
    }
    assert wrong == {}


def test_most_votes_of_the_16th_are_linked_to_one_dossier(shared_data, warehouse, record_property, capsys):
    rows = fetch_dicts(
        warehouse,
        "SELECT coalesce(link_method, 'unlinked') AS method, count(*) AS n_votes, count(DISTINCT scrutin_uid) AS n_uids"
        " FROM marts.dim_scrutins WHERE legislature = 16 GROUP BY ALL ORDER BY n_votes DESC",
    )
    total = sum(row["n_votes"] for row in rows)
    assert total == sum(row["n_uids"] for row in rows) == len(scrutin_uids_16(shared_data))  # one row per vote
    shares = {row["method"]: row["n_votes"] / total for row in rows}
    with capsys.disabled():
        print(
            "\n16th legislature, votes linked by method: "
            + ", ".join(
                f"{method} {share:.1%} ({row['n_votes']})" for (method, share), row in zip(shares.items(), rows)
            )
        )
    record_property("link_shares_16", shares)
    assert 1 - shares.get("unlinked", 0) >= MIN_LINKED_SHARE_16
    assert shares["decision_vote_ref"] > 0 and shares["title_text_name"] > 0 and shares["same_sitting_decision"] > 0


def test_policy_area_of_each_linked_vote_is_its_dossiers(warehouse):
    mismatched = warehouse.execute(
        "SELECT count(*) FROM marts.dim_scrutins AS s JOIN marts.dim_dossiers AS d USING (dossier_uid)"
        " WHERE s.policy_area <> d.policy_area"
    ).fetchone()[0]
    unlinked_classified = warehouse.execute(
        "SELECT count(*) FROM marts.dim_scrutins WHERE dossier_uid IS NULL AND policy_area <> 'unclassified'"
    ).fetchone()[0]
    assert (mismatched, unlinked_classified) == (0, 0)


# Marts -----------------------------------------------------------------------------------------


def plurality(n_for: int, n_against: int, n_abstain: int) -> str | None:
    ranked = sorted(zip((n_for, n_against, n_abstain), ("for", "against", "abstain")), reverse=True)
    return ranked[0][1] if ranked[0][0] > ranked[1][0] else None


def test_one_areas_unanimity_rate_recomputed_from_staged_tables(warehouse):
    """The alliance's unanimity on defence votes, from staging's tallies and the groups seed alone."""
    tallies = warehouse.execute(
        """
        SELECT t.scrutin_uid, g.group_code, sum(t.n_for), sum(t.n_against), sum(t.n_abstain)
        FROM staging.stg_assemblee__group_tallies AS t
        JOIN staging.stg_assemblee__scrutins AS s USING (scrutin_uid)
        JOIN staging.ref_parliament_groups AS g ON g.group_uid = t.source_group_uid AND g.legislature = t.legislature
        JOIN marts.dim_scrutins AS area ON area.scrutin_uid = t.scrutin_uid
        WHERE s.legislature = 16 AND s.chamber = 'AN' AND s.vote_type_code IN ('SPO', 'SPS')
          AND g.bloc = ? AND area.policy_area = ?
        GROUP BY ALL
        """,
        [NUPES_BLOC, CHECKED_AREA],
    ).fetchall()
    members = {
        code
        for (code,) in warehouse.execute(
            "SELECT DISTINCT group_code FROM staging.ref_parliament_groups WHERE legislature = 16 AND bloc = ?",
            [NUPES_BLOC],
        ).fetchall()
    }
    positions: dict[str, dict[str, str | None]] = defaultdict(dict)
    for scrutin_uid, group_code, n_for, n_against, n_abstain in tallies:
        positions[scrutin_uid][group_code] = plurality(n_for, n_against, n_abstain)
    counted = [
        set(by_group.values())
        for by_group in positions.values()
        if set(by_group) == members and None not in by_group.values()
    ]
    n_unanimous = sum(len(taken) == 1 for taken in counted)
    mart = fetch_dicts(
        warehouse,
        "SELECT n_votes, n_unanimous, unanimity_rate FROM marts.mart_policy_area_bloc_unity"
        " WHERE legislature = 16 AND bloc = ? AND policy_area = ?",
        [NUPES_BLOC, CHECKED_AREA],
    )
    assert len(counted) > 20
    assert mart == [
        {
            "n_votes": len(counted),
            "n_unanimous": n_unanimous,
            "unanimity_rate": pytest.approx(n_unanimous / len(counted), abs=1e-12),
        }
    ]


def test_every_area_adds_up_to_the_whole_legislature(warehouse):
    """Areas partition the votes: their unanimity counts sum to mart_bloc_unity's."""
    by_area = warehouse.execute(
        "SELECT sum(n_votes), sum(n_unanimous) FROM marts.mart_policy_area_bloc_unity WHERE legislature = 16 AND bloc = ?",
        [NUPES_BLOC],
    ).fetchone()
    whole = warehouse.execute(
        "SELECT n_votes, n_unanimous FROM marts.mart_bloc_unity WHERE legislature = 16 AND bloc = ?", [NUPES_BLOC]
    ).fetchone()
    assert by_area == whole


def test_alliance_unity_by_area_is_reported(warehouse, capsys):
    rows = fetch_dicts(
        warehouse,
        "SELECT policy_area, n_votes, unanimity_rate, least_agreeing_group_a, least_agreeing_group_b,"
        " least_agreeing_pair_n_votes, least_agreeing_pair_agreement_rate"
        " FROM marts.mart_policy_area_bloc_unity WHERE legislature = 16 AND bloc = ? AND policy_area <> 'unclassified'"
        " ORDER BY unanimity_rate DESC",
        [NUPES_BLOC],
    )
    with capsys.disabled():
        print(
            "\nNUPES unanimity by policy area (16th): "
            + "; ".join(
                f"{row['policy_area']} {row['unanimity_rate']:.1%} (n={row['n_votes']}, least agreeing "
                f"{row['least_agreeing_group_a']}-{row['least_agreeing_group_b']} {row['least_agreeing_pair_agreement_rate']:.1%}"
                f" n={row['least_agreeing_pair_n_votes']})"
                for row in rows
            )
        )
    assert len(rows) == 8  # every area of the seed has votes in the 16th


def test_final_vote_positions_say_when_the_alliance_split(warehouse):
    rows = fetch_dicts(
        warehouse,
        "SELECT groups_for, groups_against, groups_abstain, alliance_split FROM marts.mart_dossier_bloc_positions"
        " WHERE legislature = 16 AND bloc = ?",
        [NUPES_BLOC],
    )
    assert rows
    for row in rows:
        named = [
            group
            for column in ("groups_for", "groups_against", "groups_abstain")
            for group in (row[column] or "").split(", ")
            if group
        ]
        taken = sum(1 for column in ("groups_for", "groups_against", "groups_abstain") if row[column])
        assert len(named) == len(set(named))
        assert row["alliance_split"] == (taken > 1)


# The dossiers source ---------------------------------------------------------------------------


def materialize_dossiers(settings: Settings) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [assemblee_dossiers],
        resources=loader_resources(settings, database=settings.warehouse_path),
        raise_on_error=False,
    )


@pytest.fixture
def dossiers_only(clean_mirror: LoopbackMirror, tmp_path: Path) -> Settings:
    return settings_for(clean_mirror.base_url, tmp_path / "nupes.duckdb", NUPES_LEGISLATURES="16 17")


def test_a_missing_dump_is_a_warning_and_the_run_goes_on(dossiers_only: Settings):
    result = materialize_dossiers(dossiers_only)
    assert result.success
    metadata = {
        event.asset_key.path[-1]: event.materialization.metadata for event in result.get_asset_materialization_events()
    }
    assert "17:" in metadata["an_dossiers"]["warning"].value
    assert metadata["an_dossiers"]["rows_by_dump_legislature"].value == {"16": 2943}
    coverage = next(e for e in result.get_asset_check_evaluations() if e.check_name == DOSSIERS_DUMP.coverage_check)
    assert (coverage.passed, coverage.severity) == (False, dg.AssetCheckSeverity.WARN)


def test_a_damaged_dump_fails_naming_the_file(
    dossiers_only: Settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
):
    broken = tmp_path / "broken.zip"
    shutil.copy(shared_data / DOSSIERS_ZIP_16, broken)
    with broken.open("r+b") as handle:  # cut the central directory: the zip can no longer be read whole
        handle.truncate(broken.stat().st_size - 4096)
    clean_mirror.state.overrides[DOSSIERS_ZIP_16] = broken.read_bytes()
    try:
        result = materialize_dossiers(dossiers_only)
    finally:
        clean_mirror.state.overrides.pop(DOSSIERS_ZIP_16)
    assert not result.success
    errors = "\n".join(str(event.step_failure_data.error) for event in result.get_step_failure_events())
    assert "Dossiers_Legislatifs.json.zip" in errors
