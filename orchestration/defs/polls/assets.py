"""One Dagster asset per poll feed: download its files, and reload its raw tables when they changed.

A feed's files are fetched with the shared client (conditional requests, retries, size cap); when
every file's content hash equals the one the raw layer already holds, nothing is rewritten.
Otherwise each file is parsed (orchestration/lib/polls.py) and the feed's partition (`source`) of
every table is replaced in one transaction, so readers never see half a feed. A file that is wrong
as a whole (a required column missing, not UTF-8) stops the feed's load with an error naming it; a
row that cannot be read is quarantined (raw.quarantine, source `polls/<feed>`, member
`<file>:row <n>`) and the others load, unless more than 1 % of the file's rows are bad (then the
feed fails) or the run is strict (`on_bad_member: fail`). A poll row has no key that outlives an
edit of the file, so a quarantined row keeps nothing of an earlier load.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from orchestration.defs.quarantine import QUARANTINE_CHECK, QuarantineConfig, quarantine_check_result
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.http import DownloadError, FetchResult, fetch
from orchestration.lib.polls import (
    FEEDS,
    MAX_FILE_BYTES,
    PARTITION_COLUMN,
    PollFeed,
    PollFile,
    PollFileError,
    parse_poll_file,
)
from orchestration.lib.quarantine import (
    QUARANTINE_TABLE,
    QuarantinedMember,
    TooManyBadRecords,
    check_quarantined_share,
    quarantine_records,
    quarantine_table,
)
from orchestration.lib.raw_schema import RAW_SCHEMA
from orchestration.lib.warehouse import (
    PartitionLoad,
    ensure_raw_schema,
    loaded_sha256,
    record_source_version,
    replace_rows,
)

GROUP_NAME = "polls"
NOT_EMPTY_CHECK = "has_rows"
RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)
# A bad file is just as bad on a retry, and the download client has already retried with backoff:
# those fail the run at once. The retry policy is for the rest (a DuckDB file briefly locked, I/O).
NOT_RETRIED = (PollFileError, DownloadError, TooManyBadRecords)
Log = Callable[[str], None]


@dataclass(frozen=True)
class FeedOutcome:
    """What a run did with one feed; becomes each table's materialization metadata."""

    status: str  # "loaded", "unchanged" or "not configured"
    rows_by_table: dict[str, int]
    fetched: dict[str, FetchResult]
    extra_columns: dict[str, tuple[str, ...]]


def quarantine_source(feed: PollFeed) -> str:
    """The feed's key in raw.quarantine."""
    return f"polls/{feed.source}"


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def source_key(feed: PollFeed, spec: PollFile) -> str:
    """The key of one file in raw.source_versions."""
    return f"polls/{feed.source}/{spec.file_name}"


def file_url(feed: PollFeed, spec: PollFile, settings: Settings) -> str | None:
    """Base URLs are read at run time, so NUPES_SOURCES and the curated URLs can change between runs."""
    if feed.curated:
        return settings.curated_url(spec.path)
    return settings.github_raw_base_url + spec.path


def feed_cache_dir(feed: PollFeed, settings: Settings) -> Path:
    """Where a feed's downloaded files and their validators live (the change sensor probes them too)."""
    return settings.download_dir / "polls" / feed.source


def fetch_feed(feed: PollFeed, settings: Settings, log: Callable[[str], None]) -> dict[str, FetchResult] | None:
    """Every file of the feed, keyed by table; None when a curated feed has no URL configured."""
    urls = {spec.table: file_url(feed, spec, settings) for spec in feed.files}
    if any(url is None for url in urls.values()):
        return None
    cache_dir = feed_cache_dir(feed, settings)
    return {table: fetch(url, cache_dir, max_bytes=MAX_FILE_BYTES, log=log) for table, url in urls.items()}


def load_feed(
    con: duckdb.DuckDBPyConnection,
    feed: PollFeed,
    fetched: dict[str, FetchResult],
    config: QuarantineConfig,
    log: Log,
    warn: Log,
) -> FeedOutcome:
    """Replace the feed's partition in all its tables, unless every file is the version already
    loaded; the rows that cannot be read go to raw.quarantine (or fail the feed, see the module)."""
    if all(loaded_sha256(con, source_key(feed, spec)) == fetched[spec.table].sha256 for spec in feed.files):
        log(f"{feed.source}: unchanged since the last load, raw tables kept")
        return FeedOutcome("unchanged", _partition_rows(con, feed), fetched, {})
    parsed = {
        spec.table: parse_poll_file(fetched[spec.table].path, spec, source=feed.source, on_error=config.error_mode())
        for spec in feed.files
    }
    quarantined: list[QuarantinedMember] = []
    for spec in feed.files:
        result = parsed[spec.table]
        check_quarantined_share(
            spec.file_name, result.quarantined, result.data_rows, config.max_quarantined_share, "rows"
        )
        if result.extra_columns:
            log(
                f"{feed.source}: {spec.table} does not load the columns outside its description: {', '.join(result.extra_columns)}"
            )
        quarantined += result.quarantined
    for item in quarantined:
        warn(f"{feed.source}: {item.member} quarantined: {item.error}")
    loads = [PartitionLoad(table, PARTITION_COLUMN, feed.source, result.rows) for table, result in parsed.items()]
    source = quarantine_source(feed)
    loads.append(PartitionLoad(QUARANTINE_TABLE, "source", source, quarantine_table(source, feed.source, quarantined)))
    written = replace_rows(con, loads)
    for spec in feed.files:
        result = fetched[spec.table]
        record_source_version(
            con,
            source_key(feed, spec),
            url=result.url,
            sha256=result.sha256,
            size_bytes=result.size_bytes,
            etag=result.etag,
            last_modified=result.last_modified,
        )
    log(f"{feed.source}: loaded " + ", ".join(f"{rows:,} rows into raw.{table}" for table, rows in written.items()))
    rows = {table: written[table] for table in parsed}
    return FeedOutcome("loaded", rows, fetched, {table: r.extra_columns for table, r in parsed.items()})


def _partition_rows(con: duckdb.DuckDBPyConnection, feed: PollFeed) -> dict[str, int]:
    ensure_raw_schema(con)
    return {
        spec.table: con.execute(
            f"SELECT count(*) FROM {RAW_SCHEMA}.{spec.table} WHERE {PARTITION_COLUMN} = ?", [feed.source]
        ).fetchone()[0]
        for spec in feed.files
    }


def _results(
    con: duckdb.DuckDBPyConnection, feed: PollFeed, outcome: FeedOutcome
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    for spec in feed.files:
        key = raw_asset_key(spec.table)
        rows = outcome.rows_by_table.get(spec.table, 0)
        fetched = outcome.fetched.get(spec.table)
        metadata: dict[str, object] = {"status": outcome.status, "rows": rows, "source": feed.source}
        if fetched is not None:
            metadata |= {"url": fetched.url, "sha256": fetched.sha256, "size_bytes": fetched.size_bytes}
        if outcome.extra_columns.get(spec.table):
            metadata["ignored_columns"] = ", ".join(outcome.extra_columns[spec.table])
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=NOT_EMPTY_CHECK,
            passed=rows > 0,
            # An unconfigured hand-maintained feed is a warning: the rest of the warehouse still builds.
            severity=dg.AssetCheckSeverity.WARN if outcome.status == "not configured" else dg.AssetCheckSeverity.ERROR,
            metadata={"rows": rows},
        )
        yield quarantine_check_result(quarantine_records(con, quarantine_source(feed), f"{spec.file_name}:"), key)


def build_feed_asset(feed: PollFeed) -> dg.AssetsDefinition:
    """The asset of one feed: one asset key per raw table it fills (`raw/<table>`)."""
    specs = [
        dg.AssetSpec(
            raw_asset_key(spec.table),
            group_name=GROUP_NAME,
            kinds={"duckdb"},
            description=f"{feed.description} — raw.{spec.table}, from {spec.file_name}",
        )
        for spec in feed.files
    ]
    check_specs = [
        spec_check
        for spec in feed.files
        for spec_check in (
            dg.AssetCheckSpec(
                NOT_EMPTY_CHECK,
                asset=raw_asset_key(spec.table),
                description=f"raw.{spec.table} holds rows of the feed {feed.source}",
            ),
            dg.AssetCheckSpec(
                QUARANTINE_CHECK,
                asset=raw_asset_key(spec.table),
                description=f"No row of {spec.file_name} was quarantined (left out, listed in"
                " raw.quarantine with its error). Warns naming each one.",
            ),
        )
    ]

    @dg.multi_asset(
        name=f"polls_{feed.source}",
        specs=specs,
        check_specs=check_specs,
        pool=WAREHOUSE_WRITER_POOL,
        retry_policy=RETRY_POLICY,
    )
    def _feed_asset(
        context: dg.AssetExecutionContext, config: QuarantineConfig, duckdb: DuckDBResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        settings = load_settings()
        with duckdb.get_connection() as con:
            try:
                fetched = fetch_feed(feed, settings, context.log.info)
                if fetched is None:
                    context.log.warning(
                        f"{feed.source}: no URL configured (NUPES_CURATED_URL__<file> or NUPES_SOURCES); skipped"
                    )
                    outcome = FeedOutcome("not configured", _partition_rows(con, feed), {}, {})
                else:
                    outcome = load_feed(con, feed, fetched, config, context.log.info, context.log.warning)
            except NOT_RETRIED as exc:
                urls = ", ".join(str(file_url(feed, spec, settings)) for spec in feed.files)
                raise dg.Failure(
                    description=f"poll feed {feed.source} ({urls}) not loaded, previous rows kept: {exc}",
                    allow_retries=False,
                ) from exc
            yield from _results(con, feed, outcome)

    return _feed_asset


poll_feed_assets = [build_feed_asset(feed) for feed in FEEDS]
