with

replicates as (
    select * from {{ ref('int_ideal_points__group_replicates') }}
),

intervals as (
    select
        legislature,
        period,
        group_code,
        quantile_cont(dim1_median, 0.025) as dim1_median_low,
        quantile_cont(dim1_median, 0.975) as dim1_median_high,
        quantile_cont(dim2_median, 0.025) as dim2_median_low,
        quantile_cont(dim2_median, 0.975) as dim2_median_high
    from replicates
    where replicate > 0
    group by all
),

final as (
    select
        estimate.legislature::smallint as legislature,
        estimate.period,
        estimate.period_start,
        (estimate.period_start + interval 6 month - interval 1 day)::date as period_end,
        estimate.group_code,
        estimate.bloc,
        estimate.n_deputies::integer as n_deputies,
        estimate.dim1_median,
        intervals.dim1_median_low,
        intervals.dim1_median_high,
        estimate.dim1_q1,
        estimate.dim1_q3,
        estimate.dim1_sd,
        estimate.dim2_median,
        intervals.dim2_median_low,
        intervals.dim2_median_high,
        estimate.dim2_q1,
        estimate.dim2_q3,
        estimate.dim2_sd
    from replicates as estimate
    inner join intervals
        on estimate.legislature = intervals.legislature
        and estimate.period = intervals.period
        and estimate.group_code = intervals.group_code
    where estimate.replicate = 0
)

select * from final
