-- The baseline of the parse-and-load case: DuckDB reads the extracted JSON members itself, with
-- automatic schema inference, and SQL unnests them into the pipeline's vote rows.
-- Inference must see every file (sample_size = -1, maximum_sample_files = -1): with the default
-- sample it types `votant` as an object and fails on the first file where it is a list.
-- Relative paths resolve against `file_search_path`, set to the extraction directory.
CREATE TEMP TABLE scrutins_json AS
SELECT scrutin, filename
FROM read_json('json/*.json', filename = true, sample_size = -1, maximum_sample_files = -1);

CREATE TABLE an_scrutins AS
SELECT
    scrutin.uid AS uid,
    CAST(scrutin.legislature AS SMALLINT) AS legislature,
    CAST(scrutin.numero AS INTEGER) AS numero,
    scrutin.organeRef AS organe_ref,
    scrutin.sessionRef AS session_ref,
    scrutin.seanceRef AS seance_ref,
    CAST(scrutin.dateScrutin AS DATE) AS date_scrutin,
    scrutin.typeVote.codeTypeVote AS code_type_vote,
    scrutin.typeVote.libelleTypeVote AS libelle_type_vote,
    scrutin.typeVote.typeMajorite AS type_majorite,
    scrutin.sort.code AS sort_code,
    scrutin.sort.libelle AS sort_libelle,
    scrutin.titre AS titre,
    scrutin.objet.libelle AS objet_libelle,
    scrutin.demandeur.texte AS demandeur_texte,
    scrutin.modePublicationDesVotes AS mode_publication_des_votes,
    scrutin.lieuVote AS lieu_vote,
    CAST(scrutin.syntheseVote.nombreVotants AS INTEGER) AS nombre_votants,
    CAST(scrutin.syntheseVote.suffragesExprimes AS INTEGER) AS suffrages_exprimes,
    CAST(scrutin.syntheseVote.nbrSuffragesRequis AS INTEGER) AS nbr_suffrages_requis,
    CAST(scrutin.syntheseVote.decompte.pour AS INTEGER) AS decompte_pour,
    CAST(scrutin.syntheseVote.decompte.contre AS INTEGER) AS decompte_contre,
    CAST(scrutin.syntheseVote.decompte.abstentions AS INTEGER) AS decompte_abstentions,
    CAST(scrutin.syntheseVote.decompte.nonVotants AS INTEGER) AS decompte_non_votants,
    CAST(scrutin.syntheseVote.decompte.nonVotantsVolontaires AS INTEGER) AS decompte_non_votants_volontaires,
    filename AS source_member
FROM scrutins_json;

CREATE TEMP TABLE scrutin_groups AS
SELECT
    scrutin.uid AS scrutin_uid,
    CAST(scrutin.legislature AS SMALLINT) AS legislature,
    unnest(scrutin.ventilationVotes.organe.groupes.groupe) AS grp
FROM scrutins_json;

CREATE TABLE an_group_tallies AS
SELECT
    scrutin_uid,
    legislature,
    grp.organeRef AS organe_ref,
    CAST(grp.nombreMembresGroupe AS INTEGER) AS nombre_membres_groupe,
    grp.vote.positionMajoritaire AS position_majoritaire,
    CAST(grp.vote.decompteVoix.pour AS INTEGER) AS pour,
    CAST(grp.vote.decompteVoix.contre AS INTEGER) AS contre,
    CAST(grp.vote.decompteVoix.abstentions AS INTEGER) AS abstentions,
    CAST(grp.vote.decompteVoix.nonVotants AS INTEGER) AS non_votants,
    CAST(grp.vote.decompteVoix.nonVotantsVolontaires AS INTEGER) AS non_votants_volontaires
FROM scrutin_groups;

-- Each category's `votant` is one voter or a list of them (and the Congrès spells categories in
-- the singular): as JSON, then a list either way, then one row per voter.
CREATE TABLE an_votes AS
WITH categories AS (
    SELECT scrutin_uid, legislature, grp.organeRef AS organe_ref, unnest([
        {'position': 'pour', 'voters': to_json(grp.vote.decompteNominatif.pours.votant)},
        {'position': 'pour', 'voters': to_json(grp.vote.decompteNominatif.pour.votant)},
        {'position': 'contre', 'voters': to_json(grp.vote.decompteNominatif.contres.votant)},
        {'position': 'contre', 'voters': to_json(grp.vote.decompteNominatif.contre.votant)},
        {'position': 'abstention', 'voters': to_json(grp.vote.decompteNominatif.abstentions.votant)},
        {'position': 'abstention', 'voters': to_json(grp.vote.decompteNominatif.abstention.votant)},
        {'position': 'nonVotant', 'voters': to_json(grp.vote.decompteNominatif.nonVotants.votant)},
        {'position': 'nonVotant', 'voters': to_json(grp.vote.decompteNominatif.nonVotant.votant)}
    ], recursive := true)
    FROM scrutin_groups
), voters AS (
    SELECT scrutin_uid, legislature, organe_ref, position, unnest(CASE json_type(voters)
        WHEN 'ARRAY' THEN from_json(voters, '[{"acteurRef": "VARCHAR", "mandatRef": "VARCHAR", "parDelegation": "VARCHAR", "causePositionVote": "VARCHAR", "numPlace": "VARCHAR"}]')
        WHEN 'OBJECT' THEN [from_json(voters, '{"acteurRef": "VARCHAR", "mandatRef": "VARCHAR", "parDelegation": "VARCHAR", "causePositionVote": "VARCHAR", "numPlace": "VARCHAR"}')]
    END) AS voter
    FROM categories
    WHERE voters IS NOT NULL
)
SELECT
    scrutin_uid,
    legislature,
    organe_ref,
    voter.acteurRef AS acteur_ref,
    voter.mandatRef AS mandat_ref,
    position,
    CAST(voter.parDelegation AS BOOLEAN) AS par_delegation,
    voter.causePositionVote AS cause_position_vote,
    voter.numPlace AS num_place
FROM voters;
