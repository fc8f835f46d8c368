-- One row per legislative dossier, with the committee that examined it first at the Assemblée and
-- its policy area (and where that area comes from: the committee seed, a curated override, or none).
with

dossiers as (

    select * from {{ ref('stg_assemblee__dossiers') }}

),

policy_areas as (

    select * from {{ ref('int_dossiers__policy_areas') }}

),

area_labels as (

    select * from {{ ref('ref_policy_areas') }}

),

final as (

    select
        dossiers.dossier_uid,
        dossiers.legislature,
        dossiers.title,
        dossiers.procedure_code,
        dossiers.procedure_label as procedure,
        dossiers.dossier_type,
        policy_areas.committee_uid,
        policy_areas.committee_name,
        policy_areas.policy_area,
        area_labels.policy_area_label_en,
        area_labels.policy_area_label_fr,
        policy_areas.policy_area_source

    from dossiers
    inner join policy_areas
        on dossiers.dossier_uid = policy_areas.dossier_uid
    inner join area_labels
        on policy_areas.policy_area = area_labels.policy_area

)

select * from final
