-- Each canonical group's tally on each scrutin with its position and indices (the one place they are computed).
with

group_tallies as (
    select * from {{ ref('int_parliament__group_tallies') }}
),

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
),

final as (
    select
        group_tallies.scrutin_uid,
        group_tallies.legislature,
        scrutins.chamber,
        scrutins.vote_date,
        scrutins.vote_month,
        scrutins.vote_type_code,
        scrutins.vote_kind,
        scrutins.is_final_vote,
        scrutins.in_cohesion_scope,
        scrutins.close_vote_weight,
        group_tallies.group_code,
        group_tallies.group_uids,
        group_tallies.group_resolution,
        group_tallies.bloc,
        group_tallies.is_unknown_group,
        group_tallies.n_members,
        group_tallies.n_for,
        group_tallies.n_against,
        group_tallies.n_abstain,
        group_tallies.n_non_voting,
        {{ ballots_cast('group_tallies.n_for', 'group_tallies.n_against', 'group_tallies.n_abstain') }} as n_cast,
        {{ plurality_position('group_tallies.n_for', 'group_tallies.n_against', 'group_tallies.n_abstain') }}
            as position,
        {{ agreement_index('group_tallies.n_for', 'group_tallies.n_against', 'group_tallies.n_abstain') }}
            as agreement_index,
        {{ rice_index('group_tallies.n_for', 'group_tallies.n_against') }} as rice_index
    from group_tallies
    inner join scrutins
        on group_tallies.scrutin_uid = scrutins.scrutin_uid
)

select * from final
