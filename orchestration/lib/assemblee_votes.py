"""Parse a `Scrutins.json.zip` dump into the raw vote tables.

One member `json/VTANR5L{leg}V{n}.json` (or `VTCG...` for a Congrès vote) is one scrutin. It gives:
- `an_scrutins`: the scrutin and its overall tally (`syntheseVote`);
- `an_group_tallies`: per group, the tally as published, numbered by its place in the file
  (`tally_number`): some scrutins give every group the placeholder uid `PO0`, so the uid alone
  does not key a tally (`decompteVoix`, `positionMajoritaire`);
  `nonVotantsVolontaires` is stored as published, never added to anything (it repeats abstentions);
- `an_votes`: the nominative record (`decompteNominatif`), one row per voter, non-voters included,
  with the group the voter was counted in (its uid and its tally's number). The Congrès file spells the categories in the singular
  (`pour`, `contre`, `abstention`, `nonVotant`) and lists senators too: both are kept as published;
- `an_vote_corrections`: `miseAuPoint`, what deputies said afterwards they meant. Its categories
  are dicts, nulls or two-element arrays like `[null, {"votant": ...}]`, and its
  `dysfonctionnement` sub-record lists votes lost to a voting-machine malfunction.

A scrutin without `uid`, `dateScrutin` or any group tally (`ventilationVotes` empty) cannot be
used: its member fails (or is quarantined) with that reason. A vote category this parser does not
know fails the member rather than dropping its voters; any other unknown field is ignored. Voter fields are strings in every real file and are taken as they
are on the hot path: a voter field of any other shape fails its member (named) when Arrow types it.
"""

from __future__ import annotations

import re
from collections.abc import Container
from pathlib import Path
from typing import Any

from orchestration.lib.assemblee import (
    JsonMember,
    MemberRows,
    OnError,
    ParsedArchive,
    Row,
    as_list,
    boolean,
    integer,
    is_nil,
    iso_date,
    iter_json_members,
    parse_archive,
    required,
    row_type,
    text,
)
from orchestration.lib.quarantine import MemberRecords, UnusableRecord
from orchestration.lib.warehouse import arrow_schema

VOTE_TABLES = ("an_scrutins", "an_group_tallies", "an_votes", "an_vote_corrections")
# A scrutin file's rows, under its uid in every vote table.
SCRUTIN_RECORDS = MemberRecords(
    member_table="an_scrutins",
    member_key="uid",
    key_columns={"an_scrutins": "uid"} | {table: "scrutin_uid" for table in VOTE_TABLES if table != "an_scrutins"},
)
SCRUTIN_MEMBER = re.compile(r"json/VT(AN|CG)R\d+L\d+V\d+\.json")

# Source category -> the singular position stored in raw (plural in VTAN, singular in VTCG).
NOMINATIVE_POSITIONS = {
    "pours": "pour",
    "pour": "pour",
    "contres": "contre",
    "contre": "contre",
    "abstentions": "abstention",
    "abstention": "abstention",
    "nonVotants": "nonVotant",
    "nonVotant": "nonVotant",
}
CORRECTION_POSITIONS = NOMINATIVE_POSITIONS | {
    "nonVotantsVolontaires": "nonVotantVolontaire",
    "nonVotantVolontaire": "nonVotantVolontaire",
}
MALFUNCTION_KEY = "dysfonctionnement"
ScrutinRow = row_type("an_scrutins")
GroupTallyRow = row_type("an_group_tallies")
CorrectionRow = row_type("an_vote_corrections")
# an_votes rows are plain tuples (a named tuple costs 0.2 s over 560,000 voters) in this order,
# checked against the DDL when the module loads.
VOTE_COLUMNS = (
    "scrutin_uid",
    "legislature",
    "tally_number",
    "organe_ref",
    "acteur_ref",
    "mandat_ref",
    "position",
    "par_delegation",
    "cause_position_vote",
    "num_place",
)
# Voter-level `parDelegation`: looked up, not parsed, on the hot path (560,000 voters per legislature).
_PAR_DELEGATION = {None: None, "true": True, "false": False}


if arrow_schema("an_votes").names != list(VOTE_COLUMNS):
    raise ImportError("assemblee_votes: VOTE_COLUMNS no longer follows the an_votes DDL")


def parse_scrutins(archive: Path, on_error: OnError = "fail", names: Container[str] | None = None) -> ParsedArchive:
    """The four vote tables of one legislature's dump (of the members in `names` only, when given)."""
    members = iter_json_members(archive, SCRUTIN_MEMBER, names)
    return parse_archive(archive, members, scrutin_rows, VOTE_TABLES, on_error)


def scrutin_rows(member: JsonMember) -> MemberRows:
    """Every raw row one scrutin file contributes."""
    scrutin = member.document["scrutin"]
    uid = required(text(scrutin.get("uid")), "uid")
    legislature = required(integer(scrutin["legislature"]), "legislature")
    groups = _groups(scrutin)
    votes: list[Row] = []
    for tally_number, group in enumerate(groups, start=1):
        votes.extend(_group_votes(uid, legislature, tally_number, group))
    return {
        "an_scrutins": [_scrutin_row(scrutin, uid, legislature, member)],
        "an_group_tallies": [
            _group_tally_row(uid, legislature, tally_number, group)
            for tally_number, group in enumerate(groups, start=1)
        ],
        "an_votes": votes,
        "an_vote_corrections": _correction_rows(uid, legislature, scrutin.get("miseAuPoint")),
    }


def _scrutin_row(scrutin: dict[str, Any], uid: str, legislature: int, member: JsonMember) -> Row:
    vote_type = scrutin.get("typeVote") or {}
    outcome = scrutin.get("sort") or {}
    subject = scrutin.get("objet") or {}
    synthesis = scrutin.get("syntheseVote") or {}
    tally = synthesis.get("decompte") or {}
    return ScrutinRow(
        uid=uid,
        legislature=legislature,
        numero=required(integer(scrutin["numero"]), "numero"),
        organe_ref=text(scrutin.get("organeRef")),
        session_ref=text(scrutin.get("sessionRef")),
        seance_ref=text(scrutin.get("seanceRef")),
        date_scrutin=required(iso_date(scrutin.get("dateScrutin")), "dateScrutin"),
        code_type_vote=text(vote_type.get("codeTypeVote")),
        libelle_type_vote=text(vote_type.get("libelleTypeVote")),
        type_majorite=text(vote_type.get("typeMajorite")),
        sort_code=text(outcome.get("code")),
        sort_libelle=text(outcome.get("libelle")),
        titre=text(scrutin.get("titre")),
        objet_libelle=text(subject.get("libelle")),
        objet_dossier_legislatif=_dossier_ref(subject.get("dossierLegislatif")),
        demandeur_texte=text((scrutin.get("demandeur") or {}).get("texte")),
        mode_publication_des_votes=text(scrutin.get("modePublicationDesVotes")),
        lieu_vote=text(scrutin.get("lieuVote")),
        nombre_votants=integer(synthesis.get("nombreVotants")),
        suffrages_exprimes=integer(synthesis.get("suffragesExprimes")),
        nbr_suffrages_requis=integer(synthesis.get("nbrSuffragesRequis")),
        decompte_pour=integer(tally.get("pour")),
        decompte_contre=integer(tally.get("contre")),
        decompte_abstentions=integer(tally.get("abstentions")),
        decompte_non_votants=integer(tally.get("nonVotants")),
        decompte_non_votants_volontaires=integer(tally.get("nonVotantsVolontaires")),
        source_member=member.name,
        member_crc32=member.crc32,
    )


def _groups(scrutin: dict[str, Any]) -> list[dict[str, Any]]:
    """The groups of `ventilationVotes`; a scrutin without any has no tally to count cohesion on."""
    groups: Any = scrutin.get("ventilationVotes")
    for level in ("organe", "groupes", "groupe"):
        groups = None if is_nil(groups) else groups.get(level)
    found = as_list(groups)
    if not found:
        raise UnusableRecord("no group tallies: ventilationVotes lists no groupe")
    return found


def _dossier_ref(value: Any) -> str | None:
    """`objet.dossierLegislatif` (17th): a dossier uid, or an element carrying it in `@ref`/`uid`."""
    if isinstance(value, dict) and not ("#text" in value or "@xsi:nil" in value):
        value = value.get("@ref") or value.get("uid") or value.get("dossierRef")
    return text(value)


def _group_tally_row(uid: str, legislature: int, tally_number: int, group: dict[str, Any]) -> Row:
    vote = group["vote"]
    tally = vote["decompteVoix"]
    return GroupTallyRow(
        scrutin_uid=uid,
        legislature=legislature,
        tally_number=tally_number,
        organe_ref=required(text(group["organeRef"]), "groupe.organeRef"),
        nombre_membres_groupe=integer(group.get("nombreMembresGroupe")),
        position_majoritaire=text(vote.get("positionMajoritaire")),
        pour=integer(tally.get("pour")),
        contre=integer(tally.get("contre")),
        abstentions=integer(tally.get("abstentions")),
        non_votants=integer(tally.get("nonVotants")),
        non_votants_volontaires=integer(tally.get("nonVotantsVolontaires")),
    )


def _group_votes(uid: str, legislature: int, tally_number: int, group: dict[str, Any]) -> list[Row]:
    """The nominative record of one group: a row per voter, under the group's tally and organeRef.

    The hottest loop of the load (560,000 voters in the 16th): one comprehension per category."""
    group_ref = required(text(group["organeRef"]), "groupe.organeRef")
    rows: list[Row] = []
    for category, block in (group["vote"].get("decompteNominatif") or {}).items():
        position = _position(NOMINATIVE_POSITIONS, category)
        rows.extend(
            [
                (  # VOTE_COLUMNS order
                    uid,
                    legislature,
                    tally_number,
                    group_ref,
                    voter["acteurRef"],
                    voter.get("mandatRef"),
                    position,
                    _PAR_DELEGATION[voter.get("parDelegation")],
                    voter.get("causePositionVote"),
                    voter.get("numPlace"),
                )
                for voter in _voters(block)
            ]
        )
    return rows


def _correction_rows(uid: str, legislature: int, corrections: dict[str, Any] | None) -> list[Row]:
    """`miseAuPoint` rows: positions stated after the vote, and malfunction reports."""
    if not corrections:
        return []
    rows = _corrections_of(uid, legislature, corrections, malfunction=False)
    rows += _corrections_of(uid, legislature, corrections.get(MALFUNCTION_KEY) or {}, malfunction=True)
    return rows


def _corrections_of(uid: str, legislature: int, record: dict[str, Any], *, malfunction: bool) -> list[Row]:
    rows: list[Row] = []
    for category, block in record.items():
        if category == MALFUNCTION_KEY:
            continue
        position = _position(CORRECTION_POSITIONS, category)
        for voter in _voters(block):
            rows.append(
                CorrectionRow(
                    scrutin_uid=uid,
                    legislature=legislature,
                    position=position,
                    dysfonctionnement=malfunction,
                    acteur_ref=required(text(voter["acteurRef"]), "acteurRef"),
                    mandat_ref=text(voter.get("mandatRef")),
                    par_delegation=boolean(voter.get("parDelegation")),
                )
            )
    return rows


def _position(positions: dict[str, str], category: str) -> str:
    try:
        return positions[category]
    except KeyError:
        raise ValueError(f"unknown vote category {category!r}: its voters would be lost") from None


def _voters(block: Any) -> list[dict[str, Any]]:
    """The voters of one category: null, `{"votant": one or many}`, or (in `miseAuPoint`) a list
    of such blocks and nulls, like `[null, {"votant": ...}]`."""
    if type(block) is dict:  # the nominative record's only shape, checked first
        voters = block["votant"]
        return [voters] if type(voters) is dict else as_list(voters)
    return [voter for part in as_list(block) if part is not None for voter in as_list(part["votant"])]
