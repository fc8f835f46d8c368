"""The pieces of the incremental load, on their own: member CRCs from the central directory, the
member diff, the partial dump copy, and the keyed replace in one transaction."""

from __future__ import annotations

import zipfile
import zlib
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from orchestration.lib.archive import iter_members, member_crc32s
from orchestration.lib.assemblee_votes import parse_scrutins
from orchestration.lib.member_versions import diff_members
from orchestration.lib.warehouse import KeyedLoad, PartitionLoad, ensure_raw_schema, replace_rows, rows_to_table
from support.partial_dump import write_partial_scrutins_zip
from tests.lib.test_assemblee_parsers import SCRUTINS


def test_member_crc32s_are_the_crcs_of_the_contents(shared_data: Path) -> None:
    archive = shared_data / SCRUTINS[17]
    crcs = member_crc32s(archive, prefix="json/")
    with zipfile.ZipFile(archive) as opened:
        names = [name for name in opened.namelist() if name.startswith("json/") and name.endswith(".json")]
        assert sorted(crcs) == sorted(names)
        for name in names[:25]:
            assert crcs[name] == zlib.crc32(opened.read(name))


def test_iter_members_reads_only_the_named_members(shared_data: Path) -> None:
    wanted = {"json/VTANR5L17V3.json", "json/VTANR5L17V10.json"}
    read = [member.name for member in iter_members(shared_data / SCRUTINS[17], names=wanted)]
    assert sorted(read) == sorted(wanted)


def test_diff_members_sorts_new_changed_removed_and_unchanged() -> None:
    changes = diff_members(
        in_archive={"a": 1, "b": 2, "c": 3, "new": 9},
        loaded={"a": 1, "b": 20, "c": 3, "gone": 5},
    )
    assert (changes.new, changes.changed, changes.removed, changes.unchanged) == ({"new"}, {"b"}, {"gone"}, 2)
    assert changes.to_parse == {"new", "b"}
    assert changes.to_delete == {"b", "gone"}
    assert changes.counts() == {"new": 1, "changed": 1, "removed": 1, "unchanged": 2}


def test_partial_copy_holds_back_the_newest_scrutins_and_keeps_the_others_intact(
    shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / SCRUTINS[16]
    target = tmp_path / "Scrutins.json.zip"
    held_back = write_partial_scrutins_zip(source, target, keep_fraction=0.99)

    source_crcs = member_crc32s(source, prefix="json/")
    an_numbers = sorted(int(name.split("V")[-1].removesuffix(".json")) for name in source_crcs if "VTAN" in name)
    newest = {f"json/VTANR5L16V{number}.json" for number in an_numbers[-len(held_back) :]}
    assert len(held_back) == round(len(source_crcs) * 0.01)
    assert set(held_back) == newest
    target_crcs = member_crc32s(target, prefix="json/")
    assert target_crcs == {name: crc for name, crc in source_crcs.items() if name not in newest}
    assert diff_members(source_crcs, target_crcs).new == newest


def test_partial_copy_refuses_a_fraction_outside_0_1(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="keep_fraction"):
        write_partial_scrutins_zip(shared_data / SCRUTINS[17], tmp_path / "x.zip", keep_fraction=1.5)


def test_parse_scrutins_of_named_members_gives_their_rows_only(shared_data: Path) -> None:
    wanted = {"json/VTANR5L17V3.json"}
    parsed = parse_scrutins(shared_data / SCRUTINS[17], names=wanted)
    assert parsed.member_count == 1
    assert parsed.tables["an_scrutins"].column("uid").to_pylist() == ["VTANR5L17V3"]
    assert set(parsed.tables["an_votes"].column("scrutin_uid").to_pylist()) == {"VTANR5L17V3"}


# Keyed replace ---------------------------------------------------------------------------------


def _scrutin(uid: str, crc: int) -> tuple:
    return (
        (uid, 16, int(uid.rsplit("V", 1)[1]), None, None, None, date(2023, 1, 1))
        + (None,) * 19
        + (
            f"json/{uid}.json",
            crc,
        )
    )


def _vote(uid: str, deputy: str) -> tuple:
    return (uid, 16, 1, "PO1", deputy, None, "pour", None, None, None)


def _tables(scrutins: list[tuple], votes: list[tuple]) -> dict[str, pa.Table]:
    return {"an_scrutins": rows_to_table("an_scrutins", scrutins), "an_votes": rows_to_table("an_votes", votes)}


@pytest.fixture
def loaded() -> duckdb.DuckDBPyConnection:
    """Scrutins V1..V3, two votes each, loaded as one partition."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    uids = ["VTANR5L16V1", "VTANR5L16V2", "VTANR5L16V3"]
    tables = _tables([_scrutin(uid, 1) for uid in uids], [_vote(uid, d) for uid in uids for d in ("PA1", "PA2")])
    replace_rows(con, [PartitionLoad(table, "legislature", 16, rows) for table, rows in tables.items()])
    return con


def _votes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute("SELECT scrutin_uid, acteur_ref FROM raw.an_votes ORDER BY ALL").fetchall()


def _keyed(keys: list[str], tables: dict[str, pa.Table]) -> list[KeyedLoad]:
    key_columns = {"an_scrutins": "uid", "an_votes": "scrutin_uid"}
    return [KeyedLoad(table, key_columns[table], pa.array(keys, pa.string()), rows) for table, rows in tables.items()]


def test_keyed_replace_rewrites_and_deletes_only_the_given_keys(loaded: duckdb.DuckDBPyConnection) -> None:
    # V2 changed (PA2 left its record), V3 vanished, V4 is new; V1 is not touched.
    incoming = _tables(
        [_scrutin("VTANR5L16V2", 2), _scrutin("VTANR5L16V4", 1)],
        [_vote("VTANR5L16V2", "PA1"), _vote("VTANR5L16V4", "PA1")],
    )
    written = replace_rows(loaded, _keyed(["VTANR5L16V2", "VTANR5L16V3", "VTANR5L16V4"], incoming))
    assert written == {"an_scrutins": 2, "an_votes": 2}
    assert _votes(loaded) == [
        ("VTANR5L16V1", "PA1"),
        ("VTANR5L16V1", "PA2"),
        ("VTANR5L16V2", "PA1"),
        ("VTANR5L16V4", "PA1"),
    ]
    assert loaded.execute("SELECT uid, member_crc32 FROM raw.an_scrutins ORDER BY 1").fetchall() == [
        ("VTANR5L16V1", 1),
        ("VTANR5L16V2", 2),
        ("VTANR5L16V4", 1),
    ]


def test_keyed_replace_failing_half_way_leaves_the_previous_rows(loaded: duckdb.DuckDBPyConnection) -> None:
    before = (_votes(loaded), loaded.execute("SELECT * FROM raw.an_scrutins ORDER BY uid").fetchall())
    good_scrutins = rows_to_table("an_scrutins", [_scrutin("VTANR5L16V2", 2)])
    bad_votes = pa.table({"scrutin_uid": ["VTANR5L16V2"], "no_such_column": ["x"]})  # fails on insert
    loads = _keyed(["VTANR5L16V2"], {"an_scrutins": good_scrutins, "an_votes": bad_votes})
    with pytest.raises(ValueError, match='raw."an_votes"'):
        replace_rows(loaded, loads)
    assert (_votes(loaded), loaded.execute("SELECT * FROM raw.an_scrutins ORDER BY uid").fetchall()) == before


def test_keys_are_bound_not_written_into_the_sql(loaded: duckdb.DuckDBPyConnection) -> None:
    hostile = "x' OR 1=1 --"
    replace_rows(loaded, _keyed([hostile], _tables([], [])))
    assert len(_votes(loaded)) == 6
