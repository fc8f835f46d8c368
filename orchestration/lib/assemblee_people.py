"""Parse an AMO dump (deputies, their mandates, the bodies they sit in) into raw tables.

`json/acteur/PA*.json` gives one `an_acteurs` row and, from the mandates embedded in it (AMO20
of the 16th and AMO10 of the 17th both embed them), `an_mandats` rows; `json/organe/PO*.json`
gives one `an_organes` row. Quirks handled: the acteur `uid` is an element `{"#text": "PA..."}`;
nil values are `{"@xsi:nil": "true"}`; `mandats.mandat` is one object or a list; a mandate's
`organes.organeRef` is one string or (ministers "en mission") a list, kept whole in `organe_refs`
with the first in `organe_ref`. Dumps that ship mandates as their own files
(`json/mandat/PM*.json`) are read too.

Every row carries `dump_legislature`, the legislature of the dump it came from: the partition that
reloading that dump replaces (an acteur appears in the dumps of several legislatures).
"""

from __future__ import annotations

import re
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
    iso_date,
    iter_json_members,
    parse_archive,
    required,
    row_type,
    text,
)
from orchestration.lib.quarantine import MemberRecords

PEOPLE_TABLES = ("an_acteurs", "an_mandats", "an_organes")
# Which rows a member loaded: an acteur file's, under the acteur uid (its embedded mandates too);
# an organe file's, its uid. Mandate files (`json/mandat/`, in none of the real dumps) have no
# member table: quarantined, they keep nothing.
PEOPLE_RECORDS = (
    MemberRecords("an_acteurs", "uid", {"an_acteurs": "uid", "an_mandats": "acteur_ref"}),
    MemberRecords("an_organes", "uid", {"an_organes": "uid"}),
)
ActeurRow = row_type("an_acteurs")
MandatRow = row_type("an_mandats")
OrganeRow = row_type("an_organes")
AMO_MEMBER = re.compile(r"json/(acteur/PA|organe/PO|mandat/PM)\w+\.json")


def parse_amo(archive: Path, dump_legislature: int, on_error: OnError = "fail") -> ParsedArchive:
    """The acteur, mandate and organe tables of one AMO dump."""

    def member_rows(member: JsonMember) -> MemberRows:
        document = member.document
        if "acteur" in document:
            return acteur_rows(member, dump_legislature)
        if "mandat" in document:
            mandate = document["mandat"]
            acteur_ref = required(text(mandate.get("acteurRef")), "mandat.acteurRef")
            return {"an_mandats": [_mandate_row(mandate, acteur_ref, dump_legislature)]}
        return {"an_organes": [organe_row(member, dump_legislature)]}

    members = iter_json_members(archive, AMO_MEMBER)
    return parse_archive(archive, members, member_rows, PEOPLE_TABLES, on_error)


def acteur_rows(member: JsonMember, dump_legislature: int) -> MemberRows:
    """The acteur and every mandate embedded in its file."""
    acteur = member.document["acteur"]
    uid = required(text(acteur["uid"]), "acteur.uid")
    civil_state = acteur["etatCivil"]
    identity = civil_state["ident"]
    birth = civil_state.get("infoNaissance") or {}
    profession = acteur.get("profession") or {}
    acteur_row = ActeurRow(
        uid=uid,
        dump_legislature=dump_legislature,
        civ=text(identity.get("civ")),
        prenom=text(identity.get("prenom")),
        nom=text(identity.get("nom")),
        alpha=text(identity.get("alpha")),
        trigramme=text(identity.get("trigramme")),
        date_nais=iso_date(birth.get("dateNais")),
        ville_nais=text(birth.get("villeNais")),
        dep_nais=text(birth.get("depNais")),
        date_deces=iso_date(civil_state.get("dateDeces")),
        profession_libelle=text(profession.get("libelleCourant")),
        source_member=member.name,
    )
    mandates = as_list((acteur.get("mandats") or {}).get("mandat"))
    return {
        "an_acteurs": [acteur_row],
        "an_mandats": [_mandate_row(mandate, uid, dump_legislature) for mandate in mandates],
    }


def _mandate_row(mandate: dict[str, Any], acteur_uid: str, dump_legislature: int) -> Row:
    quality = mandate.get("infosQualite") or {}
    organe_refs = [text(ref) for ref in as_list((mandate.get("organes") or {}).get("organeRef"))]
    return MandatRow(
        uid=required(text(mandate["uid"]), "mandat.uid"),
        dump_legislature=dump_legislature,
        acteur_ref=text(mandate.get("acteurRef")) or acteur_uid,
        legislature=integer(mandate.get("legislature")),
        type_organe=text(mandate.get("typeOrgane")),
        organe_ref=organe_refs[0] if organe_refs else None,
        date_debut=iso_date(mandate.get("dateDebut")),
        date_fin=iso_date(mandate.get("dateFin")),
        date_publication=iso_date(mandate.get("datePublication")),
        preseance=integer(mandate.get("preseance")),
        nomin_principale=boolean(mandate.get("nominPrincipale")),
        code_qualite=text(quality.get("codeQualite")),
        lib_qualite=text(quality.get("libQualite")),
        organe_refs=organe_refs,
    )


def organe_row(member: JsonMember, dump_legislature: int) -> Row:
    """One body (group, committee, ministry...) with its lifetime (`viMoDe`)."""
    organe = member.document["organe"]
    lifetime = organe.get("viMoDe") or {}
    return OrganeRow(
        uid=required(text(organe["uid"]), "organe.uid"),
        dump_legislature=dump_legislature,
        xsi_type=text(organe.get("@xsi:type")),
        code_type=text(organe.get("codeType")),
        libelle=text(organe.get("libelle")),
        libelle_edition=text(organe.get("libelleEdition")),
        libelle_abrege=text(organe.get("libelleAbrege")),
        libelle_abrev=text(organe.get("libelleAbrev")),
        date_debut=iso_date(lifetime.get("dateDebut")),
        date_fin=iso_date(lifetime.get("dateFin")),
        legislature=integer(organe.get("legislature")),
        organe_parent=text(organe.get("organeParent")),
        source_member=member.name,
    )
