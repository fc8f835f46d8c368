with

replicates as (
    select * from {{ ref('int_ideal_points__group_replicates') }}
),

intervals as (
    select
        legislature,
        period,
        group_code,
        stddev_samp(dim1_median) as dim1_median_se,
        stddev_samp(dim2_median) as dim2_median_se
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
        {{ bootstrap_interval('dim1_median') }},
        estimate.dim1_q1,
        estimate.dim1_q3,
        estimate.dim1_sd,
        estimate.dim2_median,
        {{ bootstrap_interval('dim2_median') }},
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
