with

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
),

final as (
    select
        scrutin_uid,
        legislature,
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
        close_vote_weight
    from scrutins
)

select * from final
