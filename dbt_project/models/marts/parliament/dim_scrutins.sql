with

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
),

scrutin_policy_areas as (
    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}
),

final as (
    select
        scrutins.scrutin_uid,
        scrutins.legislature,
        scrutin_number,
        chamber,
        vote_date,
        vote_month,
        vote_type_code,
        vote_type_label,
        vote_kind,
        is_final_vote,
        in_cohesion_scope,
        is_censure_motion,
        title,
        outcome_code as outcome,
        outcome_label,
        n_voters,
        n_for,
        n_against,
        n_abstain,
        n_non_voting,
        close_vote_weight,
        scrutin_policy_areas.dossier_uid,
        scrutin_policy_areas.link_method,
        scrutin_policy_areas.policy_area
    from scrutins
    left join scrutin_policy_areas
        on scrutins.scrutin_uid = scrutin_policy_areas.scrutin_uid
)

select * from final
