with

source as (

    select * from {{ source('assemblee', 'an_votes') }}

),

renamed as (

    select
        ----------  ids
        scrutin_uid,
        legislature,
        acteur_ref as deputy_uid,
        mandat_ref as mandate_uid,
        organe_ref as group_uid,

        ---------- text
        {{ assemblee_vote_position('position') }} as position,
        cause_position_vote as non_voting_cause,

        ---------- numerics
        cast(num_place as integer) as seat_number,

        ---------- booleans
        par_delegation as by_delegation

    from source
    where {{ assemblee_chamber('scrutin_uid') }} = 'AN'

)

select * from renamed
