-- Per legislature x policy area x group: the group's cohesion on the in-scope votes of that area
-- (the measures of mart_group_cohesion, from the same macro, restricted to the area).
with

group_votes as (

    select * from {{ ref('int_parliament__cohesion_group_votes') }}

),

scrutin_policy_areas as (

    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}

),

final as (

    select
        group_votes.legislature,
        scrutin_policy_areas.policy_area,
        group_votes.group_code,
        group_votes.bloc,
        {{ group_cohesion_measures() }}

    from group_votes
    inner join scrutin_policy_areas
        on group_votes.scrutin_uid = scrutin_policy_areas.scrutin_uid
    group by all

)

select * from final
