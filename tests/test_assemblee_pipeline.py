"""The Assemblée assets run for real: downloaded from the loopback mirror, parsed, loaded, checked.

Expected counts are computed here from the same zips with plain json/zipfile code. The first run is
shared by the module; tests that break a later run work on their own copy of its warehouse and
download cache, so each starts from the same previous state.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.defs.assemblee.assets import assemblee_people, assemblee_votes
from orchestration.defs.assemblee.checks import people_checks, vote_checks
from orchestration.lib import assemblee_votes as votes_parser
from orchestration.lib import refresh
from orchestration.lib.an_dumps import MEMBERS_CHECK, rows_by_partition
from orchestration.lib.http import fetch
from orchestration.lib.refresh import QUARANTINE_CHECK, QUARANTINED_METADATA
from support.mirror import LoopbackMirror, truncated
from tests.faults.damage import rewrite_zip
from tests.lib.test_assemblee_parsers import (
    AMO,
    PLURAL_CATEGORIES,
    SCRUTINS,
    SINGULAR_CATEGORIES,
    groups_of,
    json_members,
    voters_in,
)
from tests.resources import loader_resources, settings_for

pytestmark = pytest.mark.integration

LEGISLATURES = (16, 17)
TALLY_CHECK = "group_tallies_match_nominative_votes"
CATEGORIES = PLURAL_CATEGORIES | SINGULAR_CATEGORIES
BAD_MEMBER = "json/VTANR5L17V150.json"


@dataclass(frozen=True)
class Expected:
    """Rows each raw table must hold per partition, counted from the JSON."""

    rows: dict[str, dict[int, int]]
    tallies_differing_from_nominative: int


def _count_votes_dump(path: Path) -> tuple[dict[str, int], int]:
    counts: Counter[str] = Counter()
    differing = 0
    for _, document in json_members(path):
        counts["an_scrutins"] += 1
        corrections = document["scrutin"].get("miseAuPoint") or {}
        malfunctions = corrections.get("dysfonctionnement") or {}
        counts["an_vote_corrections"] += sum(
            len(voters_in(block))
            for record in (corrections, malfunctions)
            for key, block in record.items()
            if key != "dysfonctionnement"
        )
        for group in groups_of(document):
            counts["an_group_tallies"] += 1
            nominative = Counter()
            for key, block in group["vote"]["decompteNominatif"].items():
                nominative[CATEGORIES[key]] += len(voters_in(block))
            counts["an_votes"] += sum(nominative.values())
            published = group["vote"]["decompteVoix"]
            differing += (
                int(published["pour"]),
                int(published["contre"]),
                int(published["abstentions"]),
                int(published["nonVotants"]),
            ) != (nominative["pour"], nominative["contre"], nominative["abstention"], nominative["nonVotant"])
    return counts, differing


def _count_amo_dump(path: Path) -> dict[str, int]:
    acteurs = [document["acteur"] for _, document in json_members(path, "json/acteur/")]
    return {
        "an_acteurs": len(acteurs),
        "an_mandats": sum(len(acteur["mandats"]["mandat"]) for acteur in acteurs),
        "an_organes": sum(1 for _ in json_members(path, "json/organe/")),
    }


@pytest.fixture(scope="module")
def expected(shared_data: Path) -> Expected:
    rows: dict[str, dict[int, int]] = {}
    differing = 0
    for legislature in LEGISLATURES:
        vote_counts, vote_differing = _count_votes_dump(shared_data / SCRUTINS[legislature])
        differing += vote_differing
        for table, count in (vote_counts | _count_amo_dump(shared_data / AMO[legislature])).items():
            rows.setdefault(table, {})[legislature] = count
    return Expected(rows, differing)


def materialize(
    warehouse: Path, mirror: LoopbackMirror, run_config: dict[str, Any] | None = None
) -> dg.ExecuteInProcessResult:
    """Both dumps of both legislatures loaded from the mirror into `warehouse` itself."""
    return dg.materialize(
        [assemblee_votes, assemblee_people, *vote_checks, *people_checks],
        resources=loader_resources(settings_for(mirror.base_url, warehouse), database=warehouse),
        run_config=run_config,
        raise_on_error=False,
    )


def loaded_rows(warehouse: Path) -> dict[str, dict[int, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: rows_by_partition(con, table, partition)
            for table, partition in [(t, "legislature") for t in votes_parser.VOTE_TABLES]
            + [(t, "dump_legislature") for t in ("an_acteurs", "an_mandats", "an_organes")]
        }


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(str(event.step_failure_data.error) for event in result.get_step_failure_events())


@pytest.fixture(scope="module")
def first_run(
    mirror: LoopbackMirror, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dg.ExecuteInProcessResult]:
    """Both dumps of both legislatures loaded once from the mirror into a fresh warehouse."""
    warehouse = tmp_path_factory.mktemp("assemblee") / "nupes.duckdb"
    result = materialize(warehouse, mirror)
    assert result.success, failure_message(result)
    return warehouse, result


@pytest.fixture
def previous_state(
    first_run: tuple[Path, dg.ExecuteInProcessResult],
    tmp_path: Path,
) -> Path:
    """A copy of the first run's warehouse and download cache."""
    source = first_run[0].parent
    shutil.copytree(source, tmp_path / "state")
    return tmp_path / "state" / first_run[0].name


def test_first_run_loads_every_row_and_every_check_passes(
    first_run: tuple[Path, dg.ExecuteInProcessResult], expected: Expected
) -> None:
    warehouse, result = first_run
    assert loaded_rows(warehouse) == expected.rows
    assert expected.rows["an_scrutins"][16] == 3716 and expected.rows["an_votes"][16] > 560_181
    evaluations = {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}
    in_step = [key for asset in (assemblee_votes, assemblee_people) for key in asset.check_keys]
    assert len(in_step) == 4  # each dump's rows-per-member and quarantine checks
    assert len(evaluations) == len(vote_checks) + len(people_checks) + len(in_step)
    failed = [key for key, e in evaluations.items() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert not failed
    tally_check = evaluations[("an_group_tallies", TALLY_CHECK)]
    assert tally_check.severity == dg.AssetCheckSeverity.WARN
    assert tally_check.metadata["offending_rows"].value == expected.tallies_differing_from_nominative > 0


def test_materializations_report_rows_per_legislature_and_source_versions(
    first_run: tuple[Path, dg.ExecuteInProcessResult], expected: Expected
) -> None:
    _, result = first_run
    for materialization in result.asset_materializations_for_node("assemblee_votes"):
        table = materialization.asset_key.path[-1]
        metadata = {key: value.value for key, value in materialization.metadata.items()}
        assert metadata["rows_by_legislature"] == {str(leg): n for leg, n in expected.rows[table].items()}
        assert metadata["unchanged"] is False
        assert all(len(source["sha256"]) == 64 and source["etag"] for source in metadata["sources"].values())


def test_rerun_is_idempotent_and_reports_unchanged(
    previous_state: Path, expected: Expected, clean_mirror: LoopbackMirror
) -> None:
    result = materialize(previous_state, clean_mirror)
    assert result.success, failure_message(result)
    assert loaded_rows(previous_state) == expected.rows
    for node in ("assemblee_votes", "assemblee_people"):
        for materialization in result.asset_materializations_for_node(node):
            assert materialization.metadata["unchanged"].value is True

    forced = materialize(previous_state, clean_mirror, {"ops": {"assemblee_votes": {"config": {"force_reload": True}}}})
    assert forced.success, failure_message(forced)
    assert loaded_rows(previous_state) == expected.rows


def failing_on(parse_member: Callable[[Any], Any], bad_member: str) -> Callable[[Any], Any]:
    """`parse_member`, raising on one member."""

    def parse(member: Any) -> Any:
        if member.name == bad_member:
            raise ValueError("injected parse failure")
        return parse_member(member)

    return parse


def test_in_strict_mode_a_member_failing_in_the_17th_fails_the_load_and_keeps_the_previous_rows(
    previous_state: Path, expected: Expected, monkeypatch: pytest.MonkeyPatch, clean_mirror: LoopbackMirror
) -> None:
    monkeypatch.setattr(votes_parser, "scrutin_rows", failing_on(votes_parser.scrutin_rows, BAD_MEMBER))
    config = {"force_reload": True, "on_bad_member": "fail"}
    result = materialize(previous_state, clean_mirror, {"ops": {"assemblee_votes": {"config": config}}})
    assert not result.success
    message = failure_message(result)
    assert f"Scrutins.json.zip: member {BAD_MEMBER} cannot be parsed" in message
    assert "injected parse failure" in message
    assert loaded_rows(previous_state) == expected.rows


def quarantine_evaluation(result: dg.ExecuteInProcessResult, table: str = "an_scrutins") -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == QUARANTINE_CHECK and e.asset_key.path[-1] == table
    ]
    return evaluation


def test_a_member_failing_in_a_full_reload_is_quarantined_and_keeps_its_previous_rows(
    previous_state: Path, expected: Expected, monkeypatch: pytest.MonkeyPatch, clean_mirror: LoopbackMirror
) -> None:
    monkeypatch.setattr(votes_parser, "scrutin_rows", failing_on(votes_parser.scrutin_rows, BAD_MEMBER))
    result = materialize(previous_state, clean_mirror, {"ops": {"assemblee_votes": {"config": {"force_reload": True}}}})
    assert result.success, failure_message(result)
    checks = {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}
    assert checks[("an_scrutins", MEMBERS_CHECK)].passed
    evaluation = quarantine_evaluation(result)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    (listed,) = evaluation.metadata[QUARANTINED_METADATA].value
    assert listed["member"] == BAD_MEMBER and listed["kept_previous_rows"] is True
    assert "injected parse failure" in listed["error"]
    assert loaded_rows(previous_state) == expected.rows  # its scrutin's rows are still there, in every table
    with duckdb.connect(str(previous_state), read_only=True) as con:
        assert con.execute("SELECT source, member, kept_previous_rows FROM raw.quarantine").fetchall() == [
            ("an/17/scrutins", BAD_MEMBER, True)
        ]


def test_an_incremental_load_quarantines_a_changed_and_a_new_broken_member_and_loads_the_rest(
    previous_state: Path, expected: Expected, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    path = "an/17/loi/scrutins/Scrutins.json.zip"
    new_member = "json/VTANR5L17V9999.json"
    broken = b'{"scrutin": {"uid": '
    clean_mirror.state.overrides[path] = rewrite_zip(
        (shared_data / path).read_bytes(), replaced={BAD_MEMBER: broken}, added={new_member: broken}
    )
    result = materialize(previous_state, clean_mirror)
    assert result.success, failure_message(result)
    (materialization, *_) = result.asset_materializations_for_node("assemblee_votes")
    source = materialization.metadata["sources"].value["17"]
    assert source["load_mode"] == "incremental" and source["members"]["changed"] == 1 and source["members"]["new"] == 1
    assert (source["quarantined_members"], source["quarantined_keeping_previous_rows"]) == (2, 1)
    listed = {
        item["member"]: item["kept_previous_rows"]
        for item in quarantine_evaluation(result).metadata[QUARANTINED_METADATA].value
    }
    assert listed == {BAD_MEMBER: True, new_member: False}
    assert loaded_rows(previous_state) == expected.rows
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks[("an_scrutins", MEMBERS_CHECK)]


def test_a_truncated_download_keeps_the_previous_rows(
    previous_state: Path, expected: Expected, clean_mirror: LoopbackMirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = "an/17/loi/scrutins/Scrutins.json.zip"
    clean_mirror.state.faults[path] = truncated
    # The client's own retries are tested with it; here one quick retry is enough to fail.
    monkeypatch.setattr(refresh, "fetch", partial(fetch, retries=1, backoff=0.01))
    result = materialize(previous_state, clean_mirror)
    assert not result.success
    assert path in failure_message(result)
    assert loaded_rows(previous_state) == expected.rows
