"""The quarantine policy's pure parts: thresholds, members sharing a record, the rows a quarantined
member keeps, and raw tables gaining the columns their DDL added."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from orchestration.lib.assemblee_votes import SCRUTIN_RECORDS, VOTE_TABLES, parse_scrutins
from orchestration.lib.quarantine import (
    LoadedRecord,
    MemberParseError,
    QuarantinedMember,
    TooManyBadRecords,
    check_member_shrink,
    check_quarantined_share,
    kept_rows,
    quarantine_records,
    quarantine_table,
    without_shared_keys,
)
from orchestration.lib.warehouse import PartitionLoad, ensure_raw_schema, replace_rows
from tests.lib.test_assemblee_parsers import SCRUTINS, json_members


def bad(count: int) -> list[QuarantinedMember]:
    return [QuarantinedMember(f"json/V{n}.json", f"error {n}") for n in range(count)]


def test_one_percent_of_the_members_may_be_quarantined_not_more() -> None:
    check_quarantined_share("Scrutins.json.zip", bad(20), 2000, 0.01)
    with pytest.raises(TooManyBadRecords) as caught:
        check_quarantined_share("Scrutins.json.zip", bad(22), 2000, 0.01)
    message = str(caught.value)
    assert "Scrutins.json.zip: 22 of 2,000 members (1.1%) cannot be loaded" in message
    assert "json/V0.json (error 0)" in message and "json/V4.json (error 4)" in message
    assert "json/V5.json" not in message and "and 17 more" in message


def test_a_dump_may_lose_five_percent_of_its_members_not_more() -> None:
    loaded = [f"json/V{n}.json" for n in range(1, 101)]
    check_member_shrink("Scrutins.json.zip", loaded[:95], loaded, 0.05)
    check_member_shrink("Scrutins.json.zip", [], [], 0.05)  # a first load has nothing to compare with
    with pytest.raises(TooManyBadRecords) as caught:
        check_member_shrink("Scrutins.json.zip", loaded[:94], loaded, 0.05)
    message = str(caught.value)
    assert "94 members, 6.0% fewer than the 100 loaded before" in message
    assert "missing: json/V100.json, json/V95.json, json/V96.json, json/V97.json, json/V98.json and 1 more" in message


@pytest.fixture
def dump_with_a_shared_uid(shared_data: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """Three real scrutins, the third a copy of the first's record under another file name."""
    members = list(json_members(shared_data / SCRUTINS[17]))[:2]
    path = tmp_path / "Scrutins.json.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, document in members:
            archive.writestr(name, json.dumps(document))
        archive.writestr("json/VTANR5L17V9999.json", json.dumps(copy.deepcopy(members[0][1])))
    return path, [name for name, _ in members]


def test_members_sharing_a_record_are_both_quarantined_and_none_of_its_rows_load(dump_with_a_shared_uid) -> None:
    path, (first, second) = dump_with_a_shared_uid
    parsed = parse_scrutins(path, on_error="quarantine")
    uid = parsed.tables["an_scrutins"].column("uid")[0].as_py()
    shared = without_shared_keys(path.name, parsed.tables, [SCRUTIN_RECORDS], {}, "quarantine")
    assert [item.member for item in shared.quarantined] == [first, "json/VTANR5L17V9999.json"]
    assert shared.quarantined[0].error == (
        f"Scrutins.json.zip: member {first} cannot be used: its uid {uid} is also that of json/VTANR5L17V9999.json"
    )
    for table in VOTE_TABLES:
        column = SCRUTIN_RECORDS.key_columns[table]
        remaining = set(shared.tables[table].column(column).to_pylist())
        assert uid not in remaining and (remaining or table == "an_vote_corrections"), table
    assert shared.tables["an_scrutins"].column("source_member").to_pylist() == [second]
    with pytest.raises(MemberParseError, match=f"member {first} cannot be used: its uid {uid}"):
        without_shared_keys(path.name, parsed.tables, [SCRUTIN_RECORDS], {}, "fail")


def test_a_parsed_member_sharing_the_record_of_an_unparsed_one_is_quarantined_with_it(dump_with_a_shared_uid) -> None:
    path, (first, _) = dump_with_a_shared_uid
    parsed = parse_scrutins(path, names={first})
    uid = parsed.tables["an_scrutins"].column("uid")[0].as_py()
    unparsed = {"json/VTANR5L17V9999.json": LoadedRecord("an_scrutins", uid)}
    shared = without_shared_keys(path.name, parsed.tables, [SCRUTIN_RECORDS], unparsed, "quarantine")
    assert [item.member for item in shared.quarantined] == [first, "json/VTANR5L17V9999.json"]
    assert shared.tables["an_scrutins"].num_rows == 0


def test_a_quarantined_member_keeps_its_previous_record_unless_another_member_now_carries_it() -> None:
    loaded = {
        "json/V1.json": LoadedRecord("an_scrutins", "V1"),
        "json/V2.json": LoadedRecord("an_scrutins", "V2"),
        "json/V3.json": LoadedRecord("an_scrutins", "V3"),
    }
    quarantined = [QuarantinedMember(name, "bad") for name in ("json/V1.json", "json/V2.json", "json/V9.json")]
    incoming = {"an_scrutins": pa.table({"uid": ["V2", "V3"], "source_member": ["json/V2b.json", "json/V3.json"]})}
    kept = kept_rows([SCRUTIN_RECORDS], loaded, quarantined, incoming)
    assert kept.members == {"json/V1.json"}  # V2 moved to V2b; V9 had no rows
    assert kept.keys == {"an_scrutins": {"V1"}}
    assert kept.keys_of(SCRUTIN_RECORDS).to_pylist() == ["V1"]


def test_a_partition_load_keeps_the_rows_of_the_kept_keys_only() -> None:
    con = duckdb.connect()
    rows = pa.table(
        {
            "scrutin_uid": ["V1", "V2", "V3"],
            "legislature": [17] * 3,
            "tally_number": [1] * 3,
            "organe_ref": ["PO1"] * 3,
            "acteur_ref": ["PA1"] * 3,
            "position": ["pour"] * 3,
        }
    )
    replace_rows(con, [PartitionLoad("an_votes", "legislature", 17, rows)])
    incoming = rows.slice(2)
    replace_rows(con, [PartitionLoad("an_votes", "legislature", 17, incoming, "scrutin_uid", pa.array(["V1"]))])
    assert con.execute("SELECT scrutin_uid FROM raw.an_votes ORDER BY 1").fetchall() == [("V1",), ("V3",)]


def test_quarantine_rows_say_which_members_kept_their_previous_rows() -> None:
    con = duckdb.connect()
    rows = quarantine_table("an/17/scrutins", "17", bad(2), kept={"json/V1.json"})
    replace_rows(con, [PartitionLoad("quarantine", "source", "an/17/scrutins", rows)])
    assert quarantine_records(con, "an/%/scrutins") == [
        {"source": "an/17/scrutins", "member": "json/V0.json", "error": "error 0", "kept_previous_rows": False},
        {"source": "an/17/scrutins", "member": "json/V1.json", "error": "error 1", "kept_previous_rows": True},
    ]
    assert quarantine_records(con, "polls/%") == []


def test_a_quarantine_table_from_before_kept_previous_rows_is_brought_up_to_the_ddl() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.quarantine (source VARCHAR NOT NULL, partition_key VARCHAR NOT NULL,"
        " member VARCHAR NOT NULL, error VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL)"
    )
    con.execute("INSERT INTO raw.quarantine VALUES ('an/16/scrutins', '16', 'json/V1.json', 'old', now())")
    ensure_raw_schema(con)
    columns = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'quarantine' ORDER BY ordinal_position"
    ).fetchall()
    assert [name for (name,) in columns][-1] == "kept_previous_rows"
    rows = quarantine_table("an/16/scrutins", "16", bad(1))
    replace_rows(con, [PartitionLoad("quarantine", "source", "an/16/scrutins", rows)])
    assert quarantine_records(con, "an/%")[0]["kept_previous_rows"] is False
