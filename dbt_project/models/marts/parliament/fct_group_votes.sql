-- Incremental by scrutin (config in dbt_project.yml): only scrutins whose file is new or changed, or
-- whose dossier link or policy area changed (a new dossiers dump), are rebuilt (macros/incremental_scrutins.sql).

with

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
),

scrutin_policy_areas as (
    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}
),

scrutin_files as (
    select * from {{ ref('stg_assemblee__scrutins') }}
),

{% if is_incremental() %}
relinked_scrutins as (
    select scrutin_policy_areas.scrutin_uid
    from scrutin_policy_areas
    inner join (select distinct scrutin_uid, dossier_uid, link_method, policy_area from {{ this }}) as built
        on scrutin_policy_areas.scrutin_uid = built.scrutin_uid
    where scrutin_policy_areas.dossier_uid is distinct from built.dossier_uid
        or scrutin_policy_areas.link_method is distinct from built.link_method
        or scrutin_policy_areas.policy_area is distinct from built.policy_area
),

scrutins_to_rebuild as (
    {{ scrutins_with_new_files('scrutin_files') }}
    union
    select scrutin_uid from relinked_scrutins
),
{% endif %}

final as (
    select
        group_votes.*,
        scrutin_policy_areas.dossier_uid,
        scrutin_policy_areas.link_method,
        scrutin_policy_areas.policy_area,
        scrutin_files.file_crc32 as scrutin_file_crc32
    from group_votes
    inner join scrutin_files
        on group_votes.scrutin_uid = scrutin_files.scrutin_uid
    left join scrutin_policy_areas
        on group_votes.scrutin_uid = scrutin_policy_areas.scrutin_uid
    {% if is_incremental() %}
    where group_votes.scrutin_uid in (select scrutin_uid from scrutins_to_rebuild)
    {% endif %}
)

select * from final
