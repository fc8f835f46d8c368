with

pairs as (
    select * from {{ ref('int_parliament__group_vote_pairs') }}
),

final as (
    select
        legislature,
        vote_month,
        group_code_a,
        group_code_b,
        {{ pairwise_agreement_measures() }}
    from pairs
    group by legislature, vote_month, group_code_a, group_code_b
)

select * from final
