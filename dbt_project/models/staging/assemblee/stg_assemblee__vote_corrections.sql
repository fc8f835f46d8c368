with

source as (

    select * from {{ source('assemblee', 'an_vote_corrections') }}

),

renamed as (

    select
        ----------  ids
        scrutin_uid,
        legislature,
        acteur_ref as deputy_uid,
        mandat_ref as mandate_uid,

        ---------- text
        {{ assemblee_vote_position('position') }} as corrected_position,

        ---------- booleans
        dysfonctionnement as is_malfunction,
        par_delegation as by_delegation

    from source
    where {{ assemblee_chamber('scrutin_uid') }} = 'AN'

)

select * from renamed
