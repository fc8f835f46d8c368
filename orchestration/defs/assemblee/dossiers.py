"""The legislative dossiers dump of each configured legislature, loaded into raw.an_dossiers,
raw.an_dossier_acts and raw.an_documents with the same refresh as the other AN dumps (dumps.py:
conditional download, unchanged dump not reloaded, one transaction per legislature, a blocking
check that every archive member became a row).

The dossiers are an enrichment: they tie votes to texts and policy areas, but the votes stand
without them. So a legislature whose dump answers 404 (the mirror has none for the 17th) is a
warning in the asset's metadata and the run goes on with what it has, while a dump that arrives
damaged still fails the run naming the file, as for the votes.
"""

# No `from __future__ import annotations`: Dagster reads the asset function's annotations.
from dataclasses import dataclass

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from orchestration.defs.assemblee.dumps import (
    GROUP_NAME,
    MEMBERS_CHECK,
    NOT_RETRIED,
    RETRY_POLICY,
    AnDump,
    DumpOutcome,
    LoadConfig,
    Log,
    materializations,
    members_check,
    raw_key,
    refresh_dump,
    rows_by_partition,
)
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.dossiers import DOSSIER_RECORDS, DOSSIER_TABLES, parse_dossiers_dump
from orchestration.lib.http import SourceNotFound
from orchestration.lib.warehouse import ensure_raw_schema

COVERAGE_CHECK = "every_legislature_has_dossiers"


def dossiers_url(legislature: int) -> str:
    return f"{legislature}/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip"


DOSSIERS_DUMP = AnDump(
    name="dossiers_legislatifs",
    tables=DOSSIER_TABLES,
    partition_column="dump_legislature",
    relative_url=dossiers_url,
    parse=parse_dossiers_dump,
    member_prefixes={"an_dossiers": "json/dossierParlementaire/", "an_documents": "json/document/"},
    records=DOSSIER_RECORDS,
)


@dataclass(frozen=True)
class DossiersRefresh:
    """The legislatures whose dump was refreshed, and the URLs that answered 404."""

    outcomes: list[DumpOutcome]
    missing_urls: dict[int, str]


def refresh_all(
    con: duckdb.DuckDBPyConnection, settings: Settings, config: LoadConfig, log: Log, warn: Log
) -> DossiersRefresh:
    """Refresh every configured legislature; a 404 is recorded and the others go on."""
    outcomes: list[DumpOutcome] = []
    missing: dict[int, str] = {}
    for legislature in settings.legislatures:
        try:
            outcomes.append(refresh_dump(con, DOSSIERS_DUMP, settings, legislature, config, log, warn))
        except SourceNotFound:
            missing[legislature] = DOSSIERS_DUMP.url(settings, legislature)
            log(
                f"dossiers of the {legislature}th legislature: {missing[legislature]} answered 404, rows already loaded kept"
            )
        except NOT_RETRIED as exc:
            raise dg.Failure(
                description=f"dossiers of the {legislature}th legislature not loaded, previous rows kept: {exc}",
                allow_retries=False,
            ) from exc
    return DossiersRefresh(outcomes, missing)


def with_missing_warning(results: list[dg.MaterializeResult], missing: dict[int, str]) -> list[dg.MaterializeResult]:
    """The 404s, written on every table's materialization where the UI shows them."""
    if not missing:
        return results
    warning = {"warning": "no dossiers dump (404) for " + ", ".join(f"{leg}: {url}" for leg, url in missing.items())}
    return [
        dg.MaterializeResult(asset_key=result.asset_key, metadata={**(result.metadata or {}), **warning})
        for result in results
    ]


def coverage_check(con: duckdb.DuckDBPyConnection, legislatures: tuple[int, ...]) -> dg.AssetCheckResult:
    """A legislature without dossiers leaves all its votes unlinked to a text: visible, not fatal."""
    loaded = rows_by_partition(con, "an_dossiers", DOSSIERS_DUMP.partition_column)
    without = [legislature for legislature in legislatures if not loaded.get(legislature)]
    return dg.AssetCheckResult(
        asset_key=raw_key("an_dossiers"),
        check_name=COVERAGE_CHECK,
        passed=not without,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"legislatures_without_dossiers": ", ".join(map(str, without)) or "none"},
    )


@dg.multi_asset(
    name="assemblee_dossiers",
    description="Legislative dossiers, their flattened act trees and their documents, per configured legislature.",
    specs=[
        dg.AssetSpec(
            raw_key(table),
            group_name=GROUP_NAME,
            kinds={"duckdb"},
            description=f"raw.{table}, from each legislature's Dossiers_Legislatifs.json.zip",
        )
        for table in DOSSIER_TABLES
    ],
    check_specs=[
        dg.AssetCheckSpec(
            MEMBERS_CHECK,
            asset=raw_key("an_dossiers"),
            blocking=True,
            description="Rows per legislature equal the archive's members (dossiers and documents): no file skipped",
        ),
        dg.AssetCheckSpec(
            COVERAGE_CHECK,
            asset=raw_key("an_dossiers"),
            description="Every configured legislature has dossiers loaded (warns when a dump answers 404)",
        ),
    ],
    pool=WAREHOUSE_WRITER_POOL,
    retry_policy=RETRY_POLICY,
)
def assemblee_dossiers(context: dg.AssetExecutionContext, config: LoadConfig, duckdb: DuckDBResource):
    settings = load_settings()  # at run time: NUPES_SOURCES and NUPES_LEGISLATURES may change between runs
    with duckdb.get_connection() as con:
        ensure_raw_schema(con)  # the tables exist even when every legislature answered 404
        refreshed = refresh_all(con, settings, config, context.log.info, context.log.warning)
        for legislature, url in refreshed.missing_urls.items():
            context.log.warning(f"no legislative dossiers for the {legislature}th legislature ({url})")
        yield from with_missing_warning(
            materializations(con, DOSSIERS_DUMP, refreshed.outcomes), refreshed.missing_urls
        )
        yield members_check(con, DOSSIERS_DUMP, refreshed.outcomes)
        yield coverage_check(con, settings.legislatures)


defs = dg.Definitions(assets=[assemblee_dossiers])
