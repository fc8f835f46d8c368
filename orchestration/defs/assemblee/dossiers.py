"""The legislative dossiers dump of each configured legislature, loaded into raw.an_dossiers,
raw.an_dossier_acts and raw.an_documents.

The dossiers are an enrichment: they tie votes to texts and policy areas, but the votes stand
without them. So a legislature whose dump answers 404 (the mirror has none for the 17th) is a
warning in the asset's metadata and the run goes on with what it has, while a dump that arrives
damaged still fails the run naming the file (a broken archive must never half-load). An unchanged
dump (same content hash as the version loaded) is not parsed or rewritten again.
"""

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import duckdb
from dagster import AssetExecutionContext
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.dossiers import DOSSIER_TABLES, parse_dossiers_dump
from orchestration.lib.http import FetchResult, SourceNotFound, fetch
from orchestration.lib.raw_schema import RAW_SCHEMA
from orchestration.lib.warehouse import (
    PartitionLoad,
    ensure_raw_schema,
    loaded_sha256,
    record_source_version,
    replace_partitions,
)

GROUP_NAME = "assemblee"
PARTITION_COLUMN = "dump_legislature"
MAX_DUMP_BYTES = 512 << 20  # the 16th's dump is 9 MB
COVERAGE_CHECK = "every_legislature_has_dossiers"
RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)

Log = Callable[[str], None]


@dataclass(frozen=True)
class LegislatureOutcome:
    """What a run did with one legislature's dump: loaded, unchanged or missing (404)."""

    legislature: int
    status: str
    url: str
    sha256: str | None = None


def dump_url(settings: Settings, legislature: int) -> str:
    return settings.an_base_url + f"{legislature}/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip"


def source_key(legislature: int) -> str:
    """The key of one legislature's dump in raw.source_versions."""
    return f"an/{legislature}/dossiers_legislatifs"


def refresh_legislature(
    con: duckdb.DuckDBPyConnection, settings: Settings, legislature: int, log: Log
) -> LegislatureOutcome:
    """Download one legislature's dump and replace its partition of the three tables if it changed."""
    url = dump_url(settings, legislature)
    try:
        fetched = fetch(url, settings.download_dir / "an" / str(legislature), max_bytes=MAX_DUMP_BYTES, log=log)
    except SourceNotFound:
        log(f"dossiers of the {legislature}th legislature: {url} answered 404; rows already loaded are kept")
        return LegislatureOutcome(legislature, "missing", url)
    if loaded_sha256(con, source_key(legislature)) == fetched.sha256:
        log(f"dossiers of the {legislature}th legislature: unchanged since the last load, raw tables kept")
        return LegislatureOutcome(legislature, "unchanged", url, fetched.sha256)
    load_dump(con, fetched, legislature, log)
    return LegislatureOutcome(legislature, "loaded", url, fetched.sha256)


def load_dump(con: duckdb.DuckDBPyConnection, fetched: FetchResult, legislature: int, log: Log) -> None:
    """Parse the whole archive first (a bad member fails naming it), then swap the partition in one transaction."""
    parsed = parse_dossiers_dump(fetched.path, legislature)
    loads = [PartitionLoad(table, PARTITION_COLUMN, legislature, parsed.tables[table]) for table in DOSSIER_TABLES]
    written = replace_partitions(con, loads)
    record_source_version(
        con, source_key(legislature), url=fetched.url, sha256=fetched.sha256, size_bytes=fetched.size_bytes,
        etag=fetched.etag, last_modified=fetched.last_modified,
    )
    log(
        f"dossiers of the {legislature}th legislature: {parsed.member_count:,} members, "
        + ", ".join(f"{rows:,} rows into raw.{table}" for table, rows in written.items())
    )


def rows_by_legislature(con: duckdb.DuckDBPyConnection, table: str) -> dict[int, int]:
    ensure_raw_schema(con)
    counts = con.execute(
        f"SELECT {PARTITION_COLUMN}, count(*) FROM {RAW_SCHEMA}.{table} GROUP BY ALL ORDER BY 1"
    ).fetchall()
    return {int(legislature): rows for legislature, rows in counts}


def _materializations(
    con: duckdb.DuckDBPyConnection, outcomes: list[LegislatureOutcome]
) -> list[dg.MaterializeResult]:
    missing = [outcome.url for outcome in outcomes if outcome.status == "missing"]
    shared: dict[str, object] = {
        "status_by_legislature": {str(outcome.legislature): outcome.status for outcome in outcomes},
    }
    if missing:
        shared["warning"] = "no dossiers dump (404) at: " + ", ".join(missing)
    results = []
    for table in DOSSIER_TABLES:
        counts = rows_by_legislature(con, table)
        metadata = shared | {
            "rows": sum(counts.values()),
            "rows_by_dump_legislature": {str(leg): rows for leg, rows in counts.items()},
        }
        results.append(dg.MaterializeResult(asset_key=dg.AssetKey(["raw", table]), metadata=metadata))
    return results


def _coverage_check(con: duckdb.DuckDBPyConnection, legislatures: tuple[int, ...]) -> dg.AssetCheckResult:
    """A legislature without dossiers leaves all its votes unlinked to a text: visible, not fatal."""
    loaded = rows_by_legislature(con, "an_dossiers")
    without = [leg for leg in legislatures if loaded.get(leg, 0) == 0]
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", "an_dossiers"]),
        check_name=COVERAGE_CHECK,
        passed=not without,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"legislatures_without_dossiers": ", ".join(map(str, without)) or "none"},
    )


@dg.multi_asset(
    name="assemblee_dossiers",
    specs=[
        dg.AssetSpec(
            dg.AssetKey(["raw", table]),
            group_name=GROUP_NAME,
            kinds={"duckdb"},
            description=f"raw.{table}, from each legislature's Dossiers_Legislatifs.json.zip",
        )
        for table in DOSSIER_TABLES
    ],
    check_specs=[
        dg.AssetCheckSpec(
            COVERAGE_CHECK,
            asset=dg.AssetKey(["raw", "an_dossiers"]),
            description="Every configured legislature has dossiers loaded (warns, e.g. when a dump answers 404)",
        )
    ],
    pool=WAREHOUSE_WRITER_POOL,
    retry_policy=RETRY_POLICY,
)
def assemblee_dossiers(context: AssetExecutionContext, duckdb: DuckDBResource):
    """Legislative dossiers, their flattened act trees and their documents, per configured legislature."""
    settings = load_settings()
    with duckdb.get_connection() as con:
        outcomes = [
            refresh_legislature(con, settings, legislature, context.log.info)
            for legislature in settings.legislatures
        ]
        for outcome in outcomes:
            if outcome.status == "missing":
                context.log.warning(f"no legislative dossiers for the {outcome.legislature}th legislature ({outcome.url})")
        yield from _materializations(con, outcomes)
        yield _coverage_check(con, settings.legislatures)


defs = dg.Definitions(assets=[assemblee_dossiers])
