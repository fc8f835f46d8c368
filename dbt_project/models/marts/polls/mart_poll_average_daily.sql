with

window_polls as (
    select * from {{ ref('int_polls__average_window') }}
),

house_effects as (
    select * from {{ ref('mart_pollster_house_effects') }}
),

subjects as (
    select * from {{ ref('dim_poll_subjects') }}
),

adjusted as (
    select
        window_polls.*,
        window_polls.value_pct - coalesce(house_effects.house_effect_pts, 0) as value_without_house_effect_pct
    from window_polls
    left join house_effects
        on house_effects.question = window_polls.question
        and house_effects.subject_code = window_polls.subject_code
        and house_effects.pollster_code = window_polls.pollster_code
),

centred as (
    -- The day's weighted average beside each poll, so the spread is computed in two passes:
    -- E_w[(y - mean)^2] has no cancellation, where E_w[y^2] - mean^2 left rounding noise
    -- (4e-8 instead of 0) that differed between two builds of the same data.
    select
        adjusted.*,
        sum(weight * value_pct) over day_window / sum(weight) over day_window as day_average_pct
    from adjusted
    window day_window as (partition by question, subject_code, day)
),

averaged as (
    select
        question,
        subject_code,
        day,
        any_value(day_average_pct) as average_pct,
        case
            when min(value_pct) = max(value_pct) then 0.0  -- exactly 0, not rounding noise
            else sqrt(sum(weight * power(value_pct - day_average_pct, 2)) / sum(weight))
        end as spread_pts,
        sum(weight * value_without_house_effect_pct) / sum(weight) as average_without_house_effects_pct,
        count(*)::integer as n_polls,
        count(distinct pollster_code)::integer as n_pollsters,
        min(poll_day) as oldest_poll_day,
        max(poll_day) as newest_poll_day
    from centred
    group by question, subject_code, day
),

final as (
    select
        averaged.question,
        averaged.subject_code,
        subjects.subject_name,
        averaged.day,
        averaged.average_pct,
        averaged.average_pct - averaged.spread_pts as band_low_pct,
        averaged.average_pct + averaged.spread_pts as band_high_pct,
        averaged.spread_pts,
        averaged.average_without_house_effects_pct,
        averaged.n_polls,
        averaged.n_pollsters,
        (averaged.day - ({{ var('poll_window_days') }} - 1))::date as window_start,
        averaged.day as window_end,
        {{ var('poll_window_days') }}::integer as window_days,
        {{ var('poll_half_life_days') }}::double as half_life_days,
        averaged.oldest_poll_day,
        averaged.newest_poll_day
    from averaged
    left join subjects on subjects.subject_code = averaged.subject_code
)

select * from final
