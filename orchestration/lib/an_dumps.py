"""The Assemblée's dumps as declared sources: where each legislature's copy lives, how it loads.

Each kind of dump (`AnDump`) is refreshed legislature by legislature by lib/refresh.py: one unit
per configured legislature, its partition of every table replaced in one transaction. When a
dump changed it loads in one of two ways:
- incremental (a dump with `IncrementalLoad`, already loaded once, no forced reload): each
  member's CRC-32 in the zip's central directory is compared with the one the raw layer keeps;
  only new and changed members are parsed, and the rows of changed and vanished records are
  replaced or deleted, table by table, by key;
- full: the whole archive is parsed and every table's partition of that legislature replaced.
Either way a member that cannot be parsed or used is quarantined (lib/quarantine.py): listed in
raw.quarantine with its reason, its previous rows kept, the rest loaded; strict mode stops
naming it instead. A dump with too many such members, or with far fewer members than the one
loaded before, fails before anything is written.

The three dumps:
- `SCRUTINS_DUMP`: `Scrutins.json.zip` -> an_scrutins, an_group_tallies, an_votes,
  an_vote_corrections (partition column `legislature`), incremental;
- `AMO_DUMP`: deputies, mandates and bodies -> an_acteurs, an_mandats, an_organes (partition
  `dump_legislature`). It is small and a deputy's file spreads over three tables: a changed AMO
  dump simply replaces its whole partition;
- `DOSSIERS_DUMP`: legislative dossiers -> an_dossiers, an_dossier_acts, an_documents. The
  dossiers are an enrichment (they tie votes to texts and policy areas; the votes stand without
  them), so a legislature whose dump answers 404 is a warning and the run goes on, while a dump
  that arrives damaged still fails naming the file.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.lib.archive import member_crc32s
from orchestration.lib.assemblee import OnError, ParsedArchive, count_members, member_names
from orchestration.lib.assemblee_people import PEOPLE_RECORDS, PEOPLE_TABLES, parse_amo
from orchestration.lib.assemblee_votes import SCRUTIN_MEMBER, SCRUTIN_RECORDS, VOTE_TABLES, parse_scrutins
from orchestration.lib.config import Settings
from orchestration.lib.dossiers import DOSSIER_RECORDS, DOSSIER_TABLES, parse_dossiers_dump
from orchestration.lib.http import FetchResult
from orchestration.lib.member_versions import MemberChanges, diff_members
from orchestration.lib.quarantine import (
    KeptRows,
    LoadedRecord,
    MemberRecords,
    QuarantinedMember,
    check_member_shrink,
    check_quarantined_share,
    kept_rows,
    loaded_records,
    quarantined_without_rows,
    without_shared_keys,
)
from orchestration.lib.raw_schema import RAW_SCHEMA
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
from orchestration.lib.warehouse import KeyedLoad, PartitionLoad, RowsLoad, loaded_sha256, quote_identifier

GROUP_NAME = "assemblee"
MEMBERS_CHECK = "rows_match_archive_members"
# The live AN site publishes a past legislature's AMO as AMO20 (every mandate, senators and
# ministers included) and the current one's as AMO10 (active deputies); the 17th is current.
FIRST_AMO10_LEGISLATURE = 17


@dataclass(frozen=True)
class IncrementalLoad:
    """How a dump whose members are one record each (its single `MemberRecords`, whose member
    table also keeps `member_crc32`) loads only what changed."""

    member_pattern: re.Pattern[str]
    parse_members: Callable[[Path, OnError, Collection[str]], ParsedArchive]


@dataclass(frozen=True)
class ParsedDump:
    """What a changed dump parsed: its tables without the members left out, and those members."""

    tables: dict[str, pa.Table]
    quarantined: list[QuarantinedMember]
    parsed_members: int
    members: MemberChanges | None = None  # for an incremental load


@dataclass(frozen=True)
class AnDump:
    """One kind of AN dump: where each legislature's copy lives, how it parses, what it fills."""

    name: str  # in source keys: an/<legislature>/<name>
    asset_name: str
    description: str
    tables: tuple[str, ...]
    partition_column: str
    relative_url: Callable[[int], str]  # under settings.an_base_url
    parse_archive: Callable[[Path, int, OnError], ParsedArchive]
    # Members the archive must have, per table whose row count must match (the "no file skipped" check).
    member_prefixes: dict[str, str]
    # Which rows each kind of member loaded: what a quarantined member keeps, and which share a key.
    records: tuple[MemberRecords, ...]
    max_bytes: int = 512 << 20
    incremental: IncrementalLoad | None = None  # None: every change reloads the whole partition
    optional: bool = False  # a legislature's dump answering 404 is a warning, not a failure
    # A WARN check that every configured legislature has rows (for an optional dump).
    coverage_check: str | None = None
    group: str = GROUP_NAME

    @property
    def file_name(self) -> str:
        return self.relative_url(0).rsplit("/", 1)[-1]

    def label(self, legislature: int) -> str:
        """How logs and errors name one legislature's dump."""
        return f"{self.name} of the {legislature}th legislature"

    def source_key(self, legislature: int) -> str:
        return f"an/{legislature}/{self.name}"

    def url(self, settings: Settings, legislature: int) -> str:
        return settings.an_base_url + self.relative_url(legislature)

    def units(self, settings: Settings) -> list[RefreshUnit]:
        return [
            RefreshUnit(
                label=self.label(legislature),
                partition_column=self.partition_column,
                partition_value=legislature,
                quarantine_source=self.source_key(legislature),
                files=(
                    SourceFile(
                        self.source_key(legislature),
                        self.url(settings, legislature),
                        settings.download_dir / "an" / str(legislature),
                        self.max_bytes,
                    ),
                ),
            )
            for legislature in settings.legislatures
        ]

    def table_description(self, table: str) -> str:
        return f"raw.{table}, from each legislature's {self.file_name}"

    def records_of(self, table: str) -> MemberRecords | None:
        return next((record for record in self.records if table in record.key_columns), None)

    def parse(
        self,
        con: duckdb.DuckDBPyConnection,
        unit: RefreshUnit,
        fetched: Sequence[FetchResult],
        options: RefreshOptions,
        log: Log,
    ) -> ParsedUnit:
        """The changed dump parsed (fully or incrementally) into row loads that keep the last good
        rows of its quarantined members."""
        legislature = int(unit.partition_value)
        (archive,) = fetched
        started = time.perf_counter()
        previous = loaded_records(con, self.records, self.partition_column, legislature)
        first_load = loaded_sha256(con, self.source_key(legislature)) is None
        parsed = self._parse_within_thresholds(con, legislature, archive, first_load, previous, options, log)
        kept = kept_rows(self.records, previous, parsed.quarantined, parsed.tables)
        log(
            f"{unit.label}: parsed {parsed.parsed_members:,} members of {archive.path.name}"
            f" in {time.perf_counter() - started:.2f} s"
            + (f", {len(parsed.quarantined)} QUARANTINED" if parsed.quarantined else "")
        )
        loads = (
            self._incremental_loads(parsed, previous, kept)
            if parsed.members
            else self._full_loads(legislature, parsed, kept)
        )
        details = {
            "load_mode": "full" if parsed.members is None else "incremental",
            "members": parsed.members.counts() if parsed.members else None,
        }
        return ParsedUnit(loads, parsed.quarantined, frozenset(kept.members), details)

    def _parse_within_thresholds(
        self,
        con: duckdb.DuckDBPyConnection,
        legislature: int,
        fetched: FetchResult,
        first_load: bool,
        previous: dict[str, LoadedRecord],
        options: RefreshOptions,
        log: Log,
    ) -> ParsedDump:
        """A dump far smaller than the one loaded before, or with too many members quarantined,
        fails before anything is written."""
        in_archive = member_names(fetched.path, self.member_prefixes.values())
        loaded_members = set(previous) | set(quarantined_without_rows(con, self.source_key(legislature)))
        check_member_shrink(fetched.path.name, in_archive, loaded_members, options.max_member_shrink)
        if first_load or options.force_reload or self.incremental is None:
            parsed = self._parse_full(legislature, fetched.path, options)
        else:
            parsed = self._parse_incremental(con, self.incremental, legislature, fetched.path, previous, options)
            log(
                f"{self.label(legislature)}: changed (sha256 {fetched.sha256[:12]}),"
                f" incremental load: {parsed.members.summary()}"
            )
        check_quarantined_share(fetched.path.name, parsed.quarantined, len(in_archive), options.max_quarantined_share)
        return parsed

    def _parse_full(self, legislature: int, archive: Path, options: RefreshOptions) -> ParsedDump:
        """Every member parsed; members sharing a record with another are left out too."""
        parsed = self.parse_archive(archive, legislature, options.error_mode())
        shared = without_shared_keys(parsed.archive, parsed.tables, self.records, {}, options.error_mode())
        return ParsedDump(shared.tables, parsed.quarantined + shared.quarantined, parsed.member_count)

    def _parse_incremental(
        self,
        con: duckdb.DuckDBPyConnection,
        incremental: IncrementalLoad,
        legislature: int,
        archive: Path,
        previous: dict[str, LoadedRecord],
        options: RefreshOptions,
    ) -> ParsedDump:
        """Only new and changed members parsed. A member that was quarantined before is parsed
        again: it has no loaded row (new) or its kept row has the old CRC (changed), so the
        quarantine list stays complete. A parsed member carrying the record of a member left
        unparsed shares it."""
        (record,) = self.records
        loaded_crcs = dict(
            con.execute(
                f"SELECT source_member, member_crc32 FROM {RAW_SCHEMA}.{quote_identifier(record.member_table)}"
                f" WHERE {quote_identifier(self.partition_column)} = ?",
                [legislature],
            ).fetchall()
        )
        in_archive = {
            name: crc
            for name, crc in member_crc32s(archive, prefix="json/").items()
            if incremental.member_pattern.fullmatch(name)
        }
        members = diff_members(in_archive, loaded_crcs)
        parsed = incremental.parse_members(archive, options.error_mode(), members.to_parse)
        unparsed = {
            member: loaded
            for member, loaded in previous.items()
            if member in in_archive and member not in members.to_parse
        }
        shared = without_shared_keys(parsed.archive, parsed.tables, self.records, unparsed, options.error_mode())
        return ParsedDump(shared.tables, parsed.quarantined + shared.quarantined, parsed.member_count, members)

    def _full_loads(self, legislature: int, parsed: ParsedDump, kept: KeptRows) -> list[RowsLoad]:
        """Every table's partition replaced, but for the kept rows of quarantined members."""
        loads: list[RowsLoad] = []
        for table in self.tables:
            record = self.records_of(table)
            keep = (
                {} if record is None else {"kept_column": record.key_columns[table], "kept_keys": kept.keys_of(record)}
            )
            loads.append(PartitionLoad(table, self.partition_column, legislature, parsed.tables[table], **keep))
        return loads

    def _incremental_loads(
        self, parsed: ParsedDump, previous: dict[str, LoadedRecord], kept: KeptRows
    ) -> list[RowsLoad]:
        """Per table, the rows of changed and vanished records, and of any record the new rows carry
        (one moved to another member name), deleted by key and the new rows inserted; the records
        of quarantined members keep their rows."""
        (record,) = self.records
        stale = {previous[member].key for member in parsed.members.to_delete if member in previous}
        incoming = set(parsed.tables[record.member_table].column(record.member_key).to_pylist())
        keys = pa.array(sorted((stale | incoming) - kept.keys.get(record.member_table, frozenset())), type=pa.string())
        return [KeyedLoad(table, record.key_columns[table], keys, parsed.tables[table]) for table in self.tables]

    def checks(self) -> list[CheckSpec]:
        specs = [
            CheckSpec(
                MEMBERS_CHECK,
                self.tables[0],
                "Rows per legislature equal the archive's members ("
                + ", ".join(f"{table}: {prefix}*" for table, prefix in self.member_prefixes.items())
                + ") less those quarantined without previous rows: no file skipped unsaid",
                blocking=True,
            )
        ]
        if self.coverage_check:
            specs.append(
                CheckSpec(
                    self.coverage_check,
                    self.tables[0],
                    f"Every configured legislature has rows from its {self.file_name} (warns when one answers 404)",
                )
            )
        return specs

    def quarantine_listings(self) -> list[QuarantineListing]:
        return [
            QuarantineListing(
                self.tables[0],
                f"an/%/{self.name}",
                description=f"No member of a {self.name} dump was quarantined (left out of the load, listed"
                " in raw.quarantine with its error; its previous rows kept when it had some). Warns naming each one.",
            )
        ]

    def check_outcomes(self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]) -> list[CheckOutcome]:
        results = [self._members_check(con, outcomes), *quarantine_outcomes(con, self)]
        if self.coverage_check:
            loaded = rows_by_partition(con, self.tables[0], self.partition_column)
            without = [
                outcome.unit.partition_value for outcome in outcomes if not loaded.get(outcome.unit.partition_value)
            ]
            results.append(
                CheckOutcome(
                    self.coverage_check,
                    self.tables[0],
                    passed=not without,
                    warn=True,
                    metadata={"legislatures_without_rows": ", ".join(map(str, without)) or "none"},
                )
            )
        return results

    def _members_check(self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]) -> CheckOutcome:
        """Rows loaded equal the members of the archive, per table and legislature, less the
        members quarantined with no previous rows to keep: no file skipped without saying so."""
        mismatches: dict[str, str] = {}
        for table, prefix in self.member_prefixes.items():
            loaded = rows_by_partition(con, table, self.partition_column)
            for outcome in outcomes:
                if not outcome.fetched:
                    continue  # a missing dump: nothing to compare with
                legislature = outcome.unit.partition_value
                in_archive = count_members(outcome.fetched[0].path, prefix)
                without_rows = sum(
                    member.startswith(prefix)
                    for member in quarantined_without_rows(con, outcome.unit.quarantine_source)
                )
                if loaded.get(legislature, 0) != in_archive - without_rows:
                    mismatches[f"{table}/{legislature}"] = (
                        f"{loaded.get(legislature, 0):,} rows for {in_archive:,} members {prefix}*"
                        f", {without_rows:,} of them quarantined without rows"
                    )
        return CheckOutcome(MEMBERS_CHECK, self.tables[0], not mismatches, {"mismatches": mismatches or "none"})

    def table_metadata(
        self, con: duckdb.DuckDBPyConnection, outcomes: Sequence[UnitOutcome]
    ) -> dict[str, dict[str, object]]:
        """Per table: rows per legislature, and the version and status of each legislature's dump."""
        sources = {
            str(outcome.unit.partition_value): _unit_metadata(outcome) for outcome in outcomes if outcome.fetched
        }
        missing = [outcome for outcome in outcomes if outcome.status == "missing"]
        warning = (
            {
                "warning": f"no {self.file_name} (404) for "
                + ", ".join(f"{outcome.unit.partition_value}: {outcome.unit.urls()}" for outcome in missing)
            }
            if missing
            else {}
        )
        metadata = {}
        for table in self.tables:
            counts = rows_by_partition(con, table, self.partition_column)
            metadata[table] = {
                "rows": sum(counts.values()),
                f"rows_by_{self.partition_column}": {str(leg): rows for leg, rows in counts.items()},
                "unchanged": all(outcome.status == "unchanged" for outcome in outcomes),
                "sources": sources,
                **warning,
            }
        return metadata


def _unit_metadata(outcome: UnitOutcome) -> dict[str, object]:
    """The version of one legislature's dump and what the refresh did with it."""
    (fetched,) = outcome.fetched
    return {
        "status": outcome.status,
        "sha256": fetched.sha256,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "size_bytes": fetched.size_bytes,
        "load_seconds": round(outcome.seconds, 2),
        "quarantined_members": outcome.quarantined,
        "quarantined_keeping_previous_rows": outcome.kept_previous_rows,
        "load_mode": outcome.details.get("load_mode", "unchanged"),
        "members": outcome.details.get("members"),
    }


def rows_by_partition(con: duckdb.DuckDBPyConnection, table: str, partition_column: str) -> dict[int, int]:
    column = quote_identifier(partition_column)
    counts = con.execute(
        f"SELECT {column}, count(*) FROM {RAW_SCHEMA}.{quote_identifier(table)} GROUP BY ALL ORDER BY 1"
    ).fetchall()
    return {int(partition): rows for partition, rows in counts}


def scrutins_url(legislature: int) -> str:
    return f"{legislature}/loi/scrutins/Scrutins.json.zip"


def amo_url(legislature: int) -> str:
    if legislature < FIRST_AMO10_LEGISLATURE:
        return f"{legislature}/amo/deputes_senateurs_ministres_legislature/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip"
    return (
        f"{legislature}/amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"
    )


def dossiers_url(legislature: int) -> str:
    return f"{legislature}/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip"


def parse_scrutins_dump(path: Path, _legislature: int, on_error: OnError) -> ParsedArchive:
    """A scrutins dump names each scrutin's legislature itself (and the rows keep it)."""
    return parse_scrutins(path, on_error)


SCRUTINS_DUMP = AnDump(
    name="scrutins",
    asset_name="assemblee_votes",
    description="Every public vote of the Assemblée (and Congrès) per legislature: scrutins, group tallies,"
    " nominative votes and after-the-fact corrections.",
    tables=VOTE_TABLES,
    partition_column="legislature",
    relative_url=scrutins_url,
    parse_archive=parse_scrutins_dump,
    member_prefixes={"an_scrutins": "json/"},
    records=(SCRUTIN_RECORDS,),
    incremental=IncrementalLoad(member_pattern=SCRUTIN_MEMBER, parse_members=parse_scrutins),
)
AMO_DUMP = AnDump(
    name="amo",
    asset_name="assemblee_people",
    description="Deputies (acteurs), every mandate with its dates (group memberships included) and the bodies"
    " (organes) of each legislature's AMO dump.",
    tables=PEOPLE_TABLES,
    partition_column="dump_legislature",
    relative_url=amo_url,
    parse_archive=parse_amo,
    member_prefixes={"an_acteurs": "json/acteur/", "an_organes": "json/organe/"},
    records=PEOPLE_RECORDS,
)
DOSSIERS_DUMP = AnDump(
    name="dossiers_legislatifs",
    asset_name="assemblee_dossiers",
    description="Legislative dossiers, their flattened act trees and their documents, per configured legislature.",
    tables=DOSSIER_TABLES,
    partition_column="dump_legislature",
    relative_url=dossiers_url,
    parse_archive=parse_dossiers_dump,
    member_prefixes={"an_dossiers": "json/dossierParlementaire/", "an_documents": "json/document/"},
    records=DOSSIER_RECORDS,
    optional=True,
    coverage_check="every_legislature_has_dossiers",
)
AN_DUMPS = (SCRUTINS_DUMP, AMO_DUMP, DOSSIERS_DUMP)
