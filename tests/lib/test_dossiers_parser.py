"""The dossiers parser on the real 16th-legislature dump, checked against independent walks of the JSON."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from orchestration.lib.assemblee import JsonMember, MemberParseError
from orchestration.lib.dossiers import DOSSIER_TABLES, dossiers_dump_rows, paris_date, parse_dossiers_dump

DUMP = Path("an/16/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip")
# Real dossiers: one decided in first and second reading (two decision acts naming a scrutin each),
# and the dossier whose decision act names two scrutins in a list.
TWO_DECISIONS = "DLR5L16N46485"


@pytest.fixture(scope="module")
def dump_path(shared_data: Path) -> Path:
    return shared_data / DUMP


@pytest.fixture(scope="module")
def raw_bytes(dump_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(dump_path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.endswith(".json")}


@pytest.fixture(scope="module")
def raw_members(raw_bytes: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {name: json.loads(payload) for name, payload in raw_bytes.items()}


@pytest.fixture(scope="module")
def parsed(dump_path: Path):
    return parse_dossiers_dump(dump_path, 16)


def dossier_member(uid: str) -> str:
    return f"json/dossierParlementaire/{uid}.json"


def rows_of(raw_bytes: dict[str, bytes], name: str) -> dict[str, list[Any]]:
    return dossiers_dump_rows(JsonMember(name, 0, raw_bytes[name]), dump_legislature=16)


def walk_dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every object anywhere in a JSON value (a walk that knows nothing of the act tree's shape)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk_dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_dicts(value)


def raw_acts(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in walk_dicts(document) if "codeActe" in node]


def raw_vote_refs(document: dict[str, Any]) -> set[str]:
    refs: set[str] = set()
    for node in walk_dicts(document):
        value = node.get("voteRef")
        refs.update([value] if isinstance(value, str) else value or [])
    return refs


def test_every_member_parsed_into_the_three_tables(parsed, raw_members):
    dossiers = [name for name in raw_members if name.startswith("json/dossierParlementaire/")]
    documents = [name for name in raw_members if name.startswith("json/document/")]
    assert parsed.quarantined == []
    assert parsed.member_count == len(raw_members)
    assert parsed.tables["an_dossiers"].num_rows == len(dossiers)
    assert parsed.tables["an_documents"].num_rows == len(documents)
    every_act = sum(len(raw_acts(raw_members[name])) for name in dossiers)
    assert parsed.tables["an_dossier_acts"].num_rows == every_act
    assert set(parsed.tables) == set(DOSSIER_TABLES)


def test_act_tree_as_object_and_as_list_at_any_depth(raw_bytes, raw_members):
    """The tree mixes a lone child written as an object with several written as a list; all are kept."""
    shapes_seen: set[type] = set()
    for name in (n for n in raw_members if n.startswith("json/dossierParlementaire/")):
        containers = [node["acteLegislatif"] for node in walk_dicts(raw_members[name]) if "acteLegislatif" in node]
        shapes = {type(container) for container in containers}
        if shapes == {dict, list}:
            acts = rows_of(raw_bytes, name)["an_dossier_acts"]
            assert sorted(act.uid for act in acts) == sorted(act["uid"] for act in raw_acts(raw_members[name]))
            shapes_seen |= shapes
            break
    assert shapes_seen == {dict, list}


def test_parents_come_before_children_one_level_up(raw_bytes):
    acts = rows_of(raw_bytes, dossier_member(TWO_DECISIONS))["an_dossier_acts"]
    depth_of = {}
    for act in acts:
        if act.parent_ref is None:
            assert act.depth == 0
        else:
            assert act.depth == depth_of[act.parent_ref] + 1  # the parent was emitted earlier
        depth_of[act.uid] = act.depth
    assert max(depth_of.values()) >= 2  # nested: reading > committee or sitting > act


def test_dossier_with_two_decisions_keeps_both_votes(raw_bytes, raw_members):
    document = raw_members[dossier_member(TWO_DECISIONS)]
    acts = rows_of(raw_bytes, dossier_member(TWO_DECISIONS))["an_dossier_acts"]
    deciding = [act for act in acts if act.vote_refs]
    assert len(deciding) == 2
    assert {ref for act in deciding for ref in act.vote_refs} == raw_vote_refs(document)
    assert all(act.code_acte.endswith("-DEC") for act in deciding)


def test_vote_ref_written_as_a_list(raw_bytes, raw_members):
    """Once in the dump, voteRef is a list: every scrutin it names is kept, in order."""
    for name, document in raw_members.items():
        listed = [node["voteRef"] for node in walk_dicts(document) if isinstance(node.get("voteRef"), list)]
        if listed and name.startswith("json/dossierParlementaire/"):
            acts = rows_of(raw_bytes, name)["an_dossier_acts"]
            assert listed[0] in [act.vote_refs for act in acts]
            return
    pytest.fail("the real dump has a voteRef list; none found")


def test_committee_seized_first_and_dates(raw_bytes, raw_members):
    document = raw_members[dossier_member(TWO_DECISIONS)]
    seized = [node for node in raw_acts(document) if node["codeActe"] == "AN1-COM-FOND-SAISIE"]
    acts = rows_of(raw_bytes, dossier_member(TWO_DECISIONS))["an_dossier_acts"]
    parsed_seized = [act for act in acts if act.code_acte == "AN1-COM-FOND-SAISIE"]
    assert [act.organe_ref for act in parsed_seized] == [node["organeRef"] for node in seized]
    assert [act.date_acte for act in parsed_seized] == [date.fromisoformat(node["dateActe"][:10]) for node in seized]


def test_document_row_keeps_title_and_dossier(raw_bytes, raw_members):
    name = "json/document/PIONANR5L16BTA0057.json"
    document = raw_members[name]["document"]
    (row,) = rows_of(raw_bytes, name)["an_documents"]
    assert row.titre_principal == document["titres"]["titrePrincipal"]
    assert row.dossier_ref == document["dossierRef"]
    assert row.type_code == document["classification"]["type"]["code"]


def test_paris_date_keeps_the_written_calendar_day():
    assert paris_date("2023-01-12T00:00:00.000+01:00") == date(2023, 1, 12)
    assert paris_date(None) is None
    assert paris_date({"@xsi:nil": "true"}) is None


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return path


def test_a_bad_member_fails_naming_it_or_is_quarantined(tmp_path, raw_bytes, raw_members):
    good = dossier_member(TWO_DECISIONS)
    broken_act = json.loads(json.dumps(raw_members[good]))
    broken_act["dossierParlementaire"]["uid"] = "DLR5L16N0"
    del next(node for node in walk_dicts(broken_act) if "codeActe" in node)["codeActe"]
    act_without_code = {"json/dossierParlementaire/DLR5L16N0.json": json.dumps(broken_act).encode()}
    broken = act_without_code | {"json/document/TRUNCATED.json": b'{"document": {"uid": '}
    only_broken_act = write_zip(tmp_path / "act.zip", act_without_code)
    with pytest.raises(
        MemberParseError, match=r"act\.zip: member json/dossierParlementaire/DLR5L16N0\.json .*codeActe"
    ):
        parse_dossiers_dump(only_broken_act, 16)
    mixed = write_zip(tmp_path / "mixed.zip", {good: raw_bytes[good], **broken})
    quarantined = parse_dossiers_dump(mixed, 16, on_error="quarantine")
    assert sorted(item.member for item in quarantined.quarantined) == sorted(broken)
    assert quarantined.tables["an_dossiers"].column("uid").to_pylist() == [TWO_DECISIONS]
