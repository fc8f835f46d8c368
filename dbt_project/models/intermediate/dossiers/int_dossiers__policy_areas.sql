-- Each dossier's policy area. The committee is the one seized first at the Assemblée on the
-- substance (act AN1-COM-FOND-SAISIE; when it is missing, the earliest other Assemblée
-- *-COM-FOND-SAISIE act: single reading, second reading...). A curated override wins over the
-- committee (special committees, texts sent to no committee); otherwise the committee's seeded area;
-- otherwise `unclassified`, kept visible and counted.
with

acts as (

    select * from {{ ref('stg_assemblee__dossier_acts') }}

),

dossiers as (

    select * from {{ ref('stg_assemblee__dossiers') }}

),

organes as (

    select * from {{ ref('stg_assemblee__organes') }}

),

committee_areas as (

    select * from {{ ref('ref_committee_policy_areas') }}

),

overrides as (

    select * from {{ ref('ref_dossier_policy_area_overrides') }}

),

first_committee as (

    select
        dossier_uid,
        organe_uid as committee_uid

    from acts
    where act_code like 'AN%-COM-FOND-SAISIE'
    qualify row_number() over (
        partition by dossier_uid
        order by act_code = 'AN1-COM-FOND-SAISIE' desc, act_date nulls last, act_uid
    ) = 1

),

final as (

    select
        dossiers.dossier_uid,
        first_committee.committee_uid,
        coalesce(organes.name, committee_areas.committee_short_name) as committee_name,
        coalesce(overrides.policy_area, committee_areas.policy_area, 'unclassified') as policy_area,
        case
            when overrides.policy_area is not null then 'override'
            when committee_areas.policy_area is not null then 'committee'
            else 'unclassified'
        end as policy_area_source

    from dossiers
    left join first_committee
        on dossiers.dossier_uid = first_committee.dossier_uid
    left join organes
        on first_committee.committee_uid = organes.organe_uid
    left join committee_areas
        on first_committee.committee_uid = committee_areas.committee_uid
    left join overrides
        on dossiers.dossier_uid = overrides.dossier_uid

)

select * from final
