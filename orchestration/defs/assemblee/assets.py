"""The two Assemblée dumps the vote warehouse stands on, as Dagster multi-assets.

- `assemblee_votes`: `Scrutins.json.zip` -> raw/an_scrutins, raw/an_group_tallies, raw/an_votes,
  raw/an_vote_corrections (partition column `legislature`). A changed dump loads incrementally:
  only the scrutin files that are new or whose CRC-32 changed are parsed, and their scrutins'
  rows replaced in every vote table (see dumps.py; `force_reload` reloads the whole partition).
- `assemblee_people`: the AMO dump of deputies, mandates and bodies -> raw/an_acteurs,
  raw/an_mandats, raw/an_organes (partition column `dump_legislature`). It is small (a fraction
  of a second to parse), and a deputy's file spreads over three tables: a changed AMO dump simply
  replaces its whole partition.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.defs.assemblee.dumps import AnDump, IncrementalLoad, build_dump_asset
from orchestration.lib.assemblee import OnError, ParsedArchive
from orchestration.lib.assemblee_people import PEOPLE_RECORDS, PEOPLE_TABLES, parse_amo
from orchestration.lib.assemblee_votes import SCRUTIN_MEMBER, SCRUTIN_RECORDS, VOTE_TABLES, parse_scrutins

# The live AN site publishes a past legislature's AMO as AMO20 (every mandate, senators and
# ministers included) and the current one's as AMO10 (active deputies); the 17th is current.
FIRST_AMO10_LEGISLATURE = 17


def scrutins_url(legislature: int) -> str:
    return f"{legislature}/loi/scrutins/Scrutins.json.zip"


def amo_url(legislature: int) -> str:
    if legislature < FIRST_AMO10_LEGISLATURE:
        return f"{legislature}/amo/deputes_senateurs_ministres_legislature/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip"
    return (
        f"{legislature}/amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"
    )


def parse_scrutins_dump(path: Path, _legislature: int, on_error: OnError) -> ParsedArchive:
    """A scrutins dump names each scrutin's legislature itself (and the rows keep it)."""
    return parse_scrutins(path, on_error)


SCRUTINS_DUMP = AnDump(
    name="scrutins",
    tables=VOTE_TABLES,
    partition_column="legislature",
    relative_url=scrutins_url,
    parse=parse_scrutins_dump,
    member_prefixes={"an_scrutins": "json/"},
    records=(SCRUTIN_RECORDS,),
    incremental=IncrementalLoad(member_pattern=SCRUTIN_MEMBER, parse_members=parse_scrutins),
)
AMO_DUMP = AnDump(
    name="amo",
    tables=PEOPLE_TABLES,
    partition_column="dump_legislature",
    relative_url=amo_url,
    parse=parse_amo,
    member_prefixes={"an_acteurs": "json/acteur/", "an_organes": "json/organe/"},
    records=PEOPLE_RECORDS,
)

assemblee_votes = build_dump_asset(
    SCRUTINS_DUMP,
    "assemblee_votes",
    "Every public vote of the Assemblée (and Congrès) per legislature: scrutins, group tallies,"
    " nominative votes and after-the-fact corrections.",
)
assemblee_people = build_dump_asset(
    AMO_DUMP,
    "assemblee_people",
    "Deputies (acteurs), every mandate with its dates (group memberships included) and the bodies"
    " (organes) of each legislature's AMO dump.",
)
