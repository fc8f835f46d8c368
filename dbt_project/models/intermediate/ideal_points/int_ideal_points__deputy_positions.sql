{#- One row per legislature x period x deputy: the estimate, its fit statistics and its 95 %
    bootstrap interval (macro bootstrap_interval). -#}

with

draws as (
    select * from {{ ref('int_ideal_points__deputy_draws') }}
),

intervals as (
    select
        legislature,
        period,
        deputy_uid,
        stddev_samp(dim1) as dim1_se,
        stddev_samp(dim2) as dim2_se
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
        {{ bootstrap_interval('dim1') }},
        estimate.dim2,
        {{ bootstrap_interval('dim2') }},
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
