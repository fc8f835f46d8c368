{#- Per legislature x period x bloc: how spread the alliance's deputies are, and how far apart its
    groups' medians, each with its bootstrap interval (every replicate recomputes the medians). -#}

with

draws as (
    select * from {{ ref('int_ideal_points__deputy_draws') }}
    where bloc is not null
),

group_medians as (
    select * from {{ ref('int_ideal_points__group_replicates') }}
    where bloc is not null
),

spread as (
    select
        legislature,
        period,
        period_start,
        bloc,
        replicate,
        count(*) as n_deputies,
        count(distinct group_code) as n_groups,
        stddev_samp(dim1) as dim1_sd,
        stddev_samp(dim2) as dim2_sd
    from draws
    group by all
),

distances as (
    select
        a.legislature,
        a.period,
        a.bloc,
        a.replicate,
        max(abs(a.dim1_median - b.dim1_median)) as dim1_median_range,
        max(abs(a.dim2_median - b.dim2_median)) as dim2_median_range,
        max(sqrt((a.dim1_median - b.dim1_median) ^ 2 + (a.dim2_median - b.dim2_median) ^ 2)) as max_median_distance,
        arg_max(
            a.group_code || '-' || b.group_code,
            (a.dim1_median - b.dim1_median) ^ 2 + (a.dim2_median - b.dim2_median) ^ 2
        ) as farthest_groups
    from group_medians as a
    inner join group_medians as b
        on a.legislature = b.legislature
        and a.period = b.period
        and a.bloc = b.bloc
        and a.replicate = b.replicate
        and a.group_code < b.group_code
    group by all
),

per_replicate as (
    select spread.*, distances.* exclude (legislature, period, bloc, replicate)
    from spread
    inner join distances using (legislature, period, bloc, replicate)
),

intervals as (
    select
        legislature,
        period,
        bloc,
        stddev_samp(dim1_sd) as dim1_sd_se,
        stddev_samp(max_median_distance) as max_median_distance_se
    from per_replicate
    where replicate > 0
    group by all
),

final as (
    select
        estimate.legislature::smallint as legislature,
        estimate.period,
        estimate.period_start,
        (estimate.period_start + interval 6 month - interval 1 day)::date as period_end,
        estimate.bloc,
        estimate.n_deputies::integer as n_deputies,
        estimate.n_groups::integer as n_groups,
        estimate.dim1_sd,
        {{ bootstrap_interval('dim1_sd') }},
        estimate.dim2_sd,
        estimate.dim1_median_range,
        estimate.dim2_median_range,
        estimate.max_median_distance,
        {{ bootstrap_interval('max_median_distance') }},
        estimate.farthest_groups
    from per_replicate as estimate
    inner join intervals
        on estimate.legislature = intervals.legislature
        and estimate.period = intervals.period
        and estimate.bloc = intervals.bloc
    where estimate.replicate = 0
)

select * from final
