"""Refreshing one kind of Assemblée dump, legislature by legislature: fetch, compare, parse, load.

For each configured legislature the dump is fetched with the shared client (conditional request,
retries, size cap, verified whole). When its sha256 equals the one `raw.source_versions` holds
for it, nothing is parsed or rewritten. Otherwise the dump is loaded in one of two ways:
- incremental (a dump with `IncrementalLoad`, already loaded once, `force_reload` off): each
  member's CRC-32 in the zip's central directory is compared with the one the raw layer keeps;
  only new and changed members are parsed, and the rows of changed and vanished records are
  replaced or deleted, table by table, by key;
- full: the whole archive is parsed and every table's partition of that legislature replaced.
Either way a member that cannot be parsed or used is quarantined (`on_bad_member`, see
lib/quarantine.py): listed in raw.quarantine with its reason, its previous rows kept, the rest
loaded; strict mode (`fail`) stops naming it instead. A dump with too many such members, or with
far fewer members than the one loaded before, fails before anything is written. Every table's
rows and the dump's quarantine rows are written in ONE transaction: a failure anywhere leaves the
previous rows whole, and a re-run gives the same rows.
"""

# No `from __future__ import annotations`: Dagster reads the asset function's annotations (config, resources).
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from orchestration.defs.quarantine import QuarantineConfig
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.lib.archive import ArchiveError, member_crc32s
from orchestration.lib.assemblee import MemberParseError, OnError, ParsedArchive, count_members, member_names
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.http import DownloadError, FetchResult, fetch
from orchestration.lib.member_versions import MemberChanges, diff_members
from orchestration.lib.quarantine import (
    MAX_MEMBER_SHRINK,
    QUARANTINE_TABLE,
    KeptRows,
    LoadedRecord,
    MemberRecords,
    QuarantinedMember,
    TooManyBadRecords,
    check_member_shrink,
    check_quarantined_share,
    kept_rows,
    loaded_records,
    quarantine_table,
    quarantined_without_rows,
    without_shared_keys,
)
from orchestration.lib.raw_schema import RAW_SCHEMA
from orchestration.lib.warehouse import (
    KeyedLoad,
    PartitionLoad,
    RowsLoad,
    loaded_sha256,
    quote_identifier,
    record_source_version,
    replace_rows,
)

GROUP_NAME = "assemblee"
RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
MEMBERS_CHECK = "rows_match_archive_members"
NOT_RETRIED = (MemberParseError, ArchiveError, DownloadError, TooManyBadRecords)

Log = Callable[[str], None]


class LoadConfig(QuarantineConfig):
    """Run configuration shared by the AN dump assets (strict mode and thresholds: QuarantineConfig)."""

    # Above this share of members missing against the dump loaded before, the dump is truncated
    # or wrong, and nothing of it loads.
    max_member_shrink: float = MAX_MEMBER_SHRINK
    # True: parse and reload the WHOLE dump, replacing every partition, even when it is unchanged
    # (after a parser or raw-schema change, or to rule out anything an incremental load could miss).
    # False: an unchanged dump is skipped, a changed one loads only its new and changed members.
    force_reload: bool = False


@dataclass(frozen=True)
class IncrementalLoad:
    """How a dump whose members are one record each (its single `MemberRecords`, whose member
    table also keeps `member_crc32`) loads only what changed."""

    member_pattern: re.Pattern[str]
    parse_members: Callable[[Path, OnError, Collection[str]], ParsedArchive]


@dataclass(frozen=True)
class AnDump:
    """One kind of AN dump: where each legislature's copy lives, how it parses, what it fills."""

    name: str  # in source keys: an/<legislature>/<name>
    tables: tuple[str, ...]
    partition_column: str
    relative_url: Callable[[int], str]  # under settings.an_base_url
    parse: Callable[[Path, int, OnError], ParsedArchive]
    # Members the archive must have, per table whose row count must match (the "no file skipped" check).
    member_prefixes: dict[str, str]
    # Which rows each kind of member loaded: what a quarantined member keeps, and which share a key.
    records: tuple[MemberRecords, ...]
    max_bytes: int = 512 << 20
    incremental: IncrementalLoad | None = None  # None: every change reloads the whole partition

    def source_key(self, legislature: int) -> str:
        return f"an/{legislature}/{self.name}"

    def label(self, legislature: int) -> str:
        """How logs and errors name one legislature's dump."""
        return f"{self.name} of the {legislature}th legislature"

    def url(self, settings: Settings, legislature: int) -> str:
        return settings.an_base_url + self.relative_url(legislature)

    def cache_dir(self, settings: Settings, legislature: int) -> Path:
        """Where the downloaded copy and its validators live (the change sensor probes them too)."""
        return settings.download_dir / "an" / str(legislature)

    def records_of(self, table: str) -> MemberRecords | None:
        return next((record for record in self.records if table in record.key_columns), None)


@dataclass(frozen=True)
class DumpOutcome:
    """What a run did with one legislature's dump."""

    legislature: int
    fetched: FetchResult
    unchanged: bool
    quarantined: int = 0
    kept_previous_rows: int = 0
    seconds: float = 0.0
    members: MemberChanges | None = None  # set by an incremental load


@dataclass(frozen=True)
class ParsedDump:
    """What a changed dump parsed: its tables without the members left out, and those members."""

    tables: dict[str, pa.Table]
    quarantined: list[QuarantinedMember]
    parsed_members: int
    members: MemberChanges | None = None  # for an incremental load


def refresh_dump(
    con: duckdb.DuckDBPyConnection,
    dump: AnDump,
    settings: Settings,
    legislature: int,
    config: LoadConfig,
    log: Log,
    warn: Log,
) -> DumpOutcome:
    """Bring one legislature's partition of the dump's tables up to date with the source."""
    fetched = fetch(
        dump.url(settings, legislature),
        dump.cache_dir(settings, legislature),
        max_bytes=dump.max_bytes,
        log=log,
    )
    label = dump.label(legislature)
    source = dump.source_key(legislature)
    loaded = loaded_sha256(con, source)
    if not config.force_reload and loaded == fetched.sha256:
        log(f"{label}: unchanged (sha256 {fetched.sha256[:12]}), raw rows kept")
        return DumpOutcome(legislature, fetched, unchanged=True)
    started = time.perf_counter()
    previous = loaded_records(con, dump.records, dump.partition_column, legislature)
    parsed = _parse_within_thresholds(con, dump, legislature, fetched, loaded is None, previous, config, log)
    kept = kept_rows(dump.records, previous, parsed.quarantined, parsed.tables)
    log(
        f"{label}: parsed {parsed.parsed_members:,} members of {fetched.path.name} in {time.perf_counter() - started:.2f} s"
        + (f", {len(parsed.quarantined)} QUARANTINED" if parsed.quarantined else "")
    )
    for item in parsed.quarantined:
        keeps = "keeps its previous rows" if item.member in kept.members else "had no rows to keep"
        warn(f"{label}: {item.member} quarantined ({keeps}): {item.error}")
    loads = (
        _incremental_loads(dump, parsed, previous, kept)
        if parsed.members
        else _full_loads(dump, legislature, parsed, kept)
    )
    quarantined = quarantine_table(source, str(legislature), parsed.quarantined, kept.members)
    written = replace_rows(con, loads + [PartitionLoad(QUARANTINE_TABLE, "source", source, quarantined)])
    record_source_version(
        con,
        source,
        url=fetched.url,
        sha256=fetched.sha256,
        size_bytes=fetched.size_bytes,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
    )
    seconds = time.perf_counter() - started
    log(
        f"{label}: loaded in {seconds:.2f} s: "
        + ", ".join(f"{rows:,} rows into raw.{t}" for t, rows in written.items())
    )
    return DumpOutcome(
        legislature,
        fetched,
        unchanged=False,
        quarantined=len(parsed.quarantined),
        kept_previous_rows=len(kept.members),
        seconds=seconds,
        members=parsed.members,
    )


def _parse_within_thresholds(
    con: duckdb.DuckDBPyConnection,
    dump: AnDump,
    legislature: int,
    fetched: FetchResult,
    first_load: bool,
    previous: dict[str, LoadedRecord],
    config: LoadConfig,
    log: Log,
) -> ParsedDump:
    """The changed dump parsed, fully or incrementally; a dump far smaller than the one loaded
    before, or with too many members quarantined, fails before anything is written."""
    source = dump.source_key(legislature)
    in_archive = member_names(fetched.path, dump.member_prefixes.values())
    loaded_members = set(previous) | set(quarantined_without_rows(con, source))
    check_member_shrink(fetched.path.name, in_archive, loaded_members, config.max_member_shrink)
    if first_load or config.force_reload or dump.incremental is None:
        parsed = _parse_full(dump, legislature, fetched.path, config)
    else:
        parsed = _parse_incremental(con, dump, dump.incremental, legislature, fetched.path, previous, config)
        log(
            f"{dump.label(legislature)}: changed (sha256 {fetched.sha256[:12]}), incremental load: {parsed.members.summary()}"
        )
    check_quarantined_share(fetched.path.name, parsed.quarantined, len(in_archive), config.max_quarantined_share)
    return parsed


def _parse_full(dump: AnDump, legislature: int, archive: Path, config: LoadConfig) -> ParsedDump:
    """Every member parsed; members sharing a record with another are left out too."""
    parsed = dump.parse(archive, legislature, config.error_mode())
    shared = without_shared_keys(parsed.archive, parsed.tables, dump.records, {}, config.error_mode())
    return ParsedDump(shared.tables, parsed.quarantined + shared.quarantined, parsed.member_count)


def _parse_incremental(
    con: duckdb.DuckDBPyConnection,
    dump: AnDump,
    incremental: IncrementalLoad,
    legislature: int,
    archive: Path,
    previous: dict[str, LoadedRecord],
    config: LoadConfig,
) -> ParsedDump:
    """Only new and changed members parsed. A member that was quarantined before is parsed again:
    it has no loaded row (new) or its kept row has the old CRC (changed), so the quarantine list
    stays complete. A parsed member carrying the record of a member left unparsed shares it."""
    (record,) = dump.records
    loaded_crcs = dict(
        con.execute(
            f"SELECT source_member, member_crc32 FROM {RAW_SCHEMA}.{quote_identifier(record.member_table)}"
            f" WHERE {quote_identifier(dump.partition_column)} = ?",
            [legislature],
        ).fetchall()
    )
    in_archive = {
        name: crc
        for name, crc in member_crc32s(archive, prefix="json/").items()
        if incremental.member_pattern.fullmatch(name)
    }
    members = diff_members(in_archive, loaded_crcs)
    parsed = incremental.parse_members(archive, config.error_mode(), members.to_parse)
    unparsed = {
        member: loaded for member, loaded in previous.items() if member in in_archive and member not in members.to_parse
    }
    shared = without_shared_keys(parsed.archive, parsed.tables, dump.records, unparsed, config.error_mode())
    return ParsedDump(shared.tables, parsed.quarantined + shared.quarantined, parsed.member_count, members)


def _full_loads(dump: AnDump, legislature: int, parsed: ParsedDump, kept: KeptRows) -> list[RowsLoad]:
    """Every table's partition replaced, but for the kept rows of quarantined members."""
    loads: list[RowsLoad] = []
    for table in dump.tables:
        record = dump.records_of(table)
        keep = {} if record is None else {"kept_column": record.key_columns[table], "kept_keys": kept.keys_of(record)}
        loads.append(PartitionLoad(table, dump.partition_column, legislature, parsed.tables[table], **keep))
    return loads


def _incremental_loads(
    dump: AnDump, parsed: ParsedDump, previous: dict[str, LoadedRecord], kept: KeptRows
) -> list[RowsLoad]:
    """Per table, the rows of changed and vanished records, and of any record the new rows carry
    (one moved to another member name), deleted by key and the new rows inserted; the records of
    quarantined members keep their rows."""
    (record,) = dump.records
    stale = {previous[member].key for member in parsed.members.to_delete if member in previous}
    incoming = set(parsed.tables[record.member_table].column(record.member_key).to_pylist())
    keys = pa.array(sorted((stale | incoming) - kept.keys.get(record.member_table, frozenset())), type=pa.string())
    return [KeyedLoad(table, record.key_columns[table], keys, parsed.tables[table]) for table in dump.tables]


def rows_by_partition(con: duckdb.DuckDBPyConnection, table: str, partition_column: str) -> dict[int, int]:
    column = quote_identifier(partition_column)
    counts = con.execute(
        f"SELECT {column}, count(*) FROM {RAW_SCHEMA}.{quote_identifier(table)} GROUP BY ALL ORDER BY 1"
    ).fetchall()
    return {int(partition): rows for partition, rows in counts}


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def materializations(
    con: duckdb.DuckDBPyConnection, dump: AnDump, outcomes: list[DumpOutcome]
) -> list[dg.MaterializeResult]:
    """Per table: rows per legislature, and the version and status of each legislature's source."""
    sources = {
        str(outcome.legislature): {
            "status": "unchanged" if outcome.unchanged else "loaded",
            "sha256": outcome.fetched.sha256,
            "etag": outcome.fetched.etag,
            "last_modified": outcome.fetched.last_modified,
            "size_bytes": outcome.fetched.size_bytes,
            "load_seconds": round(outcome.seconds, 2),
            "quarantined_members": outcome.quarantined,
            "quarantined_keeping_previous_rows": outcome.kept_previous_rows,
            "load_mode": "unchanged" if outcome.unchanged else ("full" if outcome.members is None else "incremental"),
            "members": outcome.members.counts() if outcome.members else None,
        }
        for outcome in outcomes
    }
    results = []
    for table in dump.tables:
        counts = rows_by_partition(con, table, dump.partition_column)
        metadata = {
            "rows": sum(counts.values()),
            f"rows_by_{dump.partition_column}": {str(leg): rows for leg, rows in counts.items()},
            "unchanged": all(outcome.unchanged for outcome in outcomes),
            "sources": sources,
        }
        results.append(dg.MaterializeResult(asset_key=raw_key(table), metadata=metadata))
    return results


def members_check(con: duckdb.DuckDBPyConnection, dump: AnDump, outcomes: list[DumpOutcome]) -> dg.AssetCheckResult:
    """Rows loaded equal the members of the archive, per table and legislature, less the members
    quarantined with no previous rows to keep: no file skipped without saying so."""
    mismatches: dict[str, str] = {}
    for table, prefix in dump.member_prefixes.items():
        loaded = rows_by_partition(con, table, dump.partition_column)
        for outcome in outcomes:
            in_archive = count_members(outcome.fetched.path, prefix)
            without_rows = sum(
                member.startswith(prefix)
                for member in quarantined_without_rows(con, dump.source_key(outcome.legislature))
            )
            if loaded.get(outcome.legislature, 0) != in_archive - without_rows:
                mismatches[f"{table}/{outcome.legislature}"] = (
                    f"{loaded.get(outcome.legislature, 0):,} rows for {in_archive:,} members {prefix}*"
                    f", {without_rows:,} of them quarantined without rows"
                )
    return dg.AssetCheckResult(
        asset_key=raw_key(dump.tables[0]),
        check_name=MEMBERS_CHECK,
        passed=not mismatches,
        metadata={"mismatches": mismatches or "none"},
    )


def build_dump_asset(dump: AnDump, asset_name: str, description: str) -> dg.AssetsDefinition:
    """One multi-asset per dump kind: a `raw/<table>` key per table it fills, refreshed for every
    configured legislature, with the in-step check that every archive member became a row."""

    @dg.multi_asset(
        name=asset_name,
        description=description,
        specs=[
            dg.AssetSpec(
                raw_key(table),
                group_name=GROUP_NAME,
                kinds={"duckdb"},
                description=f"raw.{table}, from each legislature's {dump.name} dump",
            )
            for table in dump.tables
        ],
        check_specs=[
            dg.AssetCheckSpec(
                MEMBERS_CHECK,
                asset=raw_key(dump.tables[0]),
                blocking=True,
                description="Rows per legislature equal the archive's members ("
                + ", ".join(f"{table}: {prefix}*" for table, prefix in dump.member_prefixes.items())
                + ") less those quarantined without previous rows: no file skipped unsaid",
            )
        ],
        pool=WAREHOUSE_WRITER_POOL,
        retry_policy=RETRY_POLICY,
    )
    def _dump_asset(context: dg.AssetExecutionContext, config: LoadConfig, duckdb: DuckDBResource):
        settings = load_settings()  # at run time: NUPES_SOURCES and NUPES_LEGISLATURES may change between runs
        context.log.info(
            f"{dump.name}: legislatures {', '.join(map(str, settings.legislatures))} from {settings.an_base_url}"
        )
        with duckdb.get_connection() as con:
            outcomes = [
                _refresh_or_fail(con, dump, settings, legislature, config, context.log.info, context.log.warning)
                for legislature in settings.legislatures
            ]
            yield from materializations(con, dump, outcomes)
            yield members_check(con, dump, outcomes)

    return _dump_asset


def _refresh_or_fail(
    con: duckdb.DuckDBPyConnection,
    dump: AnDump,
    settings: Settings,
    legislature: int,
    config: LoadConfig,
    log: Log,
    warn: Log,
) -> DumpOutcome:
    """A bad archive or member (strict mode), or a dump beyond the quarantine thresholds, will be
    just as bad on a retry, and the download client has already retried with backoff: those fail
    the run at once. The retry policy is for the rest (a DuckDB file briefly locked, an I/O error)."""
    try:
        return refresh_dump(con, dump, settings, legislature, config, log, warn)
    except NOT_RETRIED as exc:
        raise dg.Failure(
            description=f"{dump.label(legislature)} ({dump.url(settings, legislature)})"
            f" not loaded, previous rows kept: {exc}",
            allow_retries=False,
        ) from exc
