with

source as (

    select * from {{ source('assemblee', 'an_group_tallies') }}

),

renamed as (

    select
        ----------  ids
        scrutin_uid,
        legislature,
        tally_number,
        organe_ref as source_group_uid,

        ---------- text
        {{ assemblee_vote_position('position_majoritaire') }} as published_majority_position,

        ---------- numerics
        nombre_membres_groupe as n_members,
        pour as n_for,
        contre as n_against,
        abstentions as n_abstain,
        non_votants as n_non_voting,
        non_votants_volontaires as n_non_voting_voluntary

    from source
    where {{ assemblee_chamber('scrutin_uid') }} = 'AN'

)

select * from renamed
