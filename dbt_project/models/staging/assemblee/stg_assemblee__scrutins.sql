with

source as (

    select * from {{ source('assemblee', 'an_scrutins') }}

),

renamed as (

    select
        ----------  ids
        uid as scrutin_uid,
        legislature,
        numero as scrutin_number,
        {{ assemblee_chamber('uid') }} as chamber,
        organe_ref as organe_uid,
        session_ref as session_uid,
        seance_ref as sitting_uid,
        objet_dossier_legislatif as dossier_ref,

        ---------- text
        code_type_vote as vote_type_code,
        libelle_type_vote as vote_type_label,
        type_majorite as majority_rule,
        sort_code as outcome_code,
        sort_libelle as outcome_label,
        titre as title,
        objet_libelle as object_label,
        demandeur_texte as requester,
        mode_publication_des_votes as publication_mode,

        ---------- numerics
        nombre_votants as n_voters,
        suffrages_exprimes as n_expressed,
        nbr_suffrages_requis as n_required,
        decompte_pour as n_for,
        decompte_contre as n_against,
        decompte_abstentions as n_abstain,
        decompte_non_votants as n_non_voting,
        decompte_non_votants_volontaires as n_non_voting_voluntary,

        ---------- booleans
        sort_code = 'adopté' as is_adopted,

        ---------- dates
        date_scrutin as vote_date,

        ---------- lineage
        member_crc32 as file_crc32

    from source

)

select * from renamed
