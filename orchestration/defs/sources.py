"""One factory turns each declared source (lib/sources.py) into its Dagster asset.

The asset of a source fills one `raw/<table>` key per table, refreshes every unit of the source
with the one refresh path (lib/refresh.py) and evaluates the source's checks in the same step
(blocking ones stop what is downstream; quarantine checks warn, naming every record left out).
One retry policy serves every source; errors a retry cannot cure fail the run at once.
"""

# No `from __future__ import annotations`: Dagster reads the asset function's annotations (config, resources).
from collections.abc import Iterator

import dagster as dg

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, WarehouseSettings, WarehouseWriter
from orchestration.lib.quarantine import MAX_MEMBER_SHRINK, MAX_QUARANTINED_SHARE
from orchestration.lib.refresh import (
    QUARANTINE_CHECK,
    CheckOutcome,
    RefreshFailed,
    RefreshOptions,
    Source,
    refresh_source,
)

# For what a retry can cure (a DuckDB file briefly locked, an I/O error); the download client has
# its own retries with backoff, and bad files fail at once (lib/refresh.NOT_RETRIED).
RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def raw_key(table: str) -> dg.AssetKey:
    """The asset key of a raw table."""
    return dg.AssetKey(["raw", table])


class RefreshConfig(dg.Config):
    """Run configuration of every source's asset (lib/refresh.RefreshOptions says what each does)."""

    on_bad_member: str = "quarantine"  # or "fail": strict, the first bad record fails the load
    max_quarantined_share: float = MAX_QUARANTINED_SHARE
    max_member_shrink: float = MAX_MEMBER_SHRINK
    force_reload: bool = False  # parse and reload everything, even unchanged files

    def options(self) -> RefreshOptions:
        return RefreshOptions(**self.model_dump())


def _check_specs(source: Source) -> list[dg.AssetCheckSpec]:
    declared = [
        dg.AssetCheckSpec(
            check.name, asset=raw_key(check.table), blocking=check.blocking, description=check.description
        )
        for check in source.checks()
    ]
    quarantine = [
        dg.AssetCheckSpec(QUARANTINE_CHECK, asset=raw_key(listing.table), description=listing.description)
        for listing in source.quarantine_listings()
    ]
    return declared + quarantine


def check_result(outcome: CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=raw_key(outcome.table),
        check_name=outcome.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.WARN if outcome.warn else dg.AssetCheckSeverity.ERROR,
        metadata=outcome.metadata,
    )


def build_source_asset(source: Source) -> dg.AssetsDefinition:
    """The multi-asset of one source: its raw tables, refreshed, with its checks."""

    @dg.multi_asset(
        name=source.asset_name,
        description=source.description,
        specs=[
            dg.AssetSpec(
                raw_key(table), group_name=source.group, kinds={"duckdb"}, description=source.table_description(table)
            )
            for table in source.tables
        ],
        check_specs=_check_specs(source),
        pool=WAREHOUSE_WRITER_POOL,
        retry_policy=RETRY_POLICY,
    )
    def _source_asset(
        context: dg.AssetExecutionContext, config: RefreshConfig, duckdb: WarehouseWriter, settings: WarehouseSettings
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        run_settings = settings.resolve()
        with duckdb.get_connection() as con:
            try:
                outcomes = refresh_source(
                    con, source, run_settings, config.options(), context.log.info, context.log.warning
                )
            except RefreshFailed as exc:
                raise dg.Failure(description=str(exc), allow_retries=False) from exc
            for table, metadata in source.table_metadata(con, outcomes).items():
                yield dg.MaterializeResult(asset_key=raw_key(table), metadata=metadata)
            yield from (check_result(outcome) for outcome in source.check_outcomes(con, outcomes))

    return _source_asset
