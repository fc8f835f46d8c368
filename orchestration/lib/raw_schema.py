"""DDL of the raw layer: the contract between the Python loaders and dbt's sources.

Raw keeps the source's own words (snake_cased: `position_majoritaire`), typed: the source writes
every number as a string, the raw layer does not. Each table has a partition column
(`legislature` for votes, `dump_legislature` for the AMO dumps, `source` for polls) so one
legislature or feed is replaced in one transaction.
"""

from __future__ import annotations

import re

RAW_SCHEMA = "raw"
_COLUMN_DDL = re.compile(r"^\s*(\w+)\s+([A-Z]+(?:\[\])?)(.*)$")

# Every poll table starts with the feed (partition column) and the row in its file.
POLL_ROW_COLUMNS = """
        source VARCHAR NOT NULL,
        source_row INTEGER NOT NULL,"""
# The poll header MieuxVoter repeats in its results and polls files (NSPPolls family).
MIEUXVOTER_POLL_COLUMNS = """
        poll_id VARCHAR NOT NULL,
        hypothese VARCHAR,
        nom_institut VARCHAR NOT NULL,
        commanditaire VARCHAR,
        debut_enquete DATE NOT NULL,
        fin_enquete DATE NOT NULL,
        echantillon INTEGER,
        population VARCHAR,"""

RAW_TABLES: dict[str, str] = {
    # One row per scrutin (Assemblée `VTAN...` and Congrès `VTCG...`).
    "an_scrutins": """
        uid VARCHAR NOT NULL,
        legislature SMALLINT NOT NULL,
        numero INTEGER NOT NULL,
        organe_ref VARCHAR,
        session_ref VARCHAR,
        seance_ref VARCHAR,
        date_scrutin DATE NOT NULL,
        code_type_vote VARCHAR,
        libelle_type_vote VARCHAR,
        type_majorite VARCHAR,
        sort_code VARCHAR,
        sort_libelle VARCHAR,
        titre VARCHAR,
        objet_libelle VARCHAR,
        objet_dossier_legislatif VARCHAR,
        demandeur_texte VARCHAR,
        mode_publication_des_votes VARCHAR,
        lieu_vote VARCHAR,
        nombre_votants INTEGER,
        suffrages_exprimes INTEGER,
        nbr_suffrages_requis INTEGER,
        decompte_pour INTEGER,
        decompte_contre INTEGER,
        decompte_abstentions INTEGER,
        decompte_non_votants INTEGER,
        decompte_non_votants_volontaires INTEGER,
        source_member VARCHAR NOT NULL,
        member_crc32 BIGINT NOT NULL
    """,
    # One row per scrutin x group: the group's official tally as published. tally_number is the
    # tally's place (from 1) in the scrutin's list of groups: the key of a tally even when the
    # source writes a placeholder organe_ref (PO0) for every group of a scrutin.
    "an_group_tallies": """
        scrutin_uid VARCHAR NOT NULL,
        legislature SMALLINT NOT NULL,
        tally_number SMALLINT NOT NULL,
        organe_ref VARCHAR NOT NULL,
        nombre_membres_groupe INTEGER,
        position_majoritaire VARCHAR,
        pour INTEGER,
        contre INTEGER,
        abstentions INTEGER,
        non_votants INTEGER,
        non_votants_volontaires INTEGER
    """,
    # One row per scrutin x deputy in the nominative record (non-voters included).
    # position is the source's category, singularised: pour, contre, abstention, nonVotant.
    # tally_number: the group tally (an_group_tallies) the voter is listed under.
    "an_votes": """
        scrutin_uid VARCHAR NOT NULL,
        legislature SMALLINT NOT NULL,
        tally_number SMALLINT NOT NULL,
        organe_ref VARCHAR NOT NULL,
        acteur_ref VARCHAR NOT NULL,
        mandat_ref VARCHAR,
        position VARCHAR NOT NULL,
        par_delegation BOOLEAN,
        cause_position_vote VARCHAR,
        num_place VARCHAR
    """,
    # Corrections after the fact (`miseAuPoint`), never part of the official tally.
    # position: the position the deputy says they meant (pour, contre, abstention, nonVotant,
    # nonVotantVolontaire); dysfonctionnement: listed under the "malfunction" sub-record.
    "an_vote_corrections": """
        scrutin_uid VARCHAR NOT NULL,
        legislature SMALLINT NOT NULL,
        position VARCHAR NOT NULL,
        dysfonctionnement BOOLEAN NOT NULL,
        acteur_ref VARCHAR NOT NULL,
        mandat_ref VARCHAR,
        par_delegation BOOLEAN
    """,
    "an_acteurs": """
        uid VARCHAR NOT NULL,
        dump_legislature SMALLINT NOT NULL,
        civ VARCHAR,
        prenom VARCHAR,
        nom VARCHAR,
        alpha VARCHAR,
        trigramme VARCHAR,
        date_nais DATE,
        ville_nais VARCHAR,
        dep_nais VARCHAR,
        date_deces DATE,
        profession_libelle VARCHAR,
        source_member VARCHAR NOT NULL
    """,
    # Every mandate of every acteur (group memberships `GP` included), with its dates.
    # organe_ref is the first of `organes.organeRef`; organe_refs keeps them all, since a few
    # mandates (ministers "en mission") name several bodies.
    "an_mandats": """
        uid VARCHAR NOT NULL,
        dump_legislature SMALLINT NOT NULL,
        acteur_ref VARCHAR NOT NULL,
        legislature SMALLINT,
        type_organe VARCHAR,
        organe_ref VARCHAR,
        date_debut DATE,
        date_fin DATE,
        date_publication DATE,
        preseance INTEGER,
        nomin_principale BOOLEAN,
        code_qualite VARCHAR,
        lib_qualite VARCHAR,
        organe_refs VARCHAR[]
    """,
    "an_organes": """
        uid VARCHAR NOT NULL,
        dump_legislature SMALLINT NOT NULL,
        xsi_type VARCHAR,
        code_type VARCHAR,
        libelle VARCHAR,
        libelle_edition VARCHAR,
        libelle_abrege VARCHAR,
        libelle_abrev VARCHAR,
        date_debut DATE,
        date_fin DATE,
        legislature SMALLINT,
        organe_parent VARCHAR,
        source_member VARCHAR NOT NULL
    """,
    # Dossiers
    # One row per legislative dossier (`dossierParlementaire`) in a legislature's dossiers dump;
    # a dump also holds older legislatures' dossiers still referenced, hence `dump_legislature`.
    "an_dossiers": """
        uid VARCHAR NOT NULL,
        dump_legislature SMALLINT NOT NULL,
        legislature SMALLINT,
        xsi_type VARCHAR,
        titre VARCHAR,
        titre_chemin VARCHAR,
        senat_chemin VARCHAR,
        procedure_code VARCHAR,
        procedure_libelle VARCHAR,
        fusion_cause VARCHAR,
        fusion_dossier_absorbant_ref VARCHAR,
        source_member VARCHAR NOT NULL
    """,
    # The act tree (`actesLegislatifs`) flattened: one row per act at any depth, with its parent.
    # vote_refs: the scrutins a decision act names (`voteRefs.voteRef`, a string or a list).
    "an_dossier_acts": """
        uid VARCHAR NOT NULL,
        dump_legislature SMALLINT NOT NULL,
        dossier_ref VARCHAR NOT NULL,
        parent_ref VARCHAR,
        depth SMALLINT NOT NULL,
        sibling_order SMALLINT NOT NULL,
        xsi_type VARCHAR,
        code_acte VARCHAR NOT NULL,
        libelle_nom_canonique VARCHAR,
        libelle_court VARCHAR,
        organe_ref VARCHAR,
        date_acte DATE,
        reunion_ref VARCHAR,
        odj_ref VARCHAR,
        texte_associe VARCHAR,
        texte_adopte VARCHAR,
        vote_refs VARCHAR[],
        statut_conclusion_code VARCHAR,
        statut_conclusion_libelle VARCHAR,
        decision_code VARCHAR,
        decision_libelle VARCHAR
    """,
    # One row per parliamentary document (`document`: texts, reports, treaties...).
    "an_documents": """
        uid VARCHAR NOT NULL,
        dump_legislature SMALLINT NOT NULL,
        legislature SMALLINT,
        xsi_type VARCHAR,
        dossier_ref VARCHAR,
        denomination_structurelle VARCHAR,
        titre_principal VARCHAR,
        titre_principal_court VARCHAR,
        type_code VARCHAR,
        type_libelle VARCHAR,
        statut_adoption VARCHAR,
        date_depot DATE,
        date_publication DATE,
        source_member VARCHAR NOT NULL
    """,
    # Polls
    # One table per poll file, columns in the file's own words (snake_cased), typed; an empty cell is
    # NULL. Every table: `source` (the feed, partition column), `source_row` (1 = first data row).
    # 2027 presidential first/second-round intentions (MieuxVoter presidentielle2027.csv): one row
    # per poll x hypothesis x candidate.
    "polls_presidential_2027": POLL_ROW_COLUMNS
    + MIEUXVOTER_POLL_COLUMNS
    + """
        rolling BOOLEAN,
        media BOOLEAN,
        tour VARCHAR NOT NULL,
        filename VARCHAR,
        candidate_id VARCHAR,
        candidat VARCHAR NOT NULL,
        parti VARCHAR,
        intentions DOUBLE,
        erreur_sup DOUBLE,
        erreur_inf DOUBLE
    """,
    # MieuxVoter polls.csv: one row per poll x hypothesis, with its sub-samples.
    "polls_presidential_2027_polls": POLL_ROW_COLUMNS
    + MIEUXVOTER_POLL_COLUMNS
    + """
        tour VARCHAR,
        sous_echantillon1 INTEGER,
        sous_population1 VARCHAR,
        sous_echantillon2 INTEGER,
        sous_population2 VARCHAR,
        sous_echantillon3 INTEGER,
        sous_population3 VARCHAR,
        filename VARCHAR
    """,
    # MieuxVoter candidats.csv: one row per candidate, with the party the feed gives.
    "polls_presidential_2027_candidates": POLL_ROW_COLUMNS
    + """
        candidate_id VARCHAR NOT NULL,
        complete_name VARCHAR NOT NULL,
        name VARCHAR,
        surname VARCHAR,
        parti VARCHAR,
        annonce_candidature DATE,
        retrait_candidature DATE,
        second_round VARCHAR
    """,
    # 2022 presidential intentions (NSPPolls presidentielle.csv): poll x round x hypothesis x candidate.
    "polls_presidential_2022": POLL_ROW_COLUMNS
    + """
        id VARCHAR NOT NULL,
        candidat VARCHAR NOT NULL,
        parti VARCHAR,
        intentions DOUBLE,
        erreur_sup DOUBLE,
        erreur_inf DOUBLE,
        nom_institut VARCHAR NOT NULL,
        commanditaire VARCHAR,
        debut_enquete DATE NOT NULL,
        fin_enquete DATE NOT NULL,
        echantillon INTEGER,
        population VARCHAR,
        rolling BOOLEAN,
        media BOOLEAN,
        tour VARCHAR NOT NULL,
        hypothese VARCHAR,
        sous_echantillon DOUBLE
    """,
    # 2022 legislative first round + seat projections (EliasOrphelin SondagesLegislatives2022.csv,
    # dates DD/MM/YYYY). The file's own `source` column (the poll's URL) is `source_url` here,
    # because `source` is the partition column.
    "polls_legislative_2022": POLL_ROW_COLUMNS
    + """
        nom_institut VARCHAR NOT NULL,
        debut_enquete DATE NOT NULL,
        fin_enquete DATE NOT NULL,
        type VARCHAR NOT NULL,
        parti VARCHAR NOT NULL,
        intentions DOUBLE,
        media VARCHAR,
        echantillon INTEGER,
        source_url VARCHAR
    """,
    # Presidential approval barometers (pollsposition popularite.csv); its unnamed first column is `date`.
    "polls_presidential_approval": POLL_ROW_COLUMNS
    + """
        date DATE NOT NULL,
        president VARCHAR NOT NULL,
        sondage VARCHAR NOT NULL,
        samplesize INTEGER,
        method VARCHAR,
        approve_pr DOUBLE,
        disapprove_pr DOUBLE
    """,
    # Catalogue of poll releases (dlmrr sondages_enriched.csv): no figures. `subject` (the title)
    # has its HTML entities decoded by the parser (html.unescape): SQL has no complete decoder.
    "polls_releases": POLL_ROW_COLUMNS
    + """
        date DATE,
        institut VARCHAR,
        subject VARCHAR,
        link VARCHAR,
        theme_name VARCHAR
    """,
    # Curated: legislative intentions 2022-11 .. 2023-12 with variants, and the 2022 result.
    "polls_legislative_2022_2023": POLL_ROW_COLUMNS
    + """
        poll_id VARCHAR NOT NULL,
        pollster VARCHAR NOT NULL,
        fieldwork_start DATE NOT NULL,
        fieldwork_end DATE NOT NULL,
        sample_size INTEGER,
        variant VARCHAR NOT NULL,
        party VARCHAR NOT NULL,
        pct DOUBLE,
        source_url VARCHAR,
        notes VARCHAR
    """,
    # Curated: leaders' barometer points, one metric per row. `wave` stays text ("2023-10/11
    # (approx.)" exists): staging reads it and flags what it cannot read.
    "polls_popularity_barometers": POLL_ROW_COLUMNS
    + """
        pollster VARCHAR NOT NULL,
        sponsor VARCHAR,
        barometer VARCHAR NOT NULL,
        wave VARCHAR,
        fieldwork_start DATE,
        fieldwork_end DATE,
        published DATE,
        sample_size INTEGER,
        method VARCHAR,
        population VARCHAR,
        subject VARCHAR NOT NULL,
        metric VARCHAR NOT NULL,
        value_pct DOUBLE,
        change_pts DOUBLE,
        source_url VARCHAR,
        notes VARCHAR
    """,
    # Records a load left out (orchestration/lib/quarantine.py), with their error, never silently
    # skipped. source: a dump's key (`an/17/scrutins`) or a poll feed's (`polls/<feed>`); member:
    # the archive member (`json/VTANR5L17V1.json`) or the poll row (`<file>:row <n>`). Replaced
    # with each load of the source. kept_previous_rows: the member's rows of an earlier load stay
    # in every table.
    "quarantine": """
        source VARCHAR NOT NULL,
        partition_key VARCHAR NOT NULL,
        member VARCHAR NOT NULL,
        error VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        kept_previous_rows BOOLEAN NOT NULL
    """,
    # The version of every source last loaded: HTTP validators and content hash.
    "source_versions": """
        source_key VARCHAR PRIMARY KEY,
        url VARCHAR NOT NULL,
        etag VARCHAR,
        last_modified VARCHAR,
        sha256 VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        loaded_at TIMESTAMP NOT NULL
    """,
}


def raw_columns(table: str) -> list[tuple[str, str, str]]:
    """(name, type, constraints) of each column of a raw table, in DDL order."""
    columns = []
    for line in RAW_TABLES[table].strip().splitlines():
        match = _COLUMN_DDL.match(line.rstrip(","))
        if match is None:
            raise ValueError(f"raw table {table}: cannot read column definition {line.strip()!r}")
        columns.append((match.group(1), match.group(2), match.group(3)))
    return columns


def create_raw_tables_sql(tables: dict[str, str] = RAW_TABLES) -> str:
    """Idempotent DDL for the raw schema and the given tables."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}"]
    statements += [
        f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{name} ({columns.strip()})" for name, columns in tables.items()
    ]
    return ";\n".join(statements) + ";"
