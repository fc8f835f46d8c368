"""Asset checks on the raw AN tables, each a query listing the rows that break one expectation.

A check passes when its query finds nothing. ERROR checks are blocking: dbt models downstream of
a failing raw table do not run. The group-tally check is a WARN: a few real scrutins publish group
counts that differ from their own nominative lists, which the raw layer keeps as published. (The
checks a load evaluates itself, rows per archive member and quarantined members, are declared
with the dumps: lib/an_dumps.py.)
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.defs.sources import raw_key

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class OffendingRowsCheck:
    """An expectation on one raw table, as the query of the rows that break it."""

    name: str
    table: str
    description: str
    offending_rows_sql: str
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR


def _nominative_counts_sql(group_columns: str) -> str:
    """Nominative votes per position, grouped by `group_columns` of raw.an_votes."""
    return f"""
        SELECT {group_columns},
               count(*) FILTER (WHERE position = 'pour') AS pour,
               count(*) FILTER (WHERE position = 'contre') AS contre,
               count(*) FILTER (WHERE position = 'abstention') AS abstentions,
               count(*) FILTER (WHERE position = 'nonVotant') AS non_votants
        FROM raw.an_votes GROUP BY ALL
    """


VOTE_CHECKS = (
    OffendingRowsCheck(
        "every_scrutin_has_group_tallies",
        "an_group_tallies",
        "Every scrutin has at least one group tally row.",
        """SELECT s.uid, s.legislature FROM raw.an_scrutins s
           ANTI JOIN raw.an_group_tallies t ON t.scrutin_uid = s.uid AND t.legislature = s.legislature""",
    ),
    OffendingRowsCheck(
        "every_scrutin_has_nominative_votes",
        "an_votes",
        "Every scrutin has its nominative record (non-voters included).",
        """SELECT s.uid, s.legislature FROM raw.an_scrutins s
           ANTI JOIN raw.an_votes v ON v.scrutin_uid = s.uid AND v.legislature = s.legislature""",
    ),
    OffendingRowsCheck(
        "one_vote_per_deputy_and_scrutin",
        "an_votes",
        "A deputy appears once in a scrutin's nominative record.",
        """SELECT scrutin_uid, acteur_ref, count(*) AS rows FROM raw.an_votes
           GROUP BY ALL HAVING count(*) > 1""",
    ),
    OffendingRowsCheck(
        "votes_belong_to_loaded_group_tallies",
        "an_votes",
        "Every nominative vote is listed under a group tally of its scrutin, with that tally's uid.",
        """SELECT DISTINCT v.scrutin_uid, v.tally_number, v.organe_ref FROM raw.an_votes v
           ANTI JOIN raw.an_group_tallies t
             ON t.scrutin_uid = v.scrutin_uid AND t.tally_number = v.tally_number
            AND t.organe_ref = v.organe_ref AND t.legislature = v.legislature""",
    ),
    OffendingRowsCheck(
        "corrections_belong_to_loaded_scrutins",
        "an_vote_corrections",
        "Every vote correction (miseAuPoint) refers to a loaded scrutin.",
        """SELECT c.scrutin_uid, c.acteur_ref FROM raw.an_vote_corrections c
           ANTI JOIN raw.an_scrutins s ON s.uid = c.scrutin_uid AND s.legislature = c.legislature""",
    ),
    OffendingRowsCheck(
        "group_tallies_match_nominative_votes",
        "an_group_tallies",
        "Group counts as published (decompteVoix) equal the counts of the group's nominative list;"
        " a few real scrutins differ, so this warns and reports how many.",
        f"""WITH nominative AS ({_nominative_counts_sql("scrutin_uid, tally_number")})
            SELECT t.scrutin_uid, t.tally_number, t.organe_ref,
                   t.pour, n.pour AS nominative_pour, t.contre, n.contre AS nominative_contre,
                   t.abstentions, n.abstentions AS nominative_abstentions,
                   t.non_votants, n.non_votants AS nominative_non_votants
            FROM raw.an_group_tallies t
            LEFT JOIN nominative n USING (scrutin_uid, tally_number)
            WHERE (t.pour, t.contre, t.abstentions, t.non_votants) IS DISTINCT FROM
                  (coalesce(n.pour, 0), coalesce(n.contre, 0), coalesce(n.abstentions, 0), coalesce(n.non_votants, 0))""",
        severity=dg.AssetCheckSeverity.WARN,
    ),
)

PEOPLE_CHECKS = (
    OffendingRowsCheck(
        "one_row_per_acteur_and_dump",
        "an_acteurs",
        "An acteur appears once per dump.",
        "SELECT uid, dump_legislature FROM raw.an_acteurs GROUP BY ALL HAVING count(*) > 1",
    ),
    OffendingRowsCheck(
        "one_row_per_mandate_and_dump",
        "an_mandats",
        "A mandate appears once per dump.",
        "SELECT uid, dump_legislature FROM raw.an_mandats GROUP BY ALL HAVING count(*) > 1",
    ),
    OffendingRowsCheck(
        "mandates_belong_to_loaded_acteurs",
        "an_mandats",
        "Every mandate's acteur is in the same dump.",
        """SELECT m.uid, m.acteur_ref, m.dump_legislature FROM raw.an_mandats m
           ANTI JOIN raw.an_acteurs a ON a.uid = m.acteur_ref AND a.dump_legislature = m.dump_legislature""",
    ),
    OffendingRowsCheck(
        "one_row_per_organe_and_dump",
        "an_organes",
        "An organe appears once per dump.",
        "SELECT uid, dump_legislature FROM raw.an_organes GROUP BY ALL HAVING count(*) > 1",
    ),
)


def build_check(check: OffendingRowsCheck) -> dg.AssetChecksDefinition:
    """The Dagster check of one expectation: counts the offending rows and shows a few."""
    blocking = check.severity == dg.AssetCheckSeverity.ERROR

    @dg.asset_check(
        asset=raw_key(check.table),
        name=check.name,
        description=check.description,
        blocking=blocking,
        pool=WAREHOUSE_WRITER_POOL,  # DuckDB opens the file exclusively: checks queue with the writers
    )
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            offending = con.execute(f"SELECT count(*) FROM ({check.offending_rows_sql})").fetchone()[0]
            sample = con.execute(f"SELECT * FROM ({check.offending_rows_sql}) LIMIT {SAMPLE_ROWS}").fetchall()
        return dg.AssetCheckResult(
            passed=offending == 0,
            severity=check.severity,
            metadata={"offending_rows": offending, "sample": [str(row) for row in sample] or "none"},
        )

    return _check


vote_checks = [build_check(check) for check in VOTE_CHECKS]
people_checks = [build_check(check) for check in PEOPLE_CHECKS]
