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
        tally_number,
        organe_ref as source_group_uid,

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
