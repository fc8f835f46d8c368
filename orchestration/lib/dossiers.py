"""Parse the Assemblée's legislative dossiers dump into raw-layer Arrow tables.

The dump (`Dossiers_Legislatifs.json.zip`) holds two kinds of members:
`json/dossierParlementaire/DLR5L{leg}N*.json` (a dossier and its act tree) and
`json/document/*.json` (the texts and reports those acts point to). The act tree is what ties a
vote to its text, so it is flattened here, parent by parent, keeping every act at any depth.

Quirks handled (all seen in the real files): `actesLegislatifs.acteLegislatif` is an object when
there is one child and a list otherwise, `null` on leaves; `voteRefs.voteRef` is a string, once a
list; every number is a string; dates are ISO timestamps whose first ten characters are the
local (Paris) date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
import pyarrow as pa

DOSSIER_MEMBER_DIR = "json/dossierParlementaire/"
DOCUMENT_MEMBER_DIR = "json/document/"

Row = dict[str, Any]
Json = dict[str, Any]


class DossierParseError(ValueError):
    """A member of the dossiers dump is not the shape the parser knows; names the member."""


@dataclass
class DossierTables:
    """Rows of the three raw tables for one dump, plus the members that could not be parsed."""

    dossiers: list[Row] = field(default_factory=list)
    acts: list[Row] = field(default_factory=list)
    documents: list[Row] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)

    def to_arrow(self) -> dict[str, pa.Table]:
        """Arrow tables keyed by raw table name, typed as in raw_schema (empty tables keep their columns)."""
        return {
            "an_dossiers": pa.Table.from_pylist(self.dossiers, schema=DOSSIER_SCHEMA),
            "an_dossier_acts": pa.Table.from_pylist(self.acts, schema=ACT_SCHEMA),
            "an_documents": pa.Table.from_pylist(self.documents, schema=DOCUMENT_SCHEMA),
        }


DOSSIER_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("dump_legislature", pa.int16()),
        ("legislature", pa.int16()),
        ("xsi_type", pa.string()),
        ("titre", pa.string()),
        ("titre_chemin", pa.string()),
        ("senat_chemin", pa.string()),
        ("procedure_code", pa.string()),
        ("procedure_libelle", pa.string()),
        ("fusion_cause", pa.string()),
        ("fusion_dossier_absorbant_ref", pa.string()),
        ("source_member", pa.string()),
    ]
)

ACT_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("dump_legislature", pa.int16()),
        ("dossier_ref", pa.string()),
        ("parent_ref", pa.string()),
        ("depth", pa.int16()),
        ("sibling_order", pa.int16()),
        ("xsi_type", pa.string()),
        ("code_acte", pa.string()),
        ("libelle_nom_canonique", pa.string()),
        ("libelle_court", pa.string()),
        ("organe_ref", pa.string()),
        ("date_acte", pa.date32()),
        ("reunion_ref", pa.string()),
        ("odj_ref", pa.string()),
        ("texte_associe", pa.string()),
        ("texte_adopte", pa.string()),
        ("vote_refs", pa.list_(pa.string())),
        ("statut_conclusion_code", pa.string()),
        ("statut_conclusion_libelle", pa.string()),
        ("decision_code", pa.string()),
        ("decision_libelle", pa.string()),
    ]
)

DOCUMENT_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("dump_legislature", pa.int16()),
        ("legislature", pa.int16()),
        ("xsi_type", pa.string()),
        ("dossier_ref", pa.string()),
        ("denomination_structurelle", pa.string()),
        ("titre_principal", pa.string()),
        ("titre_principal_court", pa.string()),
        ("type_code", pa.string()),
        ("type_libelle", pa.string()),
        ("statut_adoption", pa.string()),
        ("date_depot", pa.date32()),
        ("date_publication", pa.date32()),
        ("source_member", pa.string()),
    ]
)


def as_list(value: Any) -> list[Any]:
    """The source writes one child as an object and several as a list; `null` means none."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A scalar as text; nil markers (`{"@xsi:nil": "true"}`) and empty strings become None."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _small_int(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text is not None else None


def _local_date(value: Any) -> date | None:
    """`2021-02-10T00:00:00.000+01:00` -> 2021-02-10: the date as written, in Paris time."""
    text = _text(value)
    return date.fromisoformat(text[:10]) if text else None


def _field(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]... or None as soon as a level is missing or not an object."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _vote_refs(act: Json) -> list[str] | None:
    refs = [ref for ref in (_text(item) for item in as_list(_field(act, "voteRefs", "voteRef"))) if ref]
    return refs or None


def parse_dossier(record: Json, dump_legislature: int, member: str) -> tuple[Row, list[Row]]:
    """One `dossierParlementaire` -> its raw row and the rows of its whole act tree."""
    dossier = record["dossierParlementaire"]
    uid = _text(dossier["uid"])
    if uid is None:
        raise DossierParseError(f"{member}: dossier without uid")
    row = {
        "uid": uid,
        "dump_legislature": dump_legislature,
        "legislature": _small_int(dossier.get("legislature")),
        "xsi_type": _text(dossier.get("@xsi:type")),
        "titre": _text(_field(dossier, "titreDossier", "titre")),
        "titre_chemin": _text(_field(dossier, "titreDossier", "titreChemin")),
        "senat_chemin": _text(_field(dossier, "titreDossier", "senatChemin")),
        "procedure_code": _text(_field(dossier, "procedureParlementaire", "code")),
        "procedure_libelle": _text(_field(dossier, "procedureParlementaire", "libelle")),
        "fusion_cause": _text(_field(dossier, "fusionDossier", "cause")),
        "fusion_dossier_absorbant_ref": _text(_field(dossier, "fusionDossier", "dossierAbsorbantRef")),
        "source_member": member,
    }
    acts: list[Row] = []
    _flatten_acts(dossier.get("actesLegislatifs"), uid, None, 0, dump_legislature, acts)
    return row, acts


def _flatten_acts(
    container: Any, dossier_uid: str, parent_uid: str | None, depth: int, dump_legislature: int, out: list[Row]
) -> None:
    """Depth-first walk of `actesLegislatifs`, appending one row per act (parents before children)."""
    for order, act in enumerate(as_list(_field(container, "acteLegislatif"))):
        act_uid = _text(act.get("uid"))
        code = _text(act.get("codeActe"))
        if act_uid is None or code is None:
            raise DossierParseError(f"act without uid or codeActe under {parent_uid or dossier_uid}")
        out.append(_act_row(act, act_uid, code, dossier_uid, parent_uid, depth, order, dump_legislature))
        _flatten_acts(act.get("actesLegislatifs"), dossier_uid, act_uid, depth + 1, dump_legislature, out)


def _act_row(
    act: Json,
    act_uid: str,
    code: str,
    dossier_uid: str,
    parent_uid: str | None,
    depth: int,
    order: int,
    dump_legislature: int,
) -> Row:
    return {
        "uid": act_uid,
        "dump_legislature": dump_legislature,
        "dossier_ref": dossier_uid,
        "parent_ref": parent_uid,
        "depth": depth,
        "sibling_order": order,
        "xsi_type": _text(act.get("@xsi:type")),
        "code_acte": code,
        "libelle_nom_canonique": _text(_field(act, "libelleActe", "nomCanonique")),
        "libelle_court": _text(_field(act, "libelleActe", "libelleCourt")),
        "organe_ref": _text(act.get("organeRef")),
        "date_acte": _local_date(act.get("dateActe")),
        "reunion_ref": _text(act.get("reunionRef")),
        "odj_ref": _text(act.get("odjRef")),
        "texte_associe": _text(act.get("texteAssocie")),
        "texte_adopte": _text(act.get("texteAdopte")),
        "vote_refs": _vote_refs(act),
        "statut_conclusion_code": _text(_field(act, "statutConclusion", "fam_code")),
        "statut_conclusion_libelle": _text(_field(act, "statutConclusion", "libelle")),
        "decision_code": _text(_field(act, "decision", "fam_code")),
        "decision_libelle": _text(_field(act, "decision", "libelle")),
    }


def parse_document(record: Json, dump_legislature: int, member: str) -> Row:
    """One `document` (a bill, a report, a treaty...) -> its raw row."""
    document = record["document"]
    uid = _text(document["uid"])
    if uid is None:
        raise DossierParseError(f"{member}: document without uid")
    return {
        "uid": uid,
        "dump_legislature": dump_legislature,
        "legislature": _small_int(document.get("legislature")),
        "xsi_type": _text(document.get("@xsi:type")),
        "dossier_ref": _text(document.get("dossierRef")),
        "denomination_structurelle": _text(document.get("denominationStructurelle")),
        "titre_principal": _text(_field(document, "titres", "titrePrincipal")),
        "titre_principal_court": _text(_field(document, "titres", "titrePrincipalCourt")),
        "type_code": _text(_field(document, "classification", "type", "code")),
        "type_libelle": _text(_field(document, "classification", "type", "libelle")),
        "statut_adoption": _text(_field(document, "classification", "statutAdoption")),
        "date_depot": _local_date(_field(document, "cycleDeVie", "chrono", "dateDepot")),
        "date_publication": _local_date(_field(document, "cycleDeVie", "chrono", "datePublication")),
        "source_member": member,
    }


def parse_member(name: str, payload: bytes, dump_legislature: int, tables: DossierTables) -> None:
    """Parse one archive member into `tables`; a member the parser cannot read is quarantined
    with its error (never silently dropped), members of other folders are ignored."""
    if not name.endswith(".json") or not name.startswith((DOSSIER_MEMBER_DIR, DOCUMENT_MEMBER_DIR)):
        return
    try:
        record = orjson.loads(payload)
        if name.startswith(DOSSIER_MEMBER_DIR):
            dossier, acts = parse_dossier(record, dump_legislature, name)
            tables.dossiers.append(dossier)
            tables.acts.extend(acts)
        else:
            tables.documents.append(parse_document(record, dump_legislature, name))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        tables.quarantined.append((name, f"{type(exc).__name__}: {exc}"))


def parse_dossiers_dump(members: Iterable[tuple[str, bytes]], dump_legislature: int) -> DossierTables:
    """Every member of one legislature's dossiers dump -> the rows of the three raw tables."""
    tables = DossierTables()
    for name, payload in members:
        parse_member(name, payload, dump_legislature, tables)
    return tables
