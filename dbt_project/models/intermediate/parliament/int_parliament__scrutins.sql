with

scrutins as (
    select * from {{ ref('stg_assemblee__scrutins') }}
),

vote_kinds as (
    select * from {{ ref('ref_vote_kinds') }}
),

classified as (
    select
        scrutins.scrutin_uid,
        scrutins.legislature,
        scrutins.scrutin_number,
        scrutins.chamber,
        scrutins.vote_date,
        scrutins.vote_type_code,
        scrutins.vote_type_label,
        scrutins.title,
        scrutins.outcome_code,
        scrutins.outcome_label,
        scrutins.n_voters,
        scrutins.n_required,
        scrutins.n_for,
        scrutins.n_against,
        scrutins.n_abstain,
        scrutins.n_non_voting,
        {{ classify_vote_kind('scrutins.title', 'scrutins.vote_type_code') }} as vote_kind
    from scrutins
),

final as (
    select
        classified.*,
        vote_kinds.is_final_vote,
        date_trunc('month', classified.vote_date)::date as vote_month,
        classified.chamber = 'AN' and classified.vote_type_code in ('SPO', 'SPS') as in_cohesion_scope,
        classified.chamber = 'AN' and classified.vote_type_code = 'MOC' as is_censure_motion,
        -- the source's outcome (sort.code); on public votes it agrees with pour > contre
        classified.outcome_code = 'adopté' as adopted,
        classified.n_for - classified.n_against as margin,
        {{ close_vote_weight('classified.n_for', 'classified.n_against') }} as close_vote_weight
    from classified
    inner join vote_kinds
        on classified.vote_kind = vote_kinds.vote_kind
)

select * from final
