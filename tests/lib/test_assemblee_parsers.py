"""The AN parsers on the real dumps: one test per quirk of ../shared/data/README.md.

Each test first finds a real example of its quirk in the zip with plain json/zipfile code, then
checks what the parser makes of that member. Counts over a whole dump are compared with a walk of
the JSON written here, independently of the parser.
"""

from __future__ import annotations

import copy
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from orchestration.lib import assemblee
from orchestration.lib.assemblee import JsonMember, count_members, parse_archive
from orchestration.lib.assemblee_people import PEOPLE_TABLES, acteur_rows, parse_amo
from orchestration.lib.assemblee_votes import VOTE_TABLES, parse_scrutins, scrutin_rows
from orchestration.lib.quarantine import MemberParseError, QuarantinedMember, quarantine_table
from orchestration.lib.warehouse import arrow_schema

SCRUTINS = {16: "an/16/loi/scrutins/Scrutins.json.zip", 17: "an/17/loi/scrutins/Scrutins.json.zip"}
AMO = {
    16: "an/16/amo/deputes_senateurs_ministres_legislature/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip",
    17: "an/17/amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip",
}
# The README's categories of the nominative record: plural in VTAN files, singular in the Congrès file.
PLURAL_CATEGORIES = {"pours": "pour", "contres": "contre", "abstentions": "abstention", "nonVotants": "nonVotant"}
SINGULAR_CATEGORIES = {"pour": "pour", "contre": "contre", "abstention": "abstention", "nonVotant": "nonVotant"}
ASSEMBLY_SEATS = 577
Json = dict[str, Any]


# Reading the real files, independently of the parser ------------------------------------------


def json_members(path: Path, folder: str = "json/") -> Iterator[tuple[str, Json]]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith(folder) and name.endswith(".json"):
                yield name, json.loads(archive.read(name))


def first_member(path: Path, predicate: Callable[[Json], bool], folder: str = "json/") -> tuple[str, Json]:
    """The first real member showing a quirk (fails the test if the dump has none)."""
    for name, document in json_members(path, folder):
        if predicate(document):
            return name, document
    raise AssertionError(f"no member of {path.name} shows the quirk this test is about")


def groups_of(document: Json) -> list[Json]:
    return document["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]


def voters_in(block: Any) -> list[Json]:
    """Voters of one category block, written here without the parser's helpers."""
    if block is None:
        return []
    if isinstance(block, list):
        return [voter for part in block if part is not None for voter in voters_in(part)]
    voters = block["votant"]
    return [voters] if isinstance(voters, dict) else voters


def member_of(name: str, document: Json) -> JsonMember:
    return JsonMember(name, 0, json.dumps(document).encode())


def parse_votes_member(name: str, document: Json) -> dict[str, list[Json]]:
    """One scrutin through the whole parse (Arrow typing included), as lists of row dicts."""
    parsed = parse_archive(Path("test.zip"), [member_of(name, document)], scrutin_rows, VOTE_TABLES)
    return {table: rows.to_pylist() for table, rows in parsed.tables.items()}


@pytest.fixture(scope="module")
def scrutins16(shared_data: Path) -> Path:
    return shared_data / SCRUTINS[16]


@pytest.fixture(scope="module")
def scrutins17(shared_data: Path) -> Path:
    return shared_data / SCRUTINS[17]


@pytest.fixture(scope="module")
def amo16(shared_data: Path) -> Path:
    return shared_data / AMO[16]


@pytest.fixture(scope="module")
def amo17(shared_data: Path) -> Path:
    return shared_data / AMO[17]


@pytest.fixture(scope="module")
def people17(amo17: Path) -> dict[str, pa.Table]:
    return parse_amo(amo17, 17).tables


@pytest.fixture(scope="module")
def people16(amo16: Path) -> dict[str, pa.Table]:
    return parse_amo(amo16, 16).tables


# Schemas ---------------------------------------------------------------------------------------


def test_every_table_is_typed_exactly_like_its_raw_ddl(scrutins17: Path, people17: dict[str, pa.Table]) -> None:
    tables = parse_scrutins(scrutins17).tables | people17
    assert set(tables) == set(VOTE_TABLES) | set(PEOPLE_TABLES)
    for name, table in tables.items():
        assert table.schema == arrow_schema(name), name
        assert table.num_rows > 0, name


# Quirks of the vote files -------------------------------------------------------------------------


def test_numbers_written_as_strings_become_integers_and_dates(scrutins16: Path) -> None:
    name, document = first_member(scrutins16, lambda d: d["scrutin"]["numero"] == "1")
    scrutin = document["scrutin"]
    synthesis = scrutin["syntheseVote"]
    [row] = parse_votes_member(name, document)["an_scrutins"]
    assert row["numero"] == 1 and row["legislature"] == 16
    assert row["date_scrutin"] == date.fromisoformat(scrutin["dateScrutin"])
    assert row["nombre_votants"] == int(synthesis["nombreVotants"])
    assert row["nbr_suffrages_requis"] == int(synthesis["nbrSuffragesRequis"])
    assert row["decompte_pour"] == int(synthesis["decompte"]["pour"])
    assert row["decompte_non_votants"] == int(synthesis["decompte"]["nonVotants"])


def test_a_lone_voter_is_an_object_and_still_one_row(scrutins16: Path) -> None:
    def lone_voter(document: Json) -> bool:
        return any(
            isinstance((block or {}).get("votant"), dict)
            for group in groups_of(document)
            for block in group["vote"]["decompteNominatif"].values()
        )

    name, document = first_member(scrutins16, lone_voter)
    votes = parse_votes_member(name, document)["an_votes"]
    for group in groups_of(document):
        for category, block in group["vote"]["decompteNominatif"].items():
            if isinstance((block or {}).get("votant"), dict):
                matching = [
                    v
                    for v in votes
                    if v["organe_ref"] == group["organeRef"] and v["position"] == PLURAL_CATEGORIES[category]
                ]
                assert [v["acteur_ref"] for v in matching] == [block["votant"]["acteurRef"]]


def test_an_empty_category_is_null_and_gives_no_rows(scrutins16: Path) -> None:
    name, document = first_member(
        scrutins16, lambda d: any(g["vote"]["decompteNominatif"].get("pours") is None for g in groups_of(d))
    )
    votes = parse_votes_member(name, document)["an_votes"]
    empty_groups = [g["organeRef"] for g in groups_of(document) if g["vote"]["decompteNominatif"].get("pours") is None]
    assert empty_groups
    assert not [v for v in votes if v["organe_ref"] in empty_groups and v["position"] == "pour"]


def test_every_voter_is_a_row_with_its_group_and_singular_position(scrutins16: Path) -> None:
    name, document = first_member(scrutins16, lambda d: d["scrutin"]["numero"] == "1000")
    expected = Counter(
        (group["organeRef"], PLURAL_CATEGORIES[category], voter["acteurRef"], voter["mandatRef"])
        for group in groups_of(document)
        for category, block in group["vote"]["decompteNominatif"].items()
        for voter in voters_in(block)
    )
    votes = parse_votes_member(name, document)["an_votes"]
    assert Counter((v["organe_ref"], v["position"], v["acteur_ref"], v["mandat_ref"]) for v in votes) == expected


def test_par_delegation_is_boolean_and_null_when_absent(scrutins16: Path) -> None:
    def delegated_and_absent(document: Json) -> bool:
        voters = [v for g in groups_of(document) for b in g["vote"]["decompteNominatif"].values() for v in voters_in(b)]
        return any(v.get("parDelegation") == "true" for v in voters) and any("parDelegation" not in v for v in voters)

    name, document = first_member(scrutins16, delegated_and_absent)
    published = {
        v["acteurRef"]: v.get("parDelegation")
        for g in groups_of(document)
        for b in g["vote"]["decompteNominatif"].values()
        for v in voters_in(b)
    }
    parsed = {v["acteur_ref"]: v["par_delegation"] for v in parse_votes_member(name, document)["an_votes"]}
    assert parsed == {acteur: {"true": True, "false": False, None: None}[value] for acteur, value in published.items()}


def test_non_voters_keep_their_cause(scrutins16: Path) -> None:
    name, document = first_member(
        scrutins16, lambda d: any(g["vote"]["decompteNominatif"]["nonVotants"] for g in groups_of(d))
    )
    published = {
        v["acteurRef"]: v["causePositionVote"]
        for g in groups_of(document)
        for v in voters_in(g["vote"]["decompteNominatif"]["nonVotants"])
    }
    parsed = {
        v["acteur_ref"]: v["cause_position_vote"]
        for v in parse_votes_member(name, document)["an_votes"]
        if v["position"] == "nonVotant"
    }
    assert parsed == published


def test_mise_au_point_two_element_arrays_become_correction_rows(scrutins16: Path) -> None:
    def array_with_voters(document: Json) -> bool:
        corrections = document["scrutin"].get("miseAuPoint") or {}
        return any(isinstance(v, list) and any(v) for v in corrections.values())

    name, document = first_member(scrutins16, array_with_voters)
    corrections = document["scrutin"]["miseAuPoint"]
    expected = {("abstention", v["acteurRef"]) for v in voters_in(corrections["abstentions"])} | {
        ("nonVotant", v["acteurRef"]) for v in voters_in(corrections["nonVotants"])
    }
    rows = parse_votes_member(name, document)
    parsed = {(r["position"], r["acteur_ref"]) for r in rows["an_vote_corrections"] if not r["dysfonctionnement"]}
    assert expected and expected <= parsed
    # Corrections never enter the nominative record.
    nominative = {v["acteur_ref"]: v["position"] for v in rows["an_votes"]}
    assert all(nominative.get(acteur) != position for position, acteur in expected)


def test_mise_au_point_malfunctions_are_flagged(scrutins16: Path) -> None:
    def malfunction(document: Json) -> bool:
        record = (document["scrutin"].get("miseAuPoint") or {}).get("dysfonctionnement") or {}
        return any(record.values())

    name, document = first_member(scrutins16, malfunction)
    record = document["scrutin"]["miseAuPoint"]["dysfonctionnement"]
    expected = {(category, v["acteurRef"]) for category, block in record.items() for v in voters_in(block)}
    parsed = {
        (r["position"], r["acteur_ref"])
        for r in parse_votes_member(name, document)["an_vote_corrections"]
        if r["dysfonctionnement"]
    }
    assert parsed == expected  # the malfunction record uses singular keys: pour, contre


def test_congres_file_uses_singular_keys_and_lists_senators(scrutins16: Path) -> None:
    name, document = first_member(scrutins16, lambda d: d["scrutin"]["uid"].startswith("VTCG"))
    expected = Counter(
        (group["organeRef"], SINGULAR_CATEGORIES[category])
        for group in groups_of(document)
        for category, block in group["vote"]["decompteNominatif"].items()
        for _ in voters_in(block)
    )
    rows = parse_votes_member(name, document)
    assert Counter((v["organe_ref"], v["position"]) for v in rows["an_votes"]) == expected
    assert rows["an_scrutins"][0]["uid"].startswith("VTCG")
    # Senators are kept: the record names more voters than the Assemblée has seats.
    assert len(rows["an_votes"]) > ASSEMBLY_SEATS


def test_group_tallies_are_stored_as_published_even_where_the_nominative_list_differs(scrutins16: Path) -> None:
    def differs(document: Json) -> bool:
        for group in groups_of(document):
            published = group["vote"]["decompteVoix"]
            nominative = group["vote"]["decompteNominatif"]
            if int(published["pour"]) != len(voters_in(nominative["pours"])):
                return True
        return False

    name, document = first_member(scrutins16, differs)
    rows = parse_votes_member(name, document)
    for group in groups_of(document):
        tally = next(t for t in rows["an_group_tallies"] if t["organe_ref"] == group["organeRef"])
        published = group["vote"]["decompteVoix"]
        assert tally["pour"] == int(published["pour"]) and tally["contre"] == int(published["contre"])
        nominative_pour = [
            v for v in rows["an_votes"] if v["organe_ref"] == group["organeRef"] and v["position"] == "pour"
        ]
        assert len(nominative_pour) == len(voters_in(group["vote"]["decompteNominatif"]["pours"]))


def test_non_votants_volontaires_is_stored_as_published_not_added(scrutins16: Path) -> None:
    name, document = first_member(
        scrutins16, lambda d: any(int(g["vote"]["decompteVoix"]["nonVotantsVolontaires"]) > 0 for g in groups_of(d))
    )
    tallies = {t["organe_ref"]: t for t in parse_votes_member(name, document)["an_group_tallies"]}
    for group in groups_of(document):
        published = group["vote"]["decompteVoix"]
        tally = tallies[group["organeRef"]]
        assert tally["non_votants_volontaires"] == int(published["nonVotantsVolontaires"])
        assert tally["abstentions"] == int(published["abstentions"])
        assert tally["non_votants"] == int(published["nonVotants"])


def test_socialist_votes_keep_the_old_group_uid_as_published(scrutins16: Path) -> None:
    name, document = first_member(
        scrutins16,
        lambda d: (
            d["scrutin"]["dateScrutin"] > "2023-10-19" and any(g["organeRef"] == "PO800496" for g in groups_of(d))
        ),
    )
    group = next(g for g in groups_of(document) if g["organeRef"] == "PO800496")
    expected = {v["acteurRef"] for b in group["vote"]["decompteNominatif"].values() for v in voters_in(b)}
    parsed = {v["acteur_ref"] for v in parse_votes_member(name, document)["an_votes"] if v["organe_ref"] == "PO800496"}
    assert expected and parsed == expected


def test_seventeenth_voters_carry_their_seat_number(scrutins17: Path) -> None:
    name, document = first_member(
        scrutins17,
        lambda d: any(
            "numPlace" in v for g in groups_of(d) for b in g["vote"]["decompteNominatif"].values() for v in voters_in(b)
        ),
    )
    published = {
        v["acteurRef"]: v.get("numPlace")
        for g in groups_of(document)
        for b in g["vote"]["decompteNominatif"].values()
        for v in voters_in(b)
    }
    parsed = {v["acteur_ref"]: v["num_place"] for v in parse_votes_member(name, document)["an_votes"]}
    assert parsed == published and any(parsed.values())


def test_position_majoritaire_is_kept_even_when_not_the_plurality(scrutins17: Path) -> None:
    def not_plurality(group: Json) -> bool:
        counts = group["vote"]["decompteVoix"]
        by_position = {
            "pour": int(counts["pour"]),
            "contre": int(counts["contre"]),
            "abstention": int(counts["abstentions"]),
        }
        return by_position[group["vote"]["positionMajoritaire"]] < max(by_position.values())

    name, document = first_member(scrutins17, lambda d: any(not_plurality(g) for g in groups_of(d)))
    tallies = {
        t["organe_ref"]: t["position_majoritaire"] for t in parse_votes_member(name, document)["an_group_tallies"]
    }
    assert tallies == {g["organeRef"]: g["vote"]["positionMajoritaire"] for g in groups_of(document)}


def test_dossier_reference_of_the_seventeenth_is_stored(scrutins17: Path) -> None:
    name, document = first_member(scrutins17, lambda d: "dossierLegislatif" in d["scrutin"]["objet"])
    [as_published] = parse_votes_member(name, document)["an_scrutins"]
    assert as_published["objet_dossier_legislatif"] == document["scrutin"]["objet"]["dossierLegislatif"]
    with_reference = copy.deepcopy(document)
    with_reference["scrutin"]["objet"]["dossierLegislatif"] = "DLR5L17N50000"
    [row] = parse_votes_member(name, with_reference)["an_scrutins"]
    assert row["objet_dossier_legislatif"] == "DLR5L17N50000"


def test_seventeenth_votes_of_a_group_without_organe_file_are_kept(
    scrutins17: Path, people17: dict[str, pa.Table]
) -> None:
    organes = set(people17["an_organes"].column("uid").to_pylist())
    voting_groups = {g["organeRef"] for _, d in json_members(scrutins17) for g in groups_of(d)}
    missing = voting_groups - organes
    assert missing  # a real gap of the source (PO847173)
    votes = parse_scrutins(scrutins17).tables["an_votes"]
    assert set(votes.column("organe_ref").to_pylist()) >= missing


# Quirks of the AMO files ----------------------------------------------------------------------------


def test_acteur_uid_is_an_element_with_text(amo16: Path, people16: dict[str, pa.Table]) -> None:
    name, document = first_member(amo16, lambda d: isinstance(d["acteur"]["uid"], dict), "json/acteur/")
    acteurs = people16["an_acteurs"].to_pylist()
    [row] = [a for a in acteurs if a["source_member"] == name]
    assert row["uid"] == document["acteur"]["uid"]["#text"]


def test_nil_values_become_null(amo16: Path, people16: dict[str, pa.Table]) -> None:
    name, document = first_member(
        amo16, lambda d: isinstance(d["acteur"]["etatCivil"]["infoNaissance"]["dateNais"], dict), "json/acteur/"
    )
    assert document["acteur"]["etatCivil"]["infoNaissance"]["dateNais"]["@xsi:nil"] == "true"
    [row] = [a for a in people16["an_acteurs"].to_pylist() if a["source_member"] == name]
    assert row["date_nais"] is None and row["date_deces"] is None and row["trigramme"] is None


def test_dates_become_dates(amo16: Path, people16: dict[str, pa.Table]) -> None:
    name, document = first_member(
        amo16, lambda d: isinstance(d["acteur"]["etatCivil"]["dateDeces"], str), "json/acteur/"
    )
    [row] = [a for a in people16["an_acteurs"].to_pylist() if a["source_member"] == name]
    assert row["date_deces"] == date.fromisoformat(document["acteur"]["etatCivil"]["dateDeces"])


def test_a_mandate_naming_several_organes_keeps_them_all(amo16: Path, people16: dict[str, pa.Table]) -> None:
    def several(document: Json) -> bool:
        return any(isinstance(m["organes"]["organeRef"], list) for m in document["acteur"]["mandats"]["mandat"])

    _, document = first_member(amo16, several, "json/acteur/")
    mandate = next(m for m in document["acteur"]["mandats"]["mandat"] if isinstance(m["organes"]["organeRef"], list))
    [row] = [m for m in people16["an_mandats"].to_pylist() if m["uid"] == mandate["uid"]]
    assert row["organe_refs"] == mandate["organes"]["organeRef"]
    assert row["organe_ref"] == mandate["organes"]["organeRef"][0]


def test_a_lone_mandate_object_is_one_row(amo17: Path) -> None:
    name, document = first_member(amo17, lambda d: len(d["acteur"]["mandats"]["mandat"]) > 1, "json/acteur/")
    mandate = document["acteur"]["mandats"]["mandat"][0]
    lone = copy.deepcopy(document)
    lone["acteur"]["mandats"]["mandat"] = mandate  # the object form
    member = member_of(name, lone)
    parsed = parse_archive(Path("test.zip"), [member], lambda m: acteur_rows(m, 17), PEOPLE_TABLES)
    [row] = parsed.tables["an_mandats"].to_pylist()
    assert row["uid"] == mandate["uid"] and row["date_debut"] == date.fromisoformat(mandate["dateDebut"])
    assert row["nomin_principale"] == (mandate["nominPrincipale"] == "1")


def test_amo10_embeds_mandates_in_acteurs(amo17: Path, people17: dict[str, pa.Table]) -> None:
    published = Counter()
    for _, document in json_members(amo17, "json/acteur/"):
        acteur = document["acteur"]
        for mandate in acteur["mandats"]["mandat"]:
            published[(mandate["uid"], acteur["uid"]["#text"], mandate["typeOrgane"])] += 1
    mandats = people17["an_mandats"]
    parsed = Counter(zip(*(mandats.column(c).to_pylist() for c in ("uid", "acteur_ref", "type_organe"))))
    assert parsed == published
    groups = [m for m in mandats.to_pylist() if m["type_organe"] == "GP"]
    assert groups and all(m["date_debut"] is not None for m in groups)


def test_amo_counts_equal_the_files(amo16: Path, people16: dict[str, pa.Table]) -> None:
    acteurs = list(json_members(amo16, "json/acteur/"))
    organes = list(json_members(amo16, "json/organe/"))
    assert people16["an_acteurs"].num_rows == len(acteurs) == count_members(amo16, "json/acteur/")
    assert people16["an_organes"].num_rows == len(organes) == count_members(amo16, "json/organe/")
    assert people16["an_mandats"].num_rows == sum(len(d["acteur"]["mandats"]["mandat"]) for _, d in acteurs)


# Whole-dump counts ------------------------------------------------------------------------------------


def test_sixteenth_counts_equal_an_independent_walk_of_the_json(scrutins16: Path) -> None:
    kinds: Counter[str] = Counter()
    votes_per_scrutin: Counter[str] = Counter()
    tallies = 0
    for name, document in json_members(scrutins16):
        kinds[name[len("json/") : len("json/VTAN")]] += 1
        for group in groups_of(document):
            tallies += 1
            for block in group["vote"]["decompteNominatif"].values():
                votes_per_scrutin[document["scrutin"]["uid"]] += len(voters_in(block))
    assert kinds == {"VTAN": 3715, "VTCG": 1}

    tables = parse_scrutins(scrutins16).tables
    assert tables["an_scrutins"].num_rows == sum(kinds.values())
    assert tables["an_group_tallies"].num_rows == tallies
    parsed = Counter(tables["an_votes"].column("scrutin_uid").to_pylist())
    assert parsed == votes_per_scrutin
    vtan_votes = sum(n for uid, n in votes_per_scrutin.items() if uid.startswith("VTAN"))
    assert sum(n for uid, n in parsed.items() if uid.startswith("VTAN")) == vtan_votes == 560_181


# Bad input --------------------------------------------------------------------------------------------


@pytest.fixture
def broken_dump(tmp_path: Path, scrutins17: Path) -> Path:
    """A copy of three real scrutins, one malformed and one without its `scrutin` record."""
    members = list(json_members(scrutins17))[:3]
    path = tmp_path / "Scrutins.json.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(members[0][0], json.dumps(members[0][1]))
        archive.writestr(members[1][0], json.dumps(members[1][1])[:-40])
        archive.writestr(members[2][0], json.dumps({"not_a_scrutin": {}}))
    return path


def test_a_member_that_cannot_be_parsed_fails_naming_archive_and_member(broken_dump: Path) -> None:
    with pytest.raises(MemberParseError) as caught:
        parse_scrutins(broken_dump)
    first_bad = sorted(zipfile.ZipFile(broken_dump).namelist())[1]
    assert "Scrutins.json.zip" in str(caught.value) and first_bad in str(caught.value)


def test_quarantine_mode_loads_the_rest_and_lists_each_bad_member(broken_dump: Path) -> None:
    parsed = parse_scrutins(broken_dump, on_error="quarantine")
    names = sorted(zipfile.ZipFile(broken_dump).namelist())
    assert [q.member for q in parsed.quarantined] == names[1:]
    assert parsed.tables["an_scrutins"].column("source_member").to_pylist() == names[:1]
    rows = quarantine_table("an/17/scrutins", "17", parsed.quarantined)
    assert rows.schema == arrow_schema("quarantine") and rows.column("member").to_pylist() == names[1:]


def test_an_unknown_extra_field_is_accepted(scrutins17: Path) -> None:
    name, document = next(json_members(scrutins17))
    extended = copy.deepcopy(document)
    extended["scrutin"]["nouveauChamp"] = {"valeur": "1"}
    groups_of(extended)[0]["vote"]["nouveauChamp"] = "x"
    assert parse_votes_member(name, extended) == parse_votes_member(name, document)


def test_an_unknown_vote_category_fails_rather_than_dropping_voters(scrutins17: Path) -> None:
    name, document = next(json_members(scrutins17))
    renamed = copy.deepcopy(document)
    nominative = groups_of(renamed)[0]["vote"]["decompteNominatif"]
    nominative["pourS"] = nominative.pop("pours")
    with pytest.raises(MemberParseError, match=f"{name}.*unknown vote category 'pourS'"):
        parse_votes_member(name, renamed)


def test_a_value_arrow_rejects_names_its_member(scrutins17: Path) -> None:
    members = list(json_members(scrutins17))[:2]
    bad_name, bad = members[1][0], copy.deepcopy(members[1][1])
    nominative = groups_of(bad)[0]["vote"]["decompteNominatif"]
    block = next(b for b in nominative.values() if b)
    voters_in(block)[0]["acteurRef"] = ["PA1", "PA2"]
    good = [member_of(*members[0]), member_of(bad_name, bad)]
    with pytest.raises(MemberParseError, match=bad_name):
        parse_archive(Path("test.zip"), good, scrutin_rows, VOTE_TABLES)
    parsed = parse_archive(Path("test.zip"), good, scrutin_rows, VOTE_TABLES, on_error="quarantine")
    assert [q.member for q in parsed.quarantined] == [bad_name]
    assert parsed.tables["an_scrutins"].column("source_member").to_pylist() == [members[0][0]]


def test_rows_built_chunk_by_chunk_equal_one_build_and_a_rejected_member_is_found_in_its_chunk(
    scrutins17: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = list(json_members(scrutins17))[:5]
    bad_name, bad = members[3][0], copy.deepcopy(members[3][1])
    voters_in(next(b for b in groups_of(bad)[0]["vote"]["decompteNominatif"].values() if b))[0]["acteurRef"] = ["PA1"]
    whole = parse_archive(Path("test.zip"), [member_of(*m) for m in members], scrutin_rows, VOTE_TABLES)
    monkeypatch.setattr(assemblee, "CHUNK_MEMBERS", 2)
    chunked = parse_archive(Path("test.zip"), [member_of(*m) for m in members], scrutin_rows, VOTE_TABLES)
    assert all(chunked.tables[table].equals(whole.tables[table]) for table in VOTE_TABLES)
    with_bad = [member_of(*m) for m in members[:3]] + [member_of(bad_name, bad), member_of(*members[4])]
    parsed = parse_archive(Path("test.zip"), with_bad, scrutin_rows, VOTE_TABLES, on_error="quarantine")
    assert [q.member for q in parsed.quarantined] == [bad_name]
    assert parsed.tables["an_scrutins"].column("source_member").to_pylist() == [
        name for name, _ in members if name != bad_name
    ]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda scrutin: scrutin.pop("uid"), "required field uid is missing or nil"),
        (lambda scrutin: scrutin.update(uid={"@xsi:nil": "true"}), "required field uid is missing or nil"),
        (lambda scrutin: scrutin.pop("dateScrutin"), "required field dateScrutin is missing or nil"),
        (lambda scrutin: scrutin.update(ventilationVotes=None), "no group tallies: ventilationVotes lists no groupe"),
        (
            lambda scrutin: scrutin["ventilationVotes"]["organe"]["groupes"].update(groupe=[]),
            "no group tallies: ventilationVotes lists no groupe",
        ),
    ],
    ids=["no uid", "nil uid", "no dateScrutin", "no ventilationVotes", "no groupe"],
)
def test_a_scrutin_that_cannot_be_used_fails_or_is_quarantined_with_its_reason(
    scrutins17: Path, damage: Callable[[Json], object], reason: str
) -> None:
    (name, good), (bad_name, document) = list(json_members(scrutins17))[:2]
    damage(document["scrutin"])
    members = [member_of(name, good), member_of(bad_name, document)]
    with pytest.raises(MemberParseError) as caught:
        parse_archive(Path("Scrutins.json.zip"), members, scrutin_rows, VOTE_TABLES)
    assert str(caught.value) == f"Scrutins.json.zip: member {bad_name} cannot be used: {reason}"
    parsed = parse_archive(Path("Scrutins.json.zip"), members, scrutin_rows, VOTE_TABLES, on_error="quarantine")
    assert parsed.quarantined == [QuarantinedMember(bad_name, str(caught.value))]
    assert parsed.tables["an_scrutins"].column("source_member").to_pylist() == [name]
