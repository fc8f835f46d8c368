"""The 17th legislature's real dump, quirks included, checked against an independent reading of it.

Twelve scrutins of 2024-12-02 give every group's tally the placeholder uid PO0. The recomputation
here reads the zips with plain zipfile + json (none of the project's parsers or models) and places
each PO0 tally by its voters: the group under which each voter's ballot appears in the nearest
scrutin (by number) that names its groups. The warehouse places them by AMO memberships first;
both must agree on every figure. The anomalies mart is checked against counts from the same files.
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.test_cohesion_marts import COHESION_VOTE_TYPES, Tally, agreement_index, position

pytestmark = pytest.mark.integration

SCRUTINS_ZIP = "an/{legislature}/loi/scrutins/Scrutins.json.zip"
AMO10_ZIP_17 = Path(
    "an/17/amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"
)
AMO20_ZIP_16 = Path(
    "an/16/amo/deputes_senateurs_ministres_legislature/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip"
)
PLACEHOLDER_UID = "PO0"
# The 17th's groups from the data README (UDR changed uid in the live dump, after this copy ends).
GROUP_CODES_17 = {
    "PO845407": "EPR",
    "PO845401": "RN",
    "PO845413": "LFI",
    "PO845419": "SOC",
    "PO845425": "DR",
    "PO845439": "ECO",
    "PO845454": "DEM",
    "PO845470": "HOR",
    "PO845485": "LIOT",
    "PO845514": "GDR",
    "PO840056": "NI",
    "PO847173": "UDR",
    "PO872880": "UDR",
}
NFP = ("LFI", "SOC", "ECO", "GDR")
COUNT_KEYS = ("pour", "contre", "abstentions", "nonVotants")
NOMINATIVE_KEYS = {"pours": "pour", "contres": "contre", "abstentions": "abstentions", "nonVotants": "nonVotants"}


def as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def scrutins(shared_data: Path, legislature: int) -> Iterator[dict[str, Any]]:
    """Every Assemblée scrutin of the legislature's zip, in file order."""
    with zipfile.ZipFile(shared_data / SCRUTINS_ZIP.format(legislature=legislature)) as archive:
        for name in archive.namelist():
            if name.startswith("json/VTAN"):
                yield json.loads(archive.read(name))["scrutin"]


def groups_of(scrutin: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(scrutin["ventilationVotes"]["organe"]["groupes"]["groupe"])


def nominative(group: dict[str, Any]) -> dict[str, str]:
    """{deputy uid: category} of one group's nominative list."""
    ballots = {}
    for category, block in (group["vote"].get("decompteNominatif") or {}).items():
        for voter in as_list((block or {}).get("votant")):
            ballots[voter["acteurRef"]] = NOMINATIVE_KEYS[category]
    return ballots


def acteur_uids(shared_data: Path, amo_zip: Path) -> set[str]:
    with zipfile.ZipFile(shared_data / amo_zip) as archive:
        return {Path(name).stem for name in archive.namelist() if name.startswith("json/acteur/")}


class Legislature17:
    """The 17th's in-scope votes with every PO0 tally placed by its voters' neighbouring ballots."""

    def __init__(self, shared_data: Path) -> None:
        self.all = sorted(scrutins(shared_data, 17), key=lambda s: int(s["numero"]))
        named = [s for s in self.all if all(g["organeRef"] != PLACEHOLDER_UID for g in groups_of(s))]
        # deputy -> [(scrutin number, group code)] over the scrutins that name their groups
        self.ballot_groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for scrutin in named:
            for group in groups_of(scrutin):
                for deputy in nominative(group):
                    self.ballot_groups[deputy].append((int(scrutin["numero"]), GROUP_CODES_17[group["organeRef"]]))
        self.placed_tallies = 0
        self.empty_tallies = 0

    def nearest_group(self, deputy: str, number: int) -> str | None:
        ballots = self.ballot_groups.get(deputy)
        return min(ballots, key=lambda b: (abs(b[0] - number), b[0]))[1] if ballots else None

    def group_code(self, scrutin: dict[str, Any], group: dict[str, Any]) -> str | None:
        if group["organeRef"] != PLACEHOLDER_UID:
            return GROUP_CODES_17[group["organeRef"]]
        found = {self.nearest_group(deputy, int(scrutin["numero"])) for deputy in nominative(group)} - {None}
        assert len(found) <= 1, (scrutin["uid"], found)
        if found:
            self.placed_tallies += 1
        else:
            self.empty_tallies += 1
        return found.pop() if found else None

    def tallies(self) -> dict[str, dict[str, Tally]]:
        """{scrutin uid: {group code: (pour, contre, abstentions)}} for the SPO and SPS votes."""
        result: dict[str, dict[str, Tally]] = {}
        for scrutin in self.all:
            if scrutin["typeVote"]["codeTypeVote"] not in COHESION_VOTE_TYPES:
                continue
            summed: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            for group in groups_of(scrutin):
                code = self.group_code(scrutin, group)
                if code is not None:
                    counts = group["vote"]["decompteVoix"]
                    for i, key in enumerate(("pour", "contre", "abstentions")):
                        summed[code][i] += int(counts[key])
            result[scrutin["uid"]] = {code: (y, n, a) for code, (y, n, a) in summed.items()}
        return result


@pytest.fixture(scope="module")
def legislature_17(shared_data: Path) -> Legislature17:
    return Legislature17(shared_data)


@pytest.fixture(scope="module")
def tallies_17(legislature_17: Legislature17) -> dict[str, dict[str, Tally]]:
    return legislature_17.tallies()


@pytest.fixture(scope="module")
def marts(built_warehouse: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(built_warehouse), read_only=True)


def test_the_copy_holds_twelve_placeholder_scrutins(legislature_17: Legislature17) -> None:
    placeholder = [s["uid"] for s in legislature_17.all if any(g["organeRef"] == PLACEHOLDER_UID for g in groups_of(s))]
    assert len(legislature_17.all) == 2000
    assert sorted(placeholder) == sorted(f"VTANR5L17V{n}" for n in [489, *range(491, 502)])


def test_a_placeholder_scrutin_is_recomputed_from_its_file(
    tallies_17: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection
) -> None:
    expected = {
        code: (tally, position(tally), agreement_index(tally)) for code, tally in tallies_17["VTANR5L17V489"].items()
    }
    rows = marts.execute(
        "select group_code, n_for, n_against, n_abstain, position, agreement_index, group_resolution"
        " from marts.fct_group_votes where scrutin_uid = 'VTANR5L17V489' and not is_unknown_group"
    ).fetchall()
    assert len(expected) == 11, "every group with a ballot is placed"
    assert {code for code, *_ in rows} == set(expected)
    for code, n_for, n_against, n_abstain, group_position, index, resolution in rows:
        tally, expected_position, expected_index = expected[code]
        assert (n_for, n_against, n_abstain) == tally, code
        assert group_position == expected_position, code
        assert index == pytest.approx(expected_index, abs=1e-9), code
        assert resolution in ("voter_memberships", "neighbour_votes"), code


def test_mean_agreement_index_of_each_group_of_the_17th(
    tallies_17: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection
) -> None:
    indices: dict[str, list[float]] = defaultdict(list)
    for groups in tallies_17.values():
        for code, tally in groups.items():
            if (index := agreement_index(tally)) is not None:
                indices[code].append(index)
    rows = marts.execute(
        "select group_code, n_votes, mean_agreement_index from marts.mart_group_cohesion where legislature = 17"
    ).fetchall()
    assert {code for code, *_ in rows} == set(indices)
    for code, n_votes, mean_index in rows:
        assert n_votes == len(indices[code]), code
        assert mean_index == pytest.approx(sum(indices[code]) / len(indices[code]), abs=5e-5), code


def test_nfp_unanimity_rate(tallies_17: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection) -> None:
    positions = [[position(groups[code]) if code in groups else None for code in NFP] for groups in tallies_17.values()]
    complete = [votes for votes in positions if None not in votes]
    n_votes, rate = marts.execute(
        "select n_votes, unanimity_rate from marts.mart_bloc_unity where legislature = 17 and bloc = 'NFP'"
    ).fetchone()
    assert n_votes == len(complete)
    assert rate == pytest.approx(sum(len(set(votes)) == 1 for votes in complete) / len(complete), abs=5e-5)


def anomaly_counts(marts: duckdb.DuckDBPyConnection, legislature: int) -> dict[str, int]:
    return dict(
        marts.execute(
            "select anomaly, n_occurrences from marts.mart_source_anomalies where legislature = ?", [legislature]
        ).fetchall()
    )


def test_anomalies_of_the_placeholder_tallies(
    legislature_17: Legislature17, tallies_17: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection
) -> None:
    counts = anomaly_counts(marts, 17)
    resolved = counts["tally_group_from_voter_memberships"] + counts["tally_group_from_neighbour_votes"]
    assert resolved == legislature_17.placed_tallies > 0
    assert counts["tally_group_unresolved"] == legislature_17.empty_tallies
    assert resolved + legislature_17.empty_tallies == 12 * 12


@pytest.mark.parametrize("legislature", [16, 17])
def test_anomalies_counted_from_the_files(
    legislature: int, shared_data: Path, marts: duckdb.DuckDBPyConnection
) -> None:
    differing, corrections, voters = 0, 0, set()
    for scrutin in scrutins(shared_data, legislature):
        for group in groups_of(scrutin):
            listed = Counter(nominative(group).values())
            published = group["vote"]["decompteVoix"]
            differing += any(int(published[key]) != listed[key] for key in COUNT_KEYS)
            voters |= nominative(group).keys()
        corrections += sum(
            len(as_list(part["votant"]))
            for _, block in _correction_blocks(scrutin.get("miseAuPoint"))
            for part in as_list(block)
            if part is not None
        )
    named = acteur_uids(shared_data, AMO10_ZIP_17) | acteur_uids(shared_data, AMO20_ZIP_16)
    counts = anomaly_counts(marts, legislature)
    assert counts["group_counts_differ_from_nominative"] == differing
    assert counts["vote_corrections"] == corrections
    assert counts["voters_without_acteur_file"] == len(voters - named)
    assert counts["quarantined_members"] == 0
    unnamed = marts.execute(
        "select count(distinct deputy_uid) from marts.fct_deputy_votes join marts.dim_deputies using (deputy_uid)"
        " where legislature = ? and appears_in_record and not has_actor_record",
        [legislature],
    ).fetchone()[0]
    assert unnamed == len(voters - named)


def _correction_blocks(corrections: dict[str, Any] | None) -> Iterator[tuple[str, Any]]:
    """(category, block) of a miseAuPoint, its malfunction sub-record included."""
    for category, block in (corrections or {}).items():
        if category == "dysfonctionnement":
            yield from _correction_blocks(block)
        else:
            yield category, block


def test_voters_the_amo10_dump_misses_are_named_from_the_amo20_dump(
    shared_data: Path, marts: duckdb.DuckDBPyConnection
) -> None:
    voters = {
        deputy for scrutin in scrutins(shared_data, 17) for group in groups_of(scrutin) for deputy in nominative(group)
    }
    from_amo20_only = sorted((voters - acteur_uids(shared_data, AMO10_ZIP_17)) & acteur_uids(shared_data, AMO20_ZIP_16))
    assert from_amo20_only, "the copy has 17th-legislature voters only the AMO20 dump names"
    named = marts.execute(
        "select count(*) from marts.dim_deputies where has_actor_record and full_name is not null"
        " and deputy_uid in (select unnest(?))",
        [from_amo20_only],
    ).fetchone()[0]
    assert named == len(from_amo20_only)


def test_socialists_votes_on_both_sides_of_their_uid_change_are_one_group(
    shared_data: Path, marts: duckdb.DuckDBPyConnection
) -> None:
    soc_uids = ("PO800496", "PO830170")
    by_uid: dict[str, set[str]] = {uid: set() for uid in soc_uids}
    for scrutin in scrutins(shared_data, 16):
        for group in groups_of(scrutin):
            if group["organeRef"] in by_uid:
                by_uid[group["organeRef"]].add(scrutin["uid"])
    assert all(by_uid.values()), "both uids name tallies in the copy"
    rows = dict(
        marts.execute(
            "select scrutin_uid, group_uids from marts.fct_group_votes where legislature = 16 and group_code = 'SOC'"
        ).fetchall()
    )
    assert set(rows) == by_uid["PO800496"] | by_uid["PO830170"]
    assert {uid for uids in rows.values() for uid in uids} == set(soc_uids)
    assert marts.execute(
        "select group_uids from marts.dim_groups where legislature = 16 and group_code = 'SOC'"
    ).fetchone()[0] == list(soc_uids)
