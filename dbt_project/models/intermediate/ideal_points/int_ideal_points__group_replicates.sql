{#- Per legislature x period x group x replicate: the group's median, quartiles and standard
    deviation on each dimension. Replicate 0 gives the published figures, the others their
    bootstrap distribution. -#}

with

draws as (
    select * from {{ ref('int_ideal_points__deputy_draws') }}
),

final as (
    select
        legislature,
        period,
        period_start,
        group_code,
        bloc,
        replicate,
        count(*) as n_deputies,
        median(dim1) as dim1_median,
        quantile_cont(dim1, 0.25) as dim1_q1,
        quantile_cont(dim1, 0.75) as dim1_q3,
        stddev_samp(dim1) as dim1_sd,
        median(dim2) as dim2_median,
        quantile_cont(dim2, 0.25) as dim2_q1,
        quantile_cont(dim2, 0.75) as dim2_q3,
        stddev_samp(dim2) as dim2_sd
    from draws
    group by all
)

select * from final
