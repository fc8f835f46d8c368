with

bloc_votes as (
    select * from {{ ref('int_parliament__bloc_votes') }}
),

final as (
    select
        legislature,
        bloc,
        {{ bloc_unity_measures() }}
    from bloc_votes
    group by legislature, bloc
)

select * from final
