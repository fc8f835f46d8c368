"""The inputs the bench makes from the real 16th votes dump.

- the members extracted to a directory, for the `read_json` baseline (which cannot read a zip);
- synthetic legislatures k times larger: every real scrutin file repeated k times, each copy
  under a new uid and member name, so the parser and the loader see k times the files and rows;
- the ideal-point estimator's ballots (ideal_point_tables.BALLOTS_SQL) of the 16th, from the
  pipeline's parse of the dump, and the same with every scrutin repeated k times.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import duckdb

from orchestration.lib.assemblee_votes import SCRUTIN_MEMBER, VOTE_TABLES, parse_scrutins
from orchestration.lib.config import PROJECT_ROOT
from orchestration.lib.ideal_point_tables import ballots_sql
from orchestration.lib.warehouse import PartitionLoad, replace_rows

GROUPS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "ref_parliament_groups.csv"
# fct_deputy_votes' columns that BALLOTS_SQL reads, from the raw layer: the in-scope votes (SPO,
# SPS of the Assemblée), the group as the seed names it.
RAW_VOTES_SQL = """
select
    votes.legislature,
    votes.scrutin_uid || '{suffix}' as scrutin_uid,
    votes.acteur_ref as deputy_uid,
    coalesce(groups.group_code, votes.organe_ref) as group_code,
    scrutins.date_scrutin as vote_date,
    case votes.position when 'pour' then 'for' when 'contre' then 'against' else votes.position end as position,
    scrutins.uid like 'VTAN%' and scrutins.code_type_vote in ('SPO', 'SPS') as in_cohesion_scope
from raw.an_votes as votes
inner join raw.an_scrutins as scrutins on votes.scrutin_uid = scrutins.uid
left join read_csv('{seed}') as groups
    on votes.legislature = groups.legislature and votes.organe_ref = groups.group_uid
"""

_NUMBERED_UID = re.compile(r"(VT(?:AN|CG)R\d+L\d+V)(\d+)")
# Copy c of scrutin n is numbered c * COPY_STRIDE + n: above any real scrutin number.
COPY_STRIDE = 1_000_000


def extract_members(archive: Path, target: Path) -> Path:
    """Every member of `archive` written under `target` (names checked by the pipeline's own reader)."""
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            if SCRUTIN_MEMBER.fullmatch(info.filename):
                destination = target / info.filename
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(opened.read(info))
    return target


def write_scaled_dump(archive: Path, target: Path, factor: int) -> Path:
    """A dump with each scrutin file present `factor` times: copy 0 as is, copy c with its uid
    (in the name and everywhere in the file) renumbered. Other members are left out."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as scaled:
        for info in source.infolist():
            if not SCRUTIN_MEMBER.fullmatch(info.filename):
                continue
            content = source.read(info)
            for copy in range(factor):
                scaled.writestr(_renumbered(info.filename, copy), _renumbered_bytes(content, copy))
    return target


def _renumbered(text: str, copy: int) -> str:
    return _NUMBERED_UID.sub(lambda match: f"{match.group(1)}{copy * COPY_STRIDE + int(match.group(2))}", text)


def _renumbered_bytes(content: bytes, copy: int) -> bytes:
    return content if copy == 0 else _renumbered(content.decode("utf-8"), copy).encode("utf-8")


def write_ballots(archive: Path, target: Path, copies: int = 1, legislature: int = 16) -> Path:
    """The estimator's ballots of one legislature's dump as Parquet, each scrutin `copies` times
    (copy c under uid suffix -c): a legislature with `copies` times the votes of the real one."""
    parsed = parse_scrutins(archive)
    with duckdb.connect() as con:
        replace_rows(
            con, [PartitionLoad(table, "legislature", legislature, parsed.tables[table]) for table in VOTE_TABLES]
        )
        selects = [RAW_VOTES_SQL.format(suffix=f"-{copy}" if copy else "", seed=GROUPS_SEED) for copy in range(copies)]
        votes = con.sql(" union all ".join(selects))
        votes.query("votes", ballots_sql(legislature)).write_parquet(str(target))
    return target
