"""The one way any source is refreshed: fetch, compare, parse, replace rows, record the version.

A source (an Assemblée dump kind, a poll feed) is declared once, as an object following `Source`
(lib/an_dumps.py, lib/poll_feeds.py; every one is listed in lib/sources.py). It splits into units,
each loaded in ONE transaction: one legislature's dump, or the files of one poll feed. For each
unit `refresh_source`:
1. fetches its files with the shared client (lib/http: conditional request, retries, size cap);
2. when every file's sha256 equals the one raw.source_versions holds (and no reload is forced),
   stops there: the raw rows are kept, nothing is parsed;
3. otherwise lets the source parse the files into row loads, with the records it could not use
   quarantined (lib/quarantine.py) or, past a threshold or in strict mode, an error;
4. writes the loads, the unit's raw.quarantine rows and the files' versions in one transaction:
   a failure anywhere leaves the previous rows whole, and a re-run gives the same rows.

A source whose files may be absent upstream (`optional`: the dossiers of a legislature the
server has none for) records a 404 as a missing unit and goes on; a file with no URL configured
(a hand-maintained poll feed) is "not configured". Everything else that goes wrong is an error
that names the unit and its URLs. The Dagster assets are built from these declarations by one
factory (orchestration/defs/sources.py), and the change sensor probes the same files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import duckdb

from orchestration.lib.archive import ArchiveError
from orchestration.lib.config import Settings
from orchestration.lib.http import DownloadError, FetchResult, SourceNotFound, fetch
from orchestration.lib.polls import PollFileError
from orchestration.lib.quarantine import (
    MAX_MEMBER_SHRINK,
    MAX_QUARANTINED_SHARE,
    QUARANTINE_TABLE,
    MemberParseError,
    OnError,
    QuarantinedMember,
    TooManyBadRecords,
    quarantine_records,
    quarantine_table,
)
from orchestration.lib.raw_schema import RAW_SCHEMA
from orchestration.lib.warehouse import (
    PartitionLoad,
    RowsLoad,
    ensure_raw_schema,
    loaded_sha256,
    quote_identifier,
    record_source_version,
    replace_rows,
)

Log = Callable[[str], None]
UnitStatus = Literal["loaded", "unchanged", "missing", "not configured"]
# A bad archive, member or file, or a source beyond the quarantine thresholds, is just as bad on a
# retry, and the download client has already retried with backoff: those fail at once. Anything
# else (a DuckDB file briefly locked, an I/O error) is for the asset's retry policy.
NOT_RETRIED: tuple[type[Exception], ...] = (
    MemberParseError,
    ArchiveError,
    DownloadError,
    PollFileError,
    TooManyBadRecords,
)


@dataclass(frozen=True)
class RefreshOptions:
    """How a refresh treats bad records and unchanged sources (the assets' run configuration)."""

    # "quarantine" (the nightly default): a record that cannot be parsed or used is listed in
    # raw.quarantine and the rest loads. "fail" (strict): the first such record fails the load.
    on_bad_member: str = "quarantine"
    # Above this share of a unit's members (a poll file's rows) quarantined, nothing of it loads.
    max_quarantined_share: float = MAX_QUARANTINED_SHARE
    # A dump with more than this share fewer members than the one loaded before does not load.
    max_member_shrink: float = MAX_MEMBER_SHRINK
    # Parse and reload every unit, even unchanged ones, replacing whole partitions (after a parser
    # or raw-schema change, or to rule out anything an incremental load could miss).
    force_reload: bool = False

    def error_mode(self) -> OnError:
        if self.on_bad_member not in ("fail", "quarantine"):
            raise ValueError(f"on_bad_member must be 'fail' or 'quarantine', not {self.on_bad_member!r}")
        return self.on_bad_member  # type: ignore[return-value]


@dataclass(frozen=True)
class SourceFile:
    """One file a unit fetches."""

    version_key: str  # its row in raw.source_versions
    url: str | None  # None: no URL configured
    cache_dir: Path  # its downloaded copy and HTTP validators (the change sensor probes them too)
    max_bytes: int


@dataclass(frozen=True)
class RefreshUnit:
    """What loads in one transaction: one partition of every table of the source."""

    label: str  # how logs and errors name it
    partition_column: str
    partition_value: int | str
    quarantine_source: str  # its rows' `source` in raw.quarantine
    files: tuple[SourceFile, ...]

    def urls(self) -> str:
        return ", ".join(str(spec.url) for spec in self.files)


@dataclass(frozen=True)
class ParsedUnit:
    """What a source made of a unit's changed files."""

    loads: list[RowsLoad]
    quarantined: list[QuarantinedMember]
    kept_members: frozenset[str] = frozenset()  # quarantined members whose previous rows stay
    details: dict[str, object] = field(default_factory=dict)  # the source's own figures, for metadata


@dataclass(frozen=True)
class UnitOutcome:
    """What a refresh did with one unit."""

    unit: RefreshUnit
    status: UnitStatus
    fetched: tuple[FetchResult, ...] = ()
    rows_by_table: dict[str, int] = field(default_factory=dict)  # the unit's partition after the refresh
    quarantined: int = 0
    kept_previous_rows: int = 0
    seconds: float = 0.0
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckSpec:
    """A check the source's asset evaluates in the step that loads it."""

    name: str
    table: str
    description: str
    blocking: bool = False


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    table: str
    passed: bool
    metadata: dict[str, object]
    warn: bool = False  # a WARN: visible, never stops what is downstream


@dataclass(frozen=True)
class QuarantineListing:
    """Where a source's quarantine check looks: raw.quarantine rows of `source_like` (LIKE) whose
    member starts with `member_prefix`, reported on `table`."""

    table: str
    source_like: str
    description: str
    member_prefix: str = ""


class Source(Protocol):
    """A source declared once: what the asset, its checks and the change sensor are built from."""

    name: str  # the asset's name
    group: str  # the asset group
    description: str
    tables: tuple[str, ...]
    optional: bool  # a 404 is a missing unit (a warning), not a failure

    def units(self, settings: Settings) -> list[RefreshUnit]: ...

    def parse(
        self,
        con: duckdb.DuckDBPyConnection,
        unit: RefreshUnit,
        fetched: Sequence[FetchResult],
        options: RefreshOptions,
        log: Log,
    ) -> ParsedUnit: ...

    def table_description(self, table: str) -> str: ...

    def checks(self) -> list[CheckSpec]: ...

    def quarantine_listings(self) -> list[QuarantineListing]: ...

    def check_outcomes(self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]) -> list[CheckOutcome]: ...

    def table_metadata(
        self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]
    ) -> dict[str, dict[str, object]]: ...


class RefreshFailed(RuntimeError):
    """A unit could not be loaded and retrying will not help; its previous rows are kept."""


def refresh_source(
    con: duckdb.DuckDBPyConnection, source: Source, settings: Settings, options: RefreshOptions, log: Log, warn: Log
) -> list[UnitOutcome]:
    """Bring every unit of the source up to date; the first one that fails stops the refresh."""
    ensure_raw_schema(con)  # the tables exist even when every unit is missing
    return [_refresh_or_fail(con, source, unit, options, log, warn) for unit in source.units(settings)]


def _refresh_or_fail(
    con: duckdb.DuckDBPyConnection, source: Source, unit: RefreshUnit, options: RefreshOptions, log: Log, warn: Log
) -> UnitOutcome:
    try:
        return refresh_unit(con, source, unit, options, log, warn)
    except SourceNotFound as exc:
        if not source.optional:
            raise RefreshFailed(f"{unit.label} ({unit.urls()}) not loaded, previous rows kept: {exc}") from exc
        warn(f"{unit.label}: not found upstream ({exc}), rows already loaded kept")
        return UnitOutcome(unit, "missing", rows_by_table=partition_rows(con, source, unit))
    except NOT_RETRIED as exc:
        raise RefreshFailed(f"{unit.label} ({unit.urls()}) not loaded, previous rows kept: {exc}") from exc


def refresh_unit(
    con: duckdb.DuckDBPyConnection, source: Source, unit: RefreshUnit, options: RefreshOptions, log: Log, warn: Log
) -> UnitOutcome:
    """One unit fetched and, when it changed, parsed and written in one transaction."""
    if any(spec.url is None for spec in unit.files):
        warn(f"{unit.label}: no URL configured (NUPES_CURATED_URL__<file> or NUPES_SOURCES); skipped")
        return UnitOutcome(unit, "not configured", rows_by_table=partition_rows(con, source, unit))
    fetched = tuple(fetch(str(spec.url), spec.cache_dir, max_bytes=spec.max_bytes, log=log) for spec in unit.files)
    if not options.force_reload and all(
        loaded_sha256(con, spec.version_key) == result.sha256 for spec, result in zip(unit.files, fetched)
    ):
        log(f"{unit.label}: unchanged (sha256 {fetched[0].sha256[:12]}), raw rows kept")
        return UnitOutcome(unit, "unchanged", fetched, partition_rows(con, source, unit))
    started = time.perf_counter()
    parsed = source.parse(con, unit, fetched, options, log)
    for item in parsed.quarantined:
        keeps = " (keeps its previous rows)" if item.member in parsed.kept_members else ""
        warn(f"{unit.label}: {item.member} quarantined{keeps}: {item.error}")
    _write(con, unit, fetched, parsed)
    seconds = time.perf_counter() - started
    rows = partition_rows(con, source, unit)
    log(f"{unit.label}: loaded in {seconds:.2f} s: " + ", ".join(f"{n:,} rows in raw.{t}" for t, n in rows.items()))
    return UnitOutcome(
        unit,
        "loaded",
        fetched,
        rows,
        quarantined=len(parsed.quarantined),
        kept_previous_rows=len(parsed.kept_members),
        seconds=seconds,
        details=parsed.details,
    )


def _write(
    con: duckdb.DuckDBPyConnection, unit: RefreshUnit, fetched: Sequence[FetchResult], parsed: ParsedUnit
) -> None:
    """The rows, the unit's quarantine rows and then the files' versions: a version is recorded
    only once the rows it describes committed."""
    quarantined = quarantine_table(
        unit.quarantine_source, str(unit.partition_value), parsed.quarantined, parsed.kept_members
    )
    replace_rows(con, [*parsed.loads, PartitionLoad(QUARANTINE_TABLE, "source", unit.quarantine_source, quarantined)])
    for spec, result in zip(unit.files, fetched):
        record_source_version(
            con,
            spec.version_key,
            url=result.url,
            sha256=result.sha256,
            size_bytes=result.size_bytes,
            etag=result.etag,
            last_modified=result.last_modified,
        )


def partition_rows(con: duckdb.DuckDBPyConnection, source: Source, unit: RefreshUnit) -> dict[str, int]:
    """Rows of the unit's partition in each of the source's tables."""
    column = quote_identifier(unit.partition_column)
    return {
        table: con.execute(
            f"SELECT count(*) FROM {RAW_SCHEMA}.{quote_identifier(table)} WHERE {column} = ?", [unit.partition_value]
        ).fetchone()[0]
        for table in source.tables
    }


def quarantine_outcomes(con: duckdb.DuckDBPyConnection, source: Source) -> list[CheckOutcome]:
    """The source's quarantine checks: a WARN listing every record left out, with its error."""
    return [
        quarantine_check_outcome(listing.table, quarantine_records(con, listing.source_like, listing.member_prefix))
        for listing in source.quarantine_listings()
    ]


QUARANTINE_CHECK = "no_quarantined_members"
QUARANTINED_METADATA = "quarantined"


def quarantine_check_outcome(table: str, quarantined: list[dict[str, object]]) -> CheckOutcome:
    """Passed when nothing is quarantined; otherwise a WARN naming every member (which the
    success alert posts)."""
    return CheckOutcome(
        QUARANTINE_CHECK,
        table,
        passed=not quarantined,
        warn=True,
        metadata={
            "quarantined_members": len(quarantined),
            "kept_previous_rows": sum(bool(item["kept_previous_rows"]) for item in quarantined),
            QUARANTINED_METADATA: quarantined,
        },
    )
