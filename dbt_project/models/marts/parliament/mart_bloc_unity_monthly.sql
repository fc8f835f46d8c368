with

bloc_votes as (
    select * from {{ ref('int_parliament__bloc_votes') }}
),

final as (
    select
        legislature,
        vote_month,
        bloc,
        {{ bloc_unity_measures() }}
    from bloc_votes
    group by legislature, vote_month, bloc
)

select * from final
