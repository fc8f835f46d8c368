with

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
),

scrutin_policy_areas as (
    select * from {{ ref('int_scrutin_policy_areas') }}
),

final as (
    select
        group_votes.*,
        scrutin_policy_areas.dossier_uid,
        scrutin_policy_areas.link_method,
        scrutin_policy_areas.policy_area
    from group_votes
    left join scrutin_policy_areas
        on group_votes.scrutin_uid = scrutin_policy_areas.scrutin_uid
)

select * from final
