with

positions as (
    select * from {{ ref('int_ideal_points__deputy_positions') }}
    where period = 'legislature'
),

final as (
    select
        legislature::smallint as legislature,
        deputy_uid,
        group_code,
        bloc,
        dim1,
        dim1_low,
        dim1_high,
        dim2,
        dim2_low,
        dim2_high,
        n_votes::integer as n_votes,
        n_errors::integer as n_errors,
        geometric_mean_probability
    from positions
)

select * from final
