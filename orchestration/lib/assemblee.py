"""What the Assemblée nationale parsers share: reading members, typing values, building Arrow.

The AN dumps are zips of JSON files converted from XML: every number is a string, a nil value is
`{"@xsi:nil": "true"}`, and a list of one element is written as the element itself. The helpers
here turn those shapes into typed Python values; the two parsers (`assemblee_votes`,
`assemblee_people`) turn each archive member into rows, and `parse_archive` turns the rows of all
members into Arrow tables typed exactly like the raw-layer DDL in `raw_schema`.

A member that cannot be parsed or used is never skipped silently: in `fail` mode the whole archive
fails with an error naming the archive and the member; in `quarantine` mode the member is left out
and reported (with its error) for the `raw.quarantine` table (see `quarantine.py` for the policy).
"""

from __future__ import annotations

import gc
import re
from collections import namedtuple
from collections.abc import Callable, Collection, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from orchestration.lib.archive import iter_members, member_crc32s
from orchestration.lib.quarantine import MemberParseError, OnError, QuarantinedMember, UnusableRecord
from orchestration.lib.warehouse import arrow_schema, rows_to_table

Row = tuple[Any, ...]
# The rows one archive member contributes, per raw table.
MemberRows = dict[str, list[Row]]

# Members whose rows are turned into Arrow at once (see _parse_members).
CHUNK_MEMBERS = 256


@dataclass(frozen=True)
class ParsedArchive:
    """Arrow tables (keyed by raw table name) of one archive, and the members left out."""

    archive: str
    member_count: int
    tables: dict[str, pa.Table]
    quarantined: list[QuarantinedMember]


@dataclass(frozen=True)
class JsonMember:
    """One JSON file of an archive. It is decoded on first use, inside the member's own parse,
    so a malformed file is reported (or quarantined) like any other member that cannot be parsed."""

    name: str
    crc32: int
    content: bytes

    @cached_property
    def document(self) -> dict[str, Any]:
        return orjson.loads(self.content)


# Schemas -------------------------------------------------------------------------------------


def row_type(table: str) -> type[tuple[Any, ...]]:
    """A named tuple of the raw table's columns: rows built with keywords cannot misplace a value."""
    return namedtuple(f"{table}_row", arrow_schema(table).names)  # type: ignore[misc]


# Values --------------------------------------------------------------------------------------


def is_nil(value: Any) -> bool:
    """`None`, or the XML nil marker `{"@xsi:nil": "true"}` the converter writes for empty elements."""
    return value is None or (isinstance(value, dict) and value.get("@xsi:nil") == "true")


def text(value: Any) -> str | None:
    """A string field: plain, nil (None), or an element with attributes (`{"#text": ...}`)."""
    if type(value) is str:  # the usual case first: this runs for every field of every file
        return value
    if is_nil(value):
        return None
    if isinstance(value, dict) and isinstance(value.get("#text"), str):
        return value["#text"]
    raise TypeError(f"expected a string, got {value!r}")


def integer(value: Any) -> int | None:
    """A number written as a string (`"146"`); nil is None."""
    as_text = value if type(value) is str else text(value)
    return None if as_text is None else int(as_text)


def iso_date(value: Any) -> date | None:
    """A `YYYY-MM-DD` date string; nil is None."""
    as_text = text(value)
    return None if as_text is None else date.fromisoformat(as_text)


_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def boolean(value: Any) -> bool | None:
    """`"true"`/`"false"` (or `"1"`/`"0"`) to bool; nil or absent is None."""
    as_text = text(value)
    if as_text is None:
        return None
    try:
        return _BOOLEANS[as_text]
    except KeyError:
        raise ValueError(f"expected a boolean, got {as_text!r}") from None


def as_list(value: Any) -> list[Any]:
    """A repeated element: absent or nil is [], a lone element is [element], a list stays a list."""
    if is_nil(value):
        return []
    return value if isinstance(value, list) else [value]


def required(value: Any, name: str) -> Any:
    """A value the raw layer declares NOT NULL: fail naming the field rather than load a NULL."""
    if value is None:
        raise UnusableRecord(f"required field {name} is missing or nil")
    return value


# Archives ------------------------------------------------------------------------------------


def iter_json_members(
    archive: Path, pattern: re.Pattern[str], names: Container[str] | None = None
) -> Iterator[JsonMember]:
    """The JSON members whose name matches `pattern` (the files this parser reads), restricted to
    `names` when given (an incremental load's new and changed files).

    The archive is verified whole and every member CRC-checked by `archive.iter_members`: a cut
    download fails before any row is produced.
    """
    for member in iter_members(archive, prefix="json/", suffix=".json", names=names):
        if pattern.fullmatch(member.name):
            yield JsonMember(member.name, member.crc32, member.content)


def member_names(archive: Path, prefixes: Collection[str]) -> frozenset[str]:
    """JSON files under any of `prefixes`, from the central directory (nothing inflated, the
    archive checked whole and safe first): the members a load of the archive must account for."""
    return frozenset(name for name in member_crc32s(archive) if any(name.startswith(prefix) for prefix in prefixes))


def count_members(archive: Path, prefix: str) -> int:
    return len(member_names(archive, (prefix,)))


def parse_archive(
    archive: Path,
    members: Iterable[JsonMember],
    parse_member: Callable[[JsonMember], MemberRows],
    tables: tuple[str, ...],
    on_error: OnError = "fail",
) -> ParsedArchive:
    """Rows of every member, then one Arrow table per raw table.

    A member whose parse raises, or whose values Arrow rejects, fails the archive with its name
    (`fail`), or is left out and listed (`quarantine`).
    """
    with _garbage_collector_paused():
        return _parse_members(archive, members, parse_member, tables, on_error)


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """Parsing allocates millions of short-lived, acyclic dicts and tuples; with the cyclic
    collector on, each generation-2 pass rescans every row kept so far (a fifth of the parse
    time on the 16th). Reference counting frees everything that matters meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_members(
    archive: Path,
    members: Iterable[JsonMember],
    parse_member: Callable[[JsonMember], MemberRows],
    tables: tuple[str, ...],
    on_error: OnError,
) -> ParsedArchive:
    """Rows are turned into Arrow every CHUNK_MEMBERS members: Python tuples cost about five times
    the memory of Arrow columns, so only one chunk of them is alive at a time."""
    quarantined: list[QuarantinedMember] = []
    member_count = 0

    def reject(member: str, exc: BaseException) -> None:
        error = MemberParseError(archive.name, member, exc)
        if on_error == "fail":
            raise error from exc
        quarantined.append(QuarantinedMember(member, str(error)))

    chunks: list[dict[str, pa.Table]] = []
    pending: list[tuple[str, MemberRows]] = []
    for member in members:
        member_count += 1
        try:
            pending.append((member.name, parse_member(member)))
        except Exception as exc:  # any failure of one member is reported with its name
            reject(member.name, exc)
        if len(pending) == CHUNK_MEMBERS:
            chunks.append(_build_chunk(pending, tables, reject))
            pending = []
    chunks.append(_build_chunk(pending, tables, reject))
    built = {table: pa.concat_tables([chunk[table] for chunk in chunks]) for table in tables}
    return ParsedArchive(archive.name, member_count, built, quarantined)


def _build_chunk(
    parsed: list[tuple[str, MemberRows]], tables: tuple[str, ...], reject: Callable[[str, BaseException], None]
) -> dict[str, pa.Table]:
    """Arrow tables of some members' rows. When Arrow rejects a value, the chunk is built again
    member by member to name (or quarantine) the culprit; the usual path pays nothing for it."""
    try:
        return _build_tables(parsed, tables)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        accepted = []
        for name, rows in parsed:
            try:
                _build_tables([(name, rows)], tables)
                accepted.append((name, rows))
            except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
                reject(name, exc)
        return _build_tables(accepted, tables)


def _build_tables(parsed: list[tuple[str, MemberRows]], tables: tuple[str, ...]) -> dict[str, pa.Table]:
    return {
        table: rows_to_table(table, chain.from_iterable(rows.get(table, ()) for _, rows in parsed)) for table in tables
    }
