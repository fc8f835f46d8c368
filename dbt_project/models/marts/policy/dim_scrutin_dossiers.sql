-- One row per scrutin: the dossier it belongs to (null when the record allows no link), how the
-- link was made, and the policy area its votes count under.
with

scrutin_policy_areas as (

    select * from {{ ref('int_scrutin_policy_areas') }}

),

final as (

    select
        scrutin_uid,
        legislature,
        dossier_uid,
        link_method,
        title_text_name,
        policy_area,
        policy_area_source

    from scrutin_policy_areas

)

select * from final
