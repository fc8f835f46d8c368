-- One row per scrutin: its dossier (null when unlinked), the link method, and the dossier's policy
-- area; an unlinked scrutin, or one whose dossier has no area, counts as `unclassified`.
with

links as (

    select * from {{ ref('int_dossiers__scrutin_links') }}

),

policy_areas as (

    select * from {{ ref('int_dossiers__policy_areas') }}

),

final as (

    select
        links.scrutin_uid,
        links.legislature,
        links.dossier_uid,
        links.link_method,
        links.title_text_name,
        coalesce(policy_areas.policy_area, 'unclassified') as policy_area,
        case
            when links.dossier_uid is null then 'unlinked'
            else coalesce(policy_areas.policy_area_source, 'unclassified')
        end as policy_area_source

    from links
    left join policy_areas
        on links.dossier_uid = policy_areas.dossier_uid

)

select * from final
