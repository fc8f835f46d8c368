"""Bad records against the whole nightly refresh: one bad record is quarantined and the rest is
published; too many, or a dump much smaller than the one loaded before, publishes nothing.

Every refresh that must publish is served a new version of the 17th's votes dump (every file's
CRC new, see damage.touch_every_member) with the bad member in it: a refresh that finds nothing
new publishes nothing.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib.assemblee_votes import VOTE_TABLES
from orchestration.lib.config import Settings
from orchestration.lib.refresh import QUARANTINE_CHECK, QUARANTINED_METADATA
from support.mirror import LoopbackMirror
from support.webhook import evaluate_success_alert, loopback_webhook
from tests.faults.damage import read_member, rewrite_zip, touch_every_member
from tests.faults.harness import PublishedState, failure_text, refresh

pytestmark = pytest.mark.faults

VOTES_17 = "an/17/loi/scrutins/Scrutins.json.zip"
FIRST_SCRUTIN = "json/VTANR5L17V1.json"
COPY_OF_FIRST = "json/VTANR5L17V9999.json"
POLL_FILE = "polls/github/EliasOrphelin/Legislatives2022/main/SondagesLegislatives2022.csv"
BROKEN_JSON = b'{"scrutin": {"uid": '


def without_group_tallies(original: bytes, member: str) -> bytes:
    document = json.loads(read_member(original, member))
    document["scrutin"]["ventilationVotes"] = None
    return json.dumps(document, ensure_ascii=False).encode()


def scrutin_members(archive: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return sorted(name for name in opened.namelist() if name.startswith("json/") and name.endswith(".json"))


def published_rows(settings: Settings) -> dict[str, dict[int, int]]:
    """Rows per legislature of every vote table, as readers see them."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {
            table: dict(con.execute(f"SELECT legislature, count(*) FROM raw.{table} GROUP BY 1").fetchall())
            for table in VOTE_TABLES
        }


def published_quarantine(settings: Settings) -> list[tuple[str, str, bool]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute("SELECT source, member, kept_previous_rows FROM raw.quarantine ORDER BY ALL").fetchall()


def published_anomaly(settings: Settings, legislature: int | None, anomaly: str) -> tuple[int, list[str]]:
    """(count, example keys) of one row of marts.mart_source_anomalies, as readers see it."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT n_occurrences, example_keys FROM marts.mart_source_anomalies"
            " WHERE legislature IS NOT DISTINCT FROM ? AND anomaly = ?",
            [legislature, anomaly],
        ).fetchone()


def refused_refresh(warehouse: Settings, mirror: LoopbackMirror) -> str:
    """A refresh that must fail on the 17th's votes dump and publish nothing: its failure text."""
    before = PublishedState.of(warehouse)
    result = refresh(warehouse)
    assert not result.success
    assert PublishedState.of(warehouse) == before
    message = failure_text(result)
    assert f"scrutins of the 17th legislature ({mirror.base_url}{VOTES_17}) not loaded, previous rows kept:" in message
    return message


def quarantine_warnings(result: dg.ExecuteInProcessResult, table: str) -> list[dict[str, object]]:
    """The members the WARN quarantine check of `table` lists (it must have warned)."""
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == QUARANTINE_CHECK and e.asset_key.path[-1] == table
    ]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    return evaluation.metadata[QUARANTINED_METADATA].value


def refresh_with_alerts(warehouse: Settings) -> tuple[dg.ExecuteInProcessResult, list[dict[str, str]]]:
    """A refresh, then what the daemon's success alert posts to a loopback webhook."""
    with loopback_webhook() as (url, received), dg.DagsterInstance.ephemeral() as instance:
        settings = dataclasses.replace(warehouse, alert_webhook=url)
        result = refresh(settings, instance)
        assert result.success, failure_text(result)
        evaluate_success_alert(instance, result.run_id, settings)
    return result, received


def test_one_unusable_scrutin_is_quarantined_keeps_its_rows_and_everything_else_is_published(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    original = (shared_data / VOTES_17).read_bytes()
    clean_mirror.state.overrides[VOTES_17] = touch_every_member(
        original, replaced={FIRST_SCRUTIN: without_group_tallies(original, FIRST_SCRUTIN)}
    )
    before, rows_before = PublishedState.of(warehouse), published_rows(warehouse)

    result, alerts = refresh_with_alerts(warehouse)

    after = PublishedState.of(warehouse)
    assert after.publication_id > before.publication_id and after.inode != before.inode
    (listed,) = quarantine_warnings(result, "an_scrutins")
    assert (listed["source"], listed["member"], listed["kept_previous_rows"]) == ("an/17/scrutins", FIRST_SCRUTIN, True)
    assert listed["error"].endswith(  # the downloaded copy's name: <hash>-Scrutins.json.zip
        f"-Scrutins.json.zip: member {FIRST_SCRUTIN} cannot be used: no group tallies: ventilationVotes lists no groupe"
    )
    assert published_quarantine(warehouse) == [("an/17/scrutins", FIRST_SCRUTIN, True)]
    assert published_rows(warehouse) == rows_before  # every scrutin's rows, the quarantined one's as loaded before
    assert published_anomaly(warehouse, 17, "quarantined_members") == (
        1,
        [f"an/17/scrutins:{FIRST_SCRUTIN} (previous rows kept)"],
    )
    (alert,) = alerts
    assert result.run_id in alert["text"] and "1 member could not be loaded" in alert["text"]
    assert f"an/17/scrutins {FIRST_SCRUTIN} (previous rows kept): {listed['error']}" in alert["text"]


def test_two_members_sharing_a_scrutin_uid_are_both_quarantined_and_the_scrutin_keeps_its_rows(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    original = (shared_data / VOTES_17).read_bytes()
    clean_mirror.state.overrides[VOTES_17] = touch_every_member(
        original, added={COPY_OF_FIRST: read_member(original, FIRST_SCRUTIN)}
    )
    before, rows_before = PublishedState.of(warehouse), published_rows(warehouse)

    result, alerts = refresh_with_alerts(warehouse)

    assert PublishedState.of(warehouse).publication_id > before.publication_id
    listed = {item["member"]: item for item in quarantine_warnings(result, "an_scrutins")}
    assert {member: item["kept_previous_rows"] for member, item in listed.items()} == {
        FIRST_SCRUTIN: True,
        COPY_OF_FIRST: False,
    }
    assert listed[COPY_OF_FIRST]["error"].endswith(
        f"-Scrutins.json.zip: member {COPY_OF_FIRST} cannot be used: its uid VTANR5L17V1 is also that of {FIRST_SCRUTIN}"
    )
    assert published_rows(warehouse) == rows_before
    (alert,) = alerts
    assert "2 members could not be loaded" in alert["text"] and COPY_OF_FIRST in alert["text"]


def test_two_percent_of_broken_members_fail_the_refresh_and_publish_nothing(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    original = (shared_data / VOTES_17).read_bytes()
    members = scrutin_members(original)
    broken = members[: len(members) // 50]  # 2 %
    clean_mirror.state.overrides[VOTES_17] = touch_every_member(original, replaced=dict.fromkeys(broken, BROKEN_JSON))

    message = refused_refresh(warehouse, clean_mirror)

    assert (
        f"-Scrutins.json.zip: {len(broken):,} of {len(members):,} members (2.0%) cannot be loaded,"
        " more than the 1% a refresh may quarantine, so nothing of it is loaded:"
    ) in message
    assert (
        f"{broken[0]} (" in message
        and f"-Scrutins.json.zip: member {broken[0]} cannot be parsed: JSONDecodeError" in message
    )
    assert f"and {len(broken) - 5:,} more" in message


def test_a_dump_with_more_than_five_percent_fewer_members_fails_the_refresh_and_publishes_nothing(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    original = (shared_data / VOTES_17).read_bytes()
    members = scrutin_members(original)
    kept = members[: int(len(members) * 0.94)]
    missing = sorted(set(members) - set(kept))
    clean_mirror.state.overrides[VOTES_17] = rewrite_zip(original, removed=missing)

    message = refused_refresh(warehouse, clean_mirror)

    assert (
        f"-Scrutins.json.zip: {len(kept):,} members, 6.0% fewer than the {len(members):,} loaded before"
        " (at most 5% fewer is accepted: a truncated or wrong upstream file?), so nothing of it is loaded;"
        f" missing: {', '.join(missing[:5])} and {len(missing) - 5:,} more"
    ) in message


def test_a_poll_row_with_an_unreadable_cell_is_quarantined_and_the_rest_of_the_feed_published(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    original = (shared_data / POLL_FILE).read_bytes()
    clean_mirror.state.overrides[POLL_FILE] = original.replace(b'"34"', b'"34,5"', 1)  # row 2's intentions
    data_rows = len(original.decode("utf-8-sig").strip().splitlines()) - 1
    before = PublishedState.of(warehouse)

    result, alerts = refresh_with_alerts(warehouse)

    assert PublishedState.of(warehouse).publication_id > before.publication_id
    (listed,) = quarantine_warnings(result, "polls_legislative_2022")
    member = "SondagesLegislatives2022.csv:row 2"
    assert (listed["source"], listed["member"], listed["kept_previous_rows"]) == (
        "polls/eliasorphelin_legislatives2022",
        member,
        False,
    )
    assert listed["error"].startswith(
        "SondagesLegislatives2022.csv: row 2, column intentions: cannot read '34,5' as float"
    )
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        rows = [
            row for (row,) in con.execute("SELECT source_row FROM raw.polls_legislative_2022 ORDER BY 1").fetchall()
        ]
    assert rows == [n for n in range(1, data_rows + 1) if n != 2]
    assert published_anomaly(warehouse, None, "quarantined_poll_rows") == (
        1,
        [f"polls/eliasorphelin_legislatives2022:{member}"],
    )
    (alert,) = alerts
    assert f"polls/eliasorphelin_legislatives2022 {member} (no previous rows)" in alert["text"]
