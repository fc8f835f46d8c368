-- Per legislature x policy area x pair of groups: how often the two groups took the same position
-- on the in-scope votes of that area (the measures of mart_bloc_pairwise_agreement, same macro).
with

pairs as (

    select * from {{ ref('int_parliament__group_vote_pairs') }}

),

scrutin_policy_areas as (

    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}

),

final as (

    select
        pairs.legislature,
        scrutin_policy_areas.policy_area,
        pairs.group_code_a,
        pairs.group_code_b,
        {{ pairwise_agreement_measures() }}

    from pairs
    inner join scrutin_policy_areas
        on pairs.scrutin_uid = scrutin_policy_areas.scrutin_uid
    group by all

)

select * from final
