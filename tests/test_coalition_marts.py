"""The coalition marts checked against an independent recomputation from the real zips.

The recomputation reads the zips with plain zipfile + json (none of the project's parsers or models)
and applies docs/methods.md ("Who makes majorities"): the outcome is sort.code; a group wins when its
strict-plurality position is "pour" on an adopted vote or "contre" on a rejected one; it is decisive
when swapping its pour and contre ballots would turn the chamber's pour > contre the other way.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.test_cohesion_marts import COHESION_VOTE_TYPES, GROUP_CODES_16, NUPES, Tally, position

pytestmark = pytest.mark.integration

SCRUTINS_ZIP = "an/{legislature}/loi/scrutins/Scrutins.json.zip"


def public_votes(shared_data: Path, legislature: int) -> Iterator[dict[str, Any]]:
    """Every Assemblée scrutin of types SPO and SPS in the legislature's zip."""
    with zipfile.ZipFile(shared_data / SCRUTINS_ZIP.format(legislature=legislature)) as archive:
        for name in archive.namelist():
            scrutin = json.loads(archive.read(name))["scrutin"]
            if scrutin["uid"].startswith("VTAN") and scrutin["typeVote"]["codeTypeVote"] in COHESION_VOTE_TYPES:
                yield scrutin


def chamber_count(scrutin: dict[str, Any], key: str) -> int:
    return int(scrutin["syntheseVote"]["decompte"][key])


def vote_outcomes_16(shared_data: Path) -> dict[str, tuple[bool, int, dict[str, Tally]]]:
    """{scrutin uid: (adopted, pour - contre, {group code: (pour, contre, abstentions)})} for the 16th."""
    outcomes = {}
    for scrutin in public_votes(shared_data, 16):
        summed: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        groups = scrutin["ventilationVotes"]["organe"]["groupes"]["groupe"]
        for group in groups if isinstance(groups, list) else [groups]:
            counts = group["vote"]["decompteVoix"]
            for i, key in enumerate(("pour", "contre", "abstentions")):
                summed[GROUP_CODES_16[group["organeRef"]]][i] += int(counts[key])
        margin = chamber_count(scrutin, "pour") - chamber_count(scrutin, "contre")
        tallies = {code: (y, n, a) for code, (y, n, a) in summed.items()}
        outcomes[scrutin["uid"]] = (scrutin["sort"]["code"] == "adopté", margin, tallies)
    return outcomes


def won(adopted: bool, tally: Tally) -> bool | None:
    taken = position(tally)
    return None if taken is None else taken == ("for" if adopted else "against")


def decisive(margin: int, tally: Tally) -> bool:
    swapped = margin - 2 * (tally[0] - tally[1])
    return (swapped > 0) != (margin > 0)


@pytest.fixture(scope="module")
def outcomes_16(shared_data: Path) -> dict[str, tuple[bool, int, dict[str, Tally]]]:
    return vote_outcomes_16(shared_data)


@pytest.fixture(scope="module")
def marts(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        yield con


@pytest.mark.parametrize("legislature", [16, 17])
def test_the_outcome_is_pour_over_contre_on_every_public_vote(
    shared_data: Path, marts: duckdb.DuckDBPyConnection, legislature: int
) -> None:
    outcomes = {
        scrutin["uid"]: (
            scrutin["sort"]["code"],
            chamber_count(scrutin, "pour") > chamber_count(scrutin, "contre"),
        )
        for scrutin in public_votes(shared_data, legislature)
    }
    assert {code for code, _ in outcomes.values()} == {"adopté", "rejeté"}
    assert all((code == "adopté") == pour_wins for code, pour_wins in outcomes.values())
    built = dict(
        marts.execute(
            "select scrutin_uid, adopted from marts.fct_scrutin_outcomes where legislature = ?", [legislature]
        ).fetchall()
    )
    assert built == {uid: code == "adopté" for uid, (code, _) in outcomes.items()}


def test_success_rate_of_each_alliance_group(
    outcomes_16: dict[str, tuple[bool, int, dict[str, Tally]]], marts: duckdb.DuckDBPyConnection
) -> None:
    for code in NUPES:
        results = [
            result
            for adopted, _, tallies in outcomes_16.values()
            if code in tallies and (result := won(adopted, tallies[code])) is not None
        ]
        n_votes, n_won, success_rate = marts.execute(
            "select n_votes, n_won, success_rate from marts.mart_group_success "
            "where legislature = 16 and group_code = ? and grain = 'legislature'",
            [code],
        ).fetchone()
        assert (n_votes, n_won) == (len(results), sum(results)), code
        assert round(success_rate, 4) == round(sum(results) / len(results), 4), code


def test_votes_where_lfi_was_decisive(
    outcomes_16: dict[str, tuple[bool, int, dict[str, Tally]]], marts: duckdb.DuckDBPyConnection
) -> None:
    lfi = [(margin, tallies["LFI"]) for _, margin, tallies in outcomes_16.values() if "LFI" in tallies]
    decisive_votes = [tally for margin, tally in lfi if decisive(margin, tally)]
    with_position = [tally for tally in decisive_votes if position(tally) is not None]
    assert 0 < len(with_position) <= len(decisive_votes)
    [(listed,)] = marts.execute(
        "select count(*) from marts.fct_scrutin_outcomes where legislature = 16 and list_contains(decisive_groups, 'LFI')"
    ).fetchall()
    n_votes, n_decisive, decisive_rate = marts.execute(
        "select n_votes, n_decisive, decisive_rate from marts.mart_group_success "
        "where legislature = 16 and group_code = 'LFI' and grain = 'legislature'"
    ).fetchone()
    assert listed == len(decisive_votes)
    assert n_decisive == len(with_position)
    assert round(decisive_rate, 4) == round(len(with_position) / n_votes, 4)
