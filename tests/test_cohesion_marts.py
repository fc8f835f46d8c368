"""The cohesion marts checked against an independent recomputation from the real 16th-legislature zip.

The recomputation reads the zip with plain zipfile + json (none of the project's parsers) and applies
the definitions of docs/methods.md: official group tally (pour, contre, abstentions), strict-plurality
position, Agreement Index, over the Assemblée's SPO and SPS votes, SOC's two uids as one group.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

SCRUTINS_ZIP_16 = Path("an/16/loi/scrutins/Scrutins.json.zip")
COHESION_VOTE_TYPES = {"SPO", "SPS"}
# The 16th's groups from the data README (SOC changed uid on 2023-10-19).
GROUP_CODES_16 = {
    "PO800490": "LFI",
    "PO800496": "SOC",
    "PO830170": "SOC",
    "PO800526": "ECO",
    "PO800502": "GDR",
    "PO800538": "RE",
    "PO800520": "RN",
    "PO800508": "LR",
    "PO800484": "DEM",
    "PO800514": "HOR",
    "PO800532": "LIOT",
    "PO793087": "NI",
}
NUPES = ("LFI", "SOC", "ECO", "GDR")
Tally = tuple[int, int, int]


def group_tallies(shared_data: Path) -> dict[str, dict[str, Tally]]:
    """{scrutin uid: {group code: (pour, contre, abstentions)}} for the in-scope votes of the 16th."""
    tallies: dict[str, dict[str, Tally]] = {}
    with zipfile.ZipFile(shared_data / SCRUTINS_ZIP_16) as archive:
        for name in archive.namelist():
            scrutin = json.loads(archive.read(name))["scrutin"]
            if not scrutin["uid"].startswith("VTAN") or scrutin["typeVote"]["codeTypeVote"] not in COHESION_VOTE_TYPES:
                continue
            summed: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            groups = scrutin["ventilationVotes"]["organe"]["groupes"]["groupe"]
            for group in groups if isinstance(groups, list) else [groups]:
                counts = group["vote"]["decompteVoix"]
                code = GROUP_CODES_16[group["organeRef"]]
                for i, key in enumerate(("pour", "contre", "abstentions")):
                    summed[code][i] += int(counts[key])
            tallies[scrutin["uid"]] = {code: (y, n, a) for code, (y, n, a) in summed.items()}
    return tallies


def agreement_index(tally: Tally) -> float | None:
    total, top = sum(tally), max(tally)
    return None if total == 0 else (top - (total - top) / 2) / total


def position(tally: Tally) -> str | None:
    """Strict plurality; None on a tie for first place (T = 0 included)."""
    ranked = sorted(zip(tally, ("for", "against", "abstain")), reverse=True)
    return ranked[0][1] if ranked[0][0] > ranked[1][0] else None


@pytest.fixture(scope="module")
def tallies_16(shared_data: Path) -> dict[str, dict[str, Tally]]:
    return group_tallies(shared_data)


@pytest.fixture(scope="module")
def marts(built_warehouse: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(built_warehouse), read_only=True)


def test_recomputation_covers_the_legislature(tallies_16: dict[str, dict[str, Tally]]) -> None:
    # 3,648 SPO + 35 SPS in the copy of the 16th (MOC and the Congrès excluded).
    assert len(tallies_16) == 3683


def test_mean_agreement_index_of_each_group(
    tallies_16: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection
) -> None:
    indices: dict[str, list[float]] = defaultdict(list)
    for groups in tallies_16.values():
        for code, tally in groups.items():
            if (index := agreement_index(tally)) is not None:
                indices[code].append(index)
    rows = marts.execute(
        "select group_code, n_votes, mean_agreement_index from marts.mart_group_cohesion where legislature = 16"
    ).fetchall()
    assert {code for code, *_ in rows} == set(indices)
    for code, n_votes, mean_index in rows:
        assert n_votes == len(indices[code]), code
        assert mean_index == pytest.approx(sum(indices[code]) / len(indices[code]), abs=5e-5), code


def test_pairwise_agreement_within_the_alliance(
    tallies_16: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection
) -> None:
    for code_a, code_b in combinations(sorted(NUPES), 2):
        pairs = [
            (position(groups[code_a]), position(groups[code_b]))
            for groups in tallies_16.values()
            if code_a in groups and code_b in groups
        ]
        both = [(a, b) for a, b in pairs if a is not None and b is not None]
        expected_rate = sum(a == b for a, b in both) / len(both)
        n_votes, rate = marts.execute(
            "select n_votes, agreement_rate from marts.mart_bloc_pairwise_agreement "
            "where legislature = 16 and group_code_a = ? and group_code_b = ?",
            [code_a, code_b],
        ).fetchone()
        assert n_votes == len(both), (code_a, code_b)
        assert rate == pytest.approx(expected_rate, abs=5e-5), (code_a, code_b)


def test_nupes_unanimity_rate(tallies_16: dict[str, dict[str, Tally]], marts: duckdb.DuckDBPyConnection) -> None:
    positions = [
        [position(groups[code]) if code in groups else None for code in NUPES] for groups in tallies_16.values()
    ]
    complete = [votes for votes in positions if None not in votes]
    expected_rate = sum(len(set(votes)) == 1 for votes in complete) / len(complete)
    n_votes, rate = marts.execute(
        "select n_votes, unanimity_rate from marts.mart_bloc_unity where legislature = 16 and bloc = 'NUPES'"
    ).fetchone()
    assert n_votes == len(complete)
    assert rate == pytest.approx(expected_rate, abs=5e-5)
