with

group_votes as (
    select * from {{ ref('int_parliament__cohesion_group_votes') }}
),

final as (
    select
        legislature,
        vote_month,
        group_code,
        bloc,
        {{ group_cohesion_measures() }}
    from group_votes
    group by legislature, vote_month, group_code, bloc
)

select * from final
