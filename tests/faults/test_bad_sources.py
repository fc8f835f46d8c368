"""Each way a source goes wrong, against the whole nightly refresh on the loopback mirror.

A fault must stop the run with an error that names what broke (URL, file, member, field, column)
and leave the publication readers see exactly as it was. The faults sit in the smallest files
(the 17th legislature's votes, one poll feed), so the run fails in its raw steps, before dbt. A
bad member is quarantined by the nightly refresh (tests/faults/test_quarantine.py); here it is
served to a strict refresh, which must fail naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.lib.config import Settings
from support.mirror import (
    Fault,
    LoopbackMirror,
    connection_reset,
    oversized,
    server_error,
    stall,
    truncated,
)
from tests.faults.damage import (
    corrupt_member,
    edit_member_json,
    first_half,
    read_member,
    rename_csv_column,
    rewrite_zip,
    zip_bomb,
)
from tests.faults.harness import PublishedState, failure_text, refresh

pytestmark = pytest.mark.faults

VOTES_17 = "an/17/loi/scrutins/Scrutins.json.zip"
FIRST_SCRUTIN = "json/VTANR5L17V1.json"
POLL_FILE = "polls/github/EliasOrphelin/Legislatives2022/main/SondagesLegislatives2022.csv"


@dataclass(frozen=True)
class SourceFault:
    """One way a source goes wrong: an HTTP misbehaviour, or a damaged copy served normally."""

    path: str
    expected: tuple[str, ...]  # what the error must say besides naming the file
    fault: Fault | None = None
    damage: Callable[[bytes], bytes] | None = None
    strict: bool = False  # a bad member: only a strict refresh fails on it

    def install(self, mirror: LoopbackMirror, shared_data: Path) -> None:
        if self.fault is not None:
            mirror.state.faults[self.path] = self.fault
        if self.damage is not None:
            mirror.state.overrides[self.path] = self.damage((shared_data / self.path).read_bytes())


def without_field(field: str) -> Callable[[bytes], bytes]:
    def remove(document: dict[str, Any]) -> None:
        del document["scrutin"][field]

    return partial(edit_member_json, member=FIRST_SCRUTIN, edit=remove)


SOURCE_FAULTS = {
    "HTTP 500": SourceFault(VOTES_17, ("server error HTTP 500", "gave up after 2 attempts"), fault=server_error),
    "timeout": SourceFault(VOTES_17, ("Read timed out", "gave up after 2 attempts"), fault=stall(5)),
    "connection reset": SourceFault(
        VOTES_17, ("Connection aborted", "gave up after 2 attempts"), fault=connection_reset
    ),
    "download cut short": SourceFault(VOTES_17, ("download cut short", "gave up after 2 attempts"), fault=truncated),
    "oversize download": SourceFault(VOTES_17, ("above the 536.9 MB download cap",), fault=oversized(1 << 40)),
    "truncated zip": SourceFault(VOTES_17, ("Scrutins.json.zip: not a readable zip archive",), damage=first_half),
    "zip with a corrupt member": SourceFault(
        VOTES_17, (f"member {FIRST_SCRUTIN} is corrupt",), damage=partial(corrupt_member, member=FIRST_SCRUTIN)
    ),
    "malformed JSON member (strict)": SourceFault(
        VOTES_17,
        (f"member {FIRST_SCRUTIN} cannot be parsed: JSONDecodeError",),
        damage=partial(rewrite_zip, replaced={FIRST_SCRUTIN: b'{"scrutin": {"uid": '}),
        strict=True,
    ),
    "scrutin without uid (strict)": SourceFault(
        VOTES_17,
        (f"member {FIRST_SCRUTIN} cannot be used: required field uid is missing or nil",),
        damage=without_field("uid"),
        strict=True,
    ),
    "scrutin without dateScrutin (strict)": SourceFault(
        VOTES_17,
        (f"member {FIRST_SCRUTIN} cannot be used: required field dateScrutin is missing or nil",),
        damage=without_field("dateScrutin"),
        strict=True,
    ),
    "zip bomb": SourceFault(
        VOTES_17,
        ("member json/VTANR5L17V9999.json has compression ratio", "(zip bomb?)"),
        damage=partial(zip_bomb, member="json/VTANR5L17V9999.json"),
    ),
    "poll CSV with a renamed column": SourceFault(
        POLL_FILE,
        ("SondagesLegislatives2022.csv: missing required column(s) intentions",),
        damage=partial(rename_csv_column, column="intentions", new_name="intention"),
    ),
}


@pytest.mark.parametrize("name", SOURCE_FAULTS)
def test_a_bad_source_stops_the_refresh_naming_it_and_publishes_nothing(
    name: str, warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    fault = SOURCE_FAULTS[name]
    before = PublishedState.of(warehouse)
    fault.install(clean_mirror, shared_data)

    result = refresh(warehouse, strict=fault.strict)

    assert not result.success
    message = failure_text(result)
    for excerpt in (clean_mirror.base_url + fault.path, *fault.expected):
        assert excerpt in message, f"{name}: the error does not say {excerpt!r}:\n{message}"
    assert PublishedState.of(warehouse) == before


def test_an_unknown_extra_field_is_accepted_and_published(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path
) -> None:
    def add_fields(document: dict[str, Any]) -> None:
        document["scrutin"]["champAjouteParLAssemblee"] = {"valeur": "nouvelle"}

    original = (shared_data / VOTES_17).read_bytes()
    clean_mirror.state.overrides[VOTES_17] = edit_member_json(original, FIRST_SCRUTIN, add_fields)
    before = PublishedState.of(warehouse)

    result = refresh(warehouse)

    assert result.success, failure_text(result)
    after = PublishedState.of(warehouse)
    assert after.publication_id > before.publication_id and after.inode != before.inode
    title = json.loads(read_member(original, FIRST_SCRUTIN))["scrutin"]["titre"]
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        published = con.execute(
            "SELECT titre, count(*) OVER () FROM raw.an_scrutins WHERE source_member = ?", [FIRST_SCRUTIN]
        ).fetchone()
    assert published == (title, 1)
