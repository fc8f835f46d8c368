"""Refreshing one kind of Assemblée dump, legislature by legislature: fetch, compare, parse, load.

For each configured legislature the dump is fetched with the shared client (conditional request,
retries, size cap, verified whole). When its sha256 equals the one `raw.source_versions` holds
for it, nothing is parsed or rewritten. Otherwise the dump is loaded in one of two ways:
- incremental (a dump with `IncrementalLoad`, already loaded once, `force_reload` off): each
  member's CRC-32 in the zip's central directory is compared with the one the raw layer keeps;
  only new and changed members are parsed, and the rows of changed and vanished records are
  replaced or deleted, table by table, by key;
- full: the whole archive is parsed and every table's partition of that legislature replaced.
Either way a member that cannot be parsed fails naming the archive and member (unless quarantine
mode is on), and every table's rows and the dump's quarantine rows are written in ONE
transaction: a failure anywhere leaves the previous rows whole, and a re-run gives the same rows.
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

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.lib.archive import ArchiveError, member_crc32s
from orchestration.lib.assemblee import MemberParseError, OnError, ParsedArchive, count_members, quarantine_table
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.http import DownloadError, FetchResult, fetch
from orchestration.lib.member_versions import MemberChanges, diff_members
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
QUARANTINE_TABLE = "quarantine"
MEMBERS_CHECK = "rows_match_archive_members"
NOT_RETRIED = (MemberParseError, ArchiveError, DownloadError)

Log = Callable[[str], None]


class LoadConfig(dg.Config):
    """Run configuration shared by the AN dump assets."""

    on_bad_member: str = "fail"  # "fail": stop naming the file; "quarantine": load the rest, list it in raw.quarantine
    # True: parse and reload the WHOLE dump, replacing every partition, even when it is unchanged
    # (after a parser or raw-schema change, or to rule out anything an incremental load could miss).
    # False: an unchanged dump is skipped, a changed one loads only its new and changed members.
    force_reload: bool = False

    def error_mode(self) -> OnError:
        if self.on_bad_member not in ("fail", "quarantine"):
            raise ValueError(f"on_bad_member must be 'fail' or 'quarantine', not {self.on_bad_member!r}")
        return self.on_bad_member  # type: ignore[return-value]


@dataclass(frozen=True)
class IncrementalLoad:
    """How a dump whose members are one record each loads only what changed.

    `member_table` holds one row per member with `source_member` and `member_crc32`, under the
    record's key `member_key`; every table of the dump holds that key in `key_columns[table]`.
    """

    member_table: str
    member_key: str
    key_columns: dict[str, str]
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
    max_bytes: int = 512 << 20
    incremental: IncrementalLoad | None = None  # None: every change reloads the whole partition

    def source_key(self, legislature: int) -> str:
        return f"an/{legislature}/{self.name}"

    def url(self, settings: Settings, legislature: int) -> str:
        return settings.an_base_url + self.relative_url(legislature)

    def cache_dir(self, settings: Settings, legislature: int) -> Path:
        """Where the downloaded copy and its validators live (the change sensor probes them too)."""
        return settings.download_dir / "an" / str(legislature)


@dataclass(frozen=True)
class DumpOutcome:
    """What a run did with one legislature's dump."""

    legislature: int
    fetched: FetchResult
    unchanged: bool
    quarantined: int = 0
    seconds: float = 0.0
    members: MemberChanges | None = None  # set by an incremental load


def refresh_dump(
    con: duckdb.DuckDBPyConnection, dump: AnDump, settings: Settings, legislature: int, config: LoadConfig, log: Log
) -> DumpOutcome:
    """Bring one legislature's partition of the dump's tables up to date with the source."""
    fetched = fetch(
        dump.url(settings, legislature), dump.cache_dir(settings, legislature),
        max_bytes=dump.max_bytes, log=log,
    )
    label = f"{dump.name} of the {legislature}th legislature"
    loaded = loaded_sha256(con, dump.source_key(legislature))
    if not config.force_reload and loaded == fetched.sha256:
        log(f"{label}: unchanged (sha256 {fetched.sha256[:12]}), raw rows kept")
        return DumpOutcome(legislature, fetched, unchanged=True)
    started = time.perf_counter()
    incremental = dump.incremental if loaded is not None and not config.force_reload else None
    if incremental is None:
        prepared = _prepare_full(dump, legislature, fetched.path, config)
    else:
        prepared = _prepare_incremental(con, dump, incremental, legislature, fetched.path, config)
        log(f"{label}: changed (sha256 {fetched.sha256[:12]}), incremental load: {prepared.members.summary()}")
    parsed = prepared.parsed
    log(
        f"{label}: parsed {parsed.member_count:,} members of {fetched.path.name} in {time.perf_counter() - started:.2f} s"
        + (f", {len(parsed.quarantined)} QUARANTINED" if parsed.quarantined else "")
    )
    written = replace_rows(con, prepared.loads + [_quarantine_load(dump, legislature, parsed)])
    record_source_version(
        con, dump.source_key(legislature), url=fetched.url, sha256=fetched.sha256,
        size_bytes=fetched.size_bytes, etag=fetched.etag, last_modified=fetched.last_modified,
    )
    seconds = time.perf_counter() - started
    log(f"{label}: loaded in {seconds:.2f} s: " + ", ".join(f"{rows:,} rows into raw.{t}" for t, rows in written.items()))
    return DumpOutcome(
        legislature, fetched, unchanged=False, quarantined=len(parsed.quarantined), seconds=seconds,
        members=prepared.members,
    )


@dataclass(frozen=True)
class PreparedLoad:
    """What a changed dump parsed, and the table writes that bring the raw layer up to it."""

    parsed: ParsedArchive
    loads: list[RowsLoad]
    members: MemberChanges | None = None  # for an incremental load


def _prepare_full(dump: AnDump, legislature: int, archive: Path, config: LoadConfig) -> PreparedLoad:
    """Every member parsed; every table's partition of the legislature replaced whole."""
    parsed = dump.parse(archive, legislature, config.error_mode())
    loads: list[RowsLoad] = [
        PartitionLoad(table, dump.partition_column, legislature, parsed.tables[table]) for table in dump.tables
    ]
    return PreparedLoad(parsed, loads)


def _prepare_incremental(
    con: duckdb.DuckDBPyConnection,
    dump: AnDump,
    incremental: IncrementalLoad,
    legislature: int,
    archive: Path,
    config: LoadConfig,
) -> PreparedLoad:
    """Only new and changed members parsed. Per table, the rows of changed and vanished records,
    and of any record the new rows carry (one moved to another member name), are deleted by key
    and the new rows inserted."""
    loaded = con.execute(
        f"SELECT source_member, member_crc32, {quote_identifier(incremental.member_key)}"
        f" FROM {RAW_SCHEMA}.{quote_identifier(incremental.member_table)}"
        f" WHERE {quote_identifier(dump.partition_column)} = ?",
        [legislature],
    ).fetchall()
    in_archive = {
        name: crc for name, crc in member_crc32s(archive, prefix="json/").items()
        if incremental.member_pattern.fullmatch(name)
    }
    members = diff_members(in_archive, {member: crc for member, crc, _ in loaded})
    parsed = incremental.parse_members(archive, config.error_mode(), members.to_parse)
    stale_keys = {key for member, _, key in loaded if member in members.to_delete}
    incoming_keys = set(parsed.tables[incremental.member_table].column(incremental.member_key).to_pylist())
    keys = pa.array(sorted(stale_keys | incoming_keys), type=pa.string())
    loads: list[RowsLoad] = [
        KeyedLoad(table, incremental.key_columns[table], keys, parsed.tables[table]) for table in dump.tables
    ]
    return PreparedLoad(parsed, loads, members)


def _quarantine_load(dump: AnDump, legislature: int, parsed: ParsedArchive) -> PartitionLoad:
    """The dump's quarantine rows, emptied by a clean load. An incremental load's list is complete
    too: a member quarantined before has no loaded row, so it counts as new and is parsed again."""
    source_key = dump.source_key(legislature)
    quarantined = quarantine_table(source_key, str(legislature), parsed.quarantined)
    return PartitionLoad(QUARANTINE_TABLE, "source", source_key, quarantined)


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
    """Rows loaded equal the members of the archive, per table and legislature: no file skipped."""
    mismatches: dict[str, str] = {}
    for table, prefix in dump.member_prefixes.items():
        loaded = rows_by_partition(con, table, dump.partition_column)
        for outcome in outcomes:
            in_archive = count_members(outcome.fetched.path, prefix)
            if loaded.get(outcome.legislature, 0) != in_archive:
                mismatches[f"{table}/{outcome.legislature}"] = (
                    f"{loaded.get(outcome.legislature, 0):,} rows for {in_archive:,} members {prefix}*"
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
            dg.AssetSpec(raw_key(table), group_name=GROUP_NAME, kinds={"duckdb"},
                         description=f"raw.{table}, from each legislature's {dump.name} dump")
            for table in dump.tables
        ],
        check_specs=[
            dg.AssetCheckSpec(
                MEMBERS_CHECK, asset=raw_key(dump.tables[0]), blocking=True,
                description="Rows per legislature equal the archive's members (" + ", ".join(
                    f"{table}: {prefix}*" for table, prefix in dump.member_prefixes.items()) + "): no file skipped",
            )
        ],
        pool=WAREHOUSE_WRITER_POOL,
        retry_policy=RETRY_POLICY,
    )
    def _dump_asset(context: dg.AssetExecutionContext, config: LoadConfig, duckdb: DuckDBResource):
        settings = load_settings()  # at run time: NUPES_SOURCES and NUPES_LEGISLATURES may change between runs
        context.log.info(f"{dump.name}: legislatures {', '.join(map(str, settings.legislatures))} from {settings.an_base_url}")
        with duckdb.get_connection() as con:
            outcomes = [
                _refresh_or_fail(con, dump, settings, legislature, config, context.log.info)
                for legislature in settings.legislatures
            ]
            yield from materializations(con, dump, outcomes)
            yield members_check(con, dump, outcomes)

    return _dump_asset


def _refresh_or_fail(
    con: duckdb.DuckDBPyConnection, dump: AnDump, settings: Settings, legislature: int, config: LoadConfig, log: Log
) -> DumpOutcome:
    """A bad archive or member will be just as bad on a retry, and the download client has already
    retried with backoff: those fail the run at once. The retry policy is for the rest (a DuckDB
    file briefly locked, an I/O error)."""
    try:
        return refresh_dump(con, dump, settings, legislature, config, log)
    except NOT_RETRIED as exc:
        raise dg.Failure(
            description=f"{dump.name} of the {legislature}th legislature ({dump.url(settings, legislature)})"
            f" not loaded, previous rows kept: {exc}",
            allow_retries=False,
        ) from exc
