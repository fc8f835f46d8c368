"""What a load does with a record it cannot use, and when there are too many of them to go on.

A dump holds thousands of member files and a poll feed thousands of rows: one bad record must not
stop the refresh of all the others. In `quarantine` mode (the default of the nightly refresh) a
member that cannot be parsed or cannot be used (no key, no date, no tallies, a key another member
of the dump also has) is left out and written to `raw.quarantine` with its reason; the rest loads.
`fail` mode (strict, for tests and investigations) stops at the first one, naming it.

What a quarantined member keeps: the rows it loaded before, if any. The raw layer knows which rows
a member loaded (`MemberRecords`: its file name in the member table, under the record's key), so
those rows stay in every table and the quarantine row says so (`kept_previous_rows`). Dropping
them would lose a good scrutin because its new file is bad; keeping them loses nothing, and the
anomalies mart shows the record as stale. A record that two members of a dump share is trusted to
neither: both are quarantined, and the record keeps what it had.

Two thresholds tell a bad record from a bad file, and fail the load before anything is written:
- more than `MAX_QUARANTINED_SHARE` of a dump's members (or a poll file's rows) quarantined;
- a dump with more than `MAX_MEMBER_SHRINK` fewer members than the one loaded before (a truncated
  or wrong upstream file would otherwise replace thousands of good records by nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.raw_schema import RAW_SCHEMA
from orchestration.lib.warehouse import quote_identifier, rows_to_table

OnError = Literal["fail", "quarantine"]
QUARANTINE_TABLE = "quarantine"
# More than this share of a dump's members (a poll file's rows) quarantined: the file is bad, not a record.
MAX_QUARANTINED_SHARE = 0.01
# A dump with more than this share fewer members than the one loaded before: truncated or wrong upstream.
MAX_MEMBER_SHRINK = 0.05
# Members an error message names before "and N more".
NAMED_IN_ERRORS = 5


class UnusableRecord(ValueError):
    """A member that parses but cannot be loaded as a record (no key, no date, no tallies)."""


class MemberParseError(ValueError):
    """One archive member could not be turned into rows, or its rows cannot be used; the message
    names archive and member."""

    def __init__(self, archive: str, member: str, cause: BaseException) -> None:
        self.archive = archive
        self.member = member
        if isinstance(cause, UnusableRecord):
            super().__init__(f"{archive}: member {member} cannot be used: {cause}")
        else:
            super().__init__(f"{archive}: member {member} cannot be parsed: {type(cause).__name__}: {cause}")


class TooManyBadRecords(ValueError):
    """A threshold of the quarantine policy is exceeded: the file is bad, nothing of it is loaded."""


@dataclass(frozen=True)
class QuarantinedMember:
    """A member (or a poll file's row) left out of the load, with the reason."""

    member: str
    error: str


@dataclass(frozen=True)
class MemberRecords:
    """How the raw layer tells which rows one kind of member loaded: `member_table` holds one row
    per member (`source_member`) under the record's key `member_key`, and every table of
    `key_columns` holds that key in the named column."""

    member_table: str
    member_key: str
    key_columns: dict[str, str]


@dataclass(frozen=True)
class LoadedRecord:
    """The record a member's rows hold in the raw layer."""

    member_table: str
    key: str


def quarantine_table(
    source: str, partition_key: str, quarantined: Sequence[QuarantinedMember], kept: Collection[str] = ()
) -> pa.Table:
    """Rows for `raw.quarantine`: one per member left out of a load; `kept` names those whose
    previous rows stay loaded."""
    recorded_at = datetime.now(UTC).replace(tzinfo=None)
    return rows_to_table(
        QUARANTINE_TABLE,
        [(source, partition_key, item.member, item.error, recorded_at, item.member in kept) for item in quarantined],
    )


def named(members: Sequence[str]) -> str:
    """A few members, and how many more: what an error can say about thousands."""
    shown = ", ".join(members[:NAMED_IN_ERRORS])
    return shown + (f" and {len(members) - NAMED_IN_ERRORS:,} more" if len(members) > NAMED_IN_ERRORS else "")


def check_quarantined_share(
    what: str, quarantined: Sequence[QuarantinedMember], total: int, max_share: float, unit: str = "members"
) -> None:
    """Fail when more than `max_share` of the `total` members (or rows) of `what` are quarantined."""
    if not quarantined or len(quarantined) <= max_share * total:
        return
    raise TooManyBadRecords(
        f"{what}: {len(quarantined):,} of {total:,} {unit} ({len(quarantined) / total:.1%}) cannot be loaded,"
        f" more than the {max_share:.0%} a refresh may quarantine, so nothing of it is loaded: "
        + named([f"{item.member} ({item.error})" for item in quarantined])
    )


def check_member_shrink(what: str, in_archive: Collection[str], loaded: Collection[str], max_shrink: float) -> None:
    """Fail when the archive holds more than `max_shrink` fewer members than were loaded before."""
    if not loaded or len(in_archive) >= (1 - max_shrink) * len(loaded):
        return
    missing = sorted(set(loaded) - set(in_archive))
    raise TooManyBadRecords(
        f"{what}: {len(in_archive):,} members, {1 - len(in_archive) / len(loaded):.1%} fewer than the"
        f" {len(loaded):,} loaded before (at most {max_shrink:.0%} fewer is accepted: a truncated or wrong"
        f" upstream file?), so nothing of it is loaded; missing: {named(missing)}"
    )


def loaded_records(
    con: duckdb.DuckDBPyConnection, records: Iterable[MemberRecords], partition_column: str, partition_value: object
) -> dict[str, LoadedRecord]:
    """Member -> the record its rows hold, for one partition of the raw layer."""
    loaded: dict[str, LoadedRecord] = {}
    for record in records:
        rows = con.execute(
            f"SELECT source_member, {quote_identifier(record.member_key)}"
            f" FROM {RAW_SCHEMA}.{quote_identifier(record.member_table)}"
            f" WHERE {quote_identifier(partition_column)} = ?",
            [partition_value],
        ).fetchall()
        loaded |= {member: LoadedRecord(record.member_table, key) for member, key in rows}
    return loaded


def quarantined_without_rows(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """The members of a source that the last load quarantined and that hold no rows."""
    rows = con.execute(
        f"SELECT member FROM {RAW_SCHEMA}.{QUARANTINE_TABLE} WHERE source = ? AND NOT kept_previous_rows",
        [source],
    ).fetchall()
    return [member for (member,) in rows]


def quarantine_records(
    con: duckdb.DuckDBPyConnection, source_like: str, member_prefix: str = ""
) -> list[dict[str, object]]:
    """Every quarantined member of the sources matching `source_like` (a LIKE pattern), whose name
    starts with `member_prefix`: what a check and an alert list."""
    rows = con.execute(
        f"SELECT source, member, error, kept_previous_rows FROM {RAW_SCHEMA}.{QUARANTINE_TABLE}"
        " WHERE source LIKE ? AND starts_with(member, ?) ORDER BY source, member",
        [source_like, member_prefix],
    ).fetchall()
    return [
        {"source": source, "member": member, "error": error, "kept_previous_rows": kept}
        for source, member, error, kept in rows
    ]


@dataclass(frozen=True)
class SharedKeys:
    """The tables without the records several members share, and those members."""

    tables: dict[str, pa.Table]
    quarantined: list[QuarantinedMember]


def without_shared_keys(
    archive: str,
    tables: dict[str, pa.Table],
    records: Iterable[MemberRecords],
    others: Mapping[str, LoadedRecord],
    on_error: OnError,
) -> SharedKeys:
    """Leave out every record whose key two members carry: two parsed members, or a parsed member
    and one of `others` (members not parsed this time whose rows are loaded under that key).
    Which of the two is right cannot be told, so every member sharing it is quarantined (`fail`:
    the first one fails the archive)."""
    quarantined: list[QuarantinedMember] = []
    for record in records:
        members_table = tables[record.member_table]
        carriers: dict[str, list[str]] = {}
        for key, member in zip(
            members_table.column(record.member_key).to_pylist(), members_table.column("source_member").to_pylist()
        ):
            carriers.setdefault(key, []).append(member)
        for member, loaded in others.items():
            if loaded.member_table == record.member_table and loaded.key in carriers:
                carriers[loaded.key].append(member)
        shared = {key: members for key, members in carriers.items() if len(members) > 1}
        if not shared:
            continue
        for key, members in sorted(shared.items()):
            for member in sorted(members):
                others_named = ", ".join(sorted(m for m in members if m != member))
                error = MemberParseError(
                    archive, member, UnusableRecord(f"its {record.member_key} {key} is also that of {others_named}")
                )
                if on_error == "fail":
                    raise error
                quarantined.append(QuarantinedMember(member, str(error)))
        keys = pa.array(sorted(shared), pa.string())
        tables = tables | {
            table: tables[table].filter(pc.invert(pc.is_in(tables[table].column(column), value_set=keys)))
            for table, column in record.key_columns.items()
        }
    return SharedKeys(tables, quarantined)


@dataclass(frozen=True)
class KeptRows:
    """Per member table, the keys whose previous rows a load keeps; and the members they are kept for."""

    keys: dict[str, frozenset[str]]
    members: frozenset[str]

    def keys_of(self, record: MemberRecords) -> pa.Array:
        return pa.array(sorted(self.keys.get(record.member_table, ())), pa.string())


def kept_rows(
    records: Iterable[MemberRecords],
    loaded: Mapping[str, LoadedRecord],
    quarantined: Iterable[QuarantinedMember],
    tables: Mapping[str, pa.Table],
) -> KeptRows:
    """The previous rows of every quarantined member that had rows, unless a member loaded now
    carries the same record (it moved to another file: the new rows replace the old ones)."""
    incoming = {
        record.member_table: frozenset(tables[record.member_table].column(record.member_key).to_pylist())
        for record in records
    }
    members = frozenset(
        item.member
        for item in quarantined
        if item.member in loaded and loaded[item.member].key not in incoming.get(loaded[item.member].member_table, ())
    )
    keys: dict[str, set[str]] = {}
    for member in members:
        keys.setdefault(loaded[member].member_table, set()).add(loaded[member].key)
    return KeptRows({table: frozenset(found) for table, found in keys.items()}, members)
