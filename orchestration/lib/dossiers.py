"""Parse the Assemblée's legislative dossiers dump into the raw dossier tables.

The dump (`Dossiers_Legislatifs.json.zip`) holds two kinds of members:
- `json/dossierParlementaire/DLR5L{leg}N*.json`: a dossier and its act tree, giving `an_dossiers`
  and `an_dossier_acts`. The act tree is what ties a vote to its text (decision acts name the
  scrutin, sitting acts name the sitting, `AN1-COM-FOND-SAISIE` names the committee), so it is
  flattened here, every act at any depth, parents before children, each with its parent's uid.
- `json/document/*.json`: the texts and reports the acts point to, giving `an_documents` (their
  titles are the text names that vote titles quote).

Quirks handled (all seen in the real files): `actesLegislatifs.acteLegislatif` is an object when
there is one child and a list otherwise, `null` on leaves; `voteRefs.voteRef` is a string, once a
list; every number is a string; act dates are timestamps (`2021-02-10T00:00:00.000+01:00`) whose
first ten characters are the Paris date. Reading members, failing or quarantining a bad one and
typing the Arrow tables are shared with the other AN parsers (`assemblee.parse_archive`).
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from orchestration.lib.assemblee import (
    JsonMember,
    MemberRows,
    OnError,
    ParsedArchive,
    Row,
    as_list,
    integer,
    iter_json_members,
    parse_archive,
    required,
    row_type,
    text,
)
from orchestration.lib.quarantine import MemberRecords

DOSSIER_TABLES = ("an_dossiers", "an_dossier_acts", "an_documents")
# Which rows a member loaded: a dossier file's, under the dossier uid; a document file's, its uid.
DOSSIER_RECORDS = (
    MemberRecords("an_dossiers", "uid", {"an_dossiers": "uid", "an_dossier_acts": "dossier_ref"}),
    MemberRecords("an_documents", "uid", {"an_documents": "uid"}),
)
DOSSIER_MEMBER = re.compile(r"json/dossierParlementaire/[^/]+\.json")
DOSSIERS_DUMP_MEMBER = re.compile(r"json/(dossierParlementaire|document)/[^/]+\.json")

DossierRow = row_type("an_dossiers")
ActRow = row_type("an_dossier_acts")
DocumentRow = row_type("an_documents")

Json = dict[str, Any]


def parse_dossiers_dump(archive: Path, dump_legislature: int, on_error: OnError = "fail") -> ParsedArchive:
    """The three dossier tables of one legislature's dossiers dump."""
    members = iter_json_members(archive, DOSSIERS_DUMP_MEMBER)
    parse_member = partial(dossiers_dump_rows, dump_legislature=dump_legislature)
    return parse_archive(archive, members, parse_member, DOSSIER_TABLES, on_error)


def dossiers_dump_rows(member: JsonMember, dump_legislature: int) -> MemberRows:
    """Every raw row one member of the dump contributes (a dossier and its acts, or a document)."""
    if DOSSIER_MEMBER.fullmatch(member.name):
        dossier = member.document["dossierParlementaire"]
        dossier_uid = required(text(dossier["uid"]), "uid")
        return {
            "an_dossiers": [_dossier_row(dossier, dossier_uid, dump_legislature, member.name)],
            "an_dossier_acts": flatten_acts(dossier.get("actesLegislatifs"), dossier_uid, dump_legislature),
        }
    return {"an_documents": [_document_row(member.document["document"], dump_legislature, member.name)]}


def flatten_acts(container: Any, dossier_uid: str, dump_legislature: int) -> list[Row]:
    """The act tree under `container` (an `actesLegislatifs` value), depth first, parents first."""
    rows: list[Row] = []

    def visit(node: Any, parent_uid: str | None, depth: int) -> None:
        for order, act in enumerate(as_list(_field(node, "acteLegislatif"))):
            row = _act_row(act, dossier_uid, parent_uid, depth, order, dump_legislature)
            rows.append(row)
            visit(act.get("actesLegislatifs"), row.uid, depth + 1)

    visit(container, None, 0)
    return rows


def paris_date(value: Any) -> date | None:
    """`2021-02-10T00:00:00.000+01:00` -> 2021-02-10: the calendar date as the source wrote it."""
    as_text = text(value)
    return None if as_text is None else date.fromisoformat(as_text[:10])


def _field(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]... or None as soon as a level is absent or null."""
    for key in path:
        if obj is None:
            return None
        obj = obj.get(key)
    return obj


def _dossier_row(dossier: Json, uid: str, dump_legislature: int, member: str) -> Row:
    return DossierRow(
        uid=uid,
        dump_legislature=dump_legislature,
        legislature=integer(dossier.get("legislature")),
        xsi_type=text(dossier.get("@xsi:type")),
        titre=text(_field(dossier, "titreDossier", "titre")),
        titre_chemin=text(_field(dossier, "titreDossier", "titreChemin")),
        senat_chemin=text(_field(dossier, "titreDossier", "senatChemin")),
        procedure_code=text(_field(dossier, "procedureParlementaire", "code")),
        procedure_libelle=text(_field(dossier, "procedureParlementaire", "libelle")),
        fusion_cause=text(_field(dossier, "fusionDossier", "cause")),
        fusion_dossier_absorbant_ref=text(_field(dossier, "fusionDossier", "dossierAbsorbantRef")),
        source_member=member,
    )


def _act_row(act: Json, dossier_uid: str, parent_uid: str | None, depth: int, order: int, dump_legislature: int) -> Row:
    vote_refs = [required(text(ref), "voteRef") for ref in as_list(_field(act, "voteRefs", "voteRef"))]
    return ActRow(
        uid=required(text(act.get("uid")), "acteLegislatif.uid"),
        dump_legislature=dump_legislature,
        dossier_ref=dossier_uid,
        parent_ref=parent_uid,
        depth=depth,
        sibling_order=order,
        xsi_type=text(act.get("@xsi:type")),
        code_acte=required(text(act.get("codeActe")), "codeActe"),
        libelle_nom_canonique=text(_field(act, "libelleActe", "nomCanonique")),
        libelle_court=text(_field(act, "libelleActe", "libelleCourt")),
        organe_ref=text(act.get("organeRef")),
        date_acte=paris_date(act.get("dateActe")),
        reunion_ref=text(act.get("reunionRef")),
        odj_ref=text(act.get("odjRef")),
        texte_associe=text(act.get("texteAssocie")),
        texte_adopte=text(act.get("texteAdopte")),
        vote_refs=vote_refs or None,
        statut_conclusion_code=text(_field(act, "statutConclusion", "fam_code")),
        statut_conclusion_libelle=text(_field(act, "statutConclusion", "libelle")),
        decision_code=text(_field(act, "decision", "fam_code")),
        decision_libelle=text(_field(act, "decision", "libelle")),
    )


def _document_row(document: Json, dump_legislature: int, member: str) -> Row:
    return DocumentRow(
        uid=required(text(document["uid"]), "uid"),
        dump_legislature=dump_legislature,
        legislature=integer(document.get("legislature")),
        xsi_type=text(document.get("@xsi:type")),
        dossier_ref=text(document.get("dossierRef")),
        denomination_structurelle=text(document.get("denominationStructurelle")),
        titre_principal=text(_field(document, "titres", "titrePrincipal")),
        titre_principal_court=text(_field(document, "titres", "titrePrincipalCourt")),
        type_code=text(_field(document, "classification", "type", "code")),
        type_libelle=text(_field(document, "classification", "type", "libelle")),
        statut_adoption=text(_field(document, "classification", "statutAdoption")),
        date_depot=paris_date(_field(document, "cycleDeVie", "chrono", "dateDepot")),
        date_publication=paris_date(_field(document, "cycleDeVie", "chrono", "datePublication")),
        source_member=member,
    )
