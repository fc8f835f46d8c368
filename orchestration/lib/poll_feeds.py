"""The poll feeds as declared sources: one unit per feed, all its files loaded together.

Each feed (lib/polls.py: its files and their columns) is one asset and one partition (`source`)
in each of its raw tables. When every file's content hash equals the one the raw layer holds,
nothing is rewritten; otherwise each file is parsed and the feed's partition of every table is
replaced in one transaction, so readers never see half a feed. A file that is wrong as a whole (a
required column missing, not UTF-8) stops the feed's load with an error naming it; a row that
cannot be read is quarantined (raw.quarantine, source `polls/<feed>`, member `<file>:row <n>`) and
the others load, unless more than 1 % of the file's rows are bad (then the feed fails) or the run
is strict. A poll row has no key that outlives an edit of the file, so a quarantined row keeps
nothing of an earlier load. A hand-maintained (curated) feed has no public URL: without one
configured it is skipped with a warning, and the rest of the warehouse still builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from orchestration.lib.config import Settings
from orchestration.lib.http import FetchResult
from orchestration.lib.polls import (
    FEEDS,
    MAX_FILE_BYTES,
    PARTITION_COLUMN,
    PollFeed,
    PollFile,
    feed_by_source,
    parse_poll_file,
)
from orchestration.lib.quarantine import QuarantinedMember, check_quarantined_share
from orchestration.lib.refresh import (
    CheckOutcome,
    CheckSpec,
    Log,
    ParsedUnit,
    QuarantineListing,
    RefreshOptions,
    RefreshUnit,
    SourceFile,
    UnitOutcome,
    quarantine_outcomes,
)
from orchestration.lib.warehouse import PartitionLoad

GROUP_NAME = "polls"
NOT_EMPTY_CHECK = "has_rows"


@dataclass(frozen=True)
class PollFeedSource:
    """A poll feed, refreshed as one unit."""

    feed: PollFeed
    partition_column: str = PARTITION_COLUMN
    group: str = GROUP_NAME
    optional: bool = False

    @property
    def asset_name(self) -> str:
        return f"polls_{self.feed.source}"

    @property
    def description(self) -> str:
        return self.feed.description

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(spec.table for spec in self.feed.files)

    @property
    def quarantine_source(self) -> str:
        """The feed's key in raw.quarantine."""
        return f"polls/{self.feed.source}"

    def version_key(self, spec: PollFile) -> str:
        """The key of one file in raw.source_versions."""
        return f"polls/{self.feed.source}/{spec.file_name}"

    def file_url(self, spec: PollFile, settings: Settings) -> str | None:
        if self.feed.curated:
            return settings.curated_url(spec.path)
        return settings.github_raw_base_url + spec.path

    def units(self, settings: Settings) -> list[RefreshUnit]:
        cache_dir = settings.download_dir / "polls" / self.feed.source
        files = tuple(
            SourceFile(self.version_key(spec), self.file_url(spec, settings), cache_dir, MAX_FILE_BYTES)
            for spec in self.feed.files
        )
        return [RefreshUnit(self.feed.source, PARTITION_COLUMN, self.feed.source, self.quarantine_source, files)]

    def table_description(self, table: str) -> str:
        spec = self._spec(table)
        return f"{self.feed.description} — raw.{table}, from {spec.file_name}"

    def _spec(self, table: str) -> PollFile:
        return next(spec for spec in self.feed.files if spec.table == table)

    def parse(
        self,
        con: duckdb.DuckDBPyConnection,
        unit: RefreshUnit,
        fetched: Sequence[FetchResult],
        options: RefreshOptions,
        log: Log,
    ) -> ParsedUnit:
        """Every file parsed; a file past the quarantine threshold fails the whole feed."""
        loads = []
        quarantined: list[QuarantinedMember] = []
        ignored: dict[str, tuple[str, ...]] = {}
        for spec, result in zip(self.feed.files, fetched):
            parsed = parse_poll_file(result.path, spec, source=self.feed.source, on_error=options.error_mode())
            check_quarantined_share(
                spec.file_name, parsed.quarantined, parsed.data_rows, options.max_quarantined_share, "rows"
            )
            if parsed.extra_columns:
                log(
                    f"{unit.label}: {spec.table} does not load the columns outside its description:"
                    f" {', '.join(parsed.extra_columns)}"
                )
                ignored[spec.table] = parsed.extra_columns
            quarantined += parsed.quarantined
            loads.append(PartitionLoad(spec.table, PARTITION_COLUMN, self.feed.source, parsed.rows))
        return ParsedUnit(loads, quarantined, details={"ignored_columns": ignored})

    def checks(self) -> list[CheckSpec]:
        return [
            CheckSpec(NOT_EMPTY_CHECK, spec.table, f"raw.{spec.table} holds rows of the feed {self.feed.source}")
            for spec in self.feed.files
        ]

    def quarantine_listings(self) -> list[QuarantineListing]:
        return [
            QuarantineListing(
                spec.table,
                self.quarantine_source,
                description=f"No row of {spec.file_name} was quarantined (left out, listed in raw.quarantine"
                " with its error). Warns naming each one.",
                member_prefix=f"{spec.file_name}:",
            )
            for spec in self.feed.files
        ]

    def check_outcomes(self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]) -> list[CheckOutcome]:
        (outcome,) = outcomes
        not_empty = [
            CheckOutcome(
                NOT_EMPTY_CHECK,
                table,
                passed=rows > 0,
                # An unconfigured hand-maintained feed is a warning: the rest of the warehouse still builds.
                warn=outcome.status == "not configured",
                metadata={"rows": rows},
            )
            for table, rows in outcome.rows_by_table.items()
        ]
        return not_empty + quarantine_outcomes(con, self)

    def table_metadata(
        self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]
    ) -> dict[str, dict[str, object]]:
        (outcome,) = outcomes
        fetched = dict(zip(self.tables, outcome.fetched))
        ignored = outcome.details.get("ignored_columns", {})
        metadata: dict[str, dict[str, object]] = {}
        for table, rows in outcome.rows_by_table.items():
            metadata[table] = {"status": outcome.status, "rows": rows, "source": self.feed.source}
            if table in fetched:
                result = fetched[table]
                metadata[table] |= {"url": result.url, "sha256": result.sha256, "size_bytes": result.size_bytes}
            if ignored.get(table):
                metadata[table]["ignored_columns"] = ", ".join(ignored[table])
        return metadata


POLL_FEEDS = tuple(PollFeedSource(feed) for feed in FEEDS)


def poll_feed(source: str) -> PollFeedSource:
    """The declared feed named `source`."""
    return PollFeedSource(feed_by_source(source))
