{#- One row per legislature x period x deputy: the estimate, its fit statistics and the 95 %
    percentile interval of the bootstrap replicates. -#}

with

draws as (
    select * from {{ ref('int_ideal_points__deputy_draws') }}
),

intervals as (
    select
        legislature,
        period,
        deputy_uid,
        quantile_cont(dim1, 0.025) as dim1_low,
        quantile_cont(dim1, 0.975) as dim1_high,
        quantile_cont(dim2, 0.025) as dim2_low,
        quantile_cont(dim2, 0.975) as dim2_high
    from draws
    where replicate > 0
    group by all
),

final as (
    select
        estimate.legislature,
        estimate.period,
        estimate.period_start,
        estimate.deputy_uid,
        estimate.group_code,
        estimate.bloc,
        estimate.dim1,
        intervals.dim1_low,
        intervals.dim1_high,
        estimate.dim2,
        intervals.dim2_low,
        intervals.dim2_high,
        estimate.n_votes,
        estimate.n_errors,
        estimate.geometric_mean_probability
    from draws as estimate
    inner join intervals
        on estimate.legislature = intervals.legislature
        and estimate.period = intervals.period
        and estimate.deputy_uid = intervals.deputy_uid
    where estimate.replicate = 0
)

select * from final
