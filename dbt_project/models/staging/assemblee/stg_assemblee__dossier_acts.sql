-- The act tree of every dossier, flattened: one row per dossier x act. An act uid can sit in the
-- trees of two dossiers (a budget bill and its government-responsibility dossier share acts), so
-- the grain is the pair; the newest dump's copy wins.
with

source as (

    select * from {{ source('assemblee_dossiers', 'an_dossier_acts') }}

),

newest_dump as (

    {{ keep_newest_dump('source', key_column='dossier_ref, uid') }}

),

renamed as (

    select
        uid as act_uid,
        dossier_ref as dossier_uid,
        parent_ref as parent_act_uid,
        depth,
        sibling_order,
        xsi_type as act_type,
        code_acte as act_code,
        libelle_nom_canonique as act_label,
        libelle_court as act_short_label,
        organe_ref as organe_uid,
        date_acte as act_date,
        reunion_ref as sitting_uid,
        odj_ref as agenda_item_uid,
        texte_associe as text_uid,
        texte_adopte as adopted_text_uid,
        coalesce(vote_refs, []::varchar[]) as vote_uids,  -- noqa: LT01
        statut_conclusion_code as conclusion_code,
        statut_conclusion_libelle as conclusion_label,
        decision_code,
        decision_libelle as decision_label,
        code_acte like '%-DEC' as is_decision,
        dump_legislature

    from newest_dump

)

select * from renamed
