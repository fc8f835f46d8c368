with

window_polls as (
    select * from {{ ref('int_polls__average_window') }}
),

polls as (
    select * from {{ ref('int_polls__average_polls') }}
),

pollsters as (
    select * from {{ ref('dim_pollsters') }}
),

-- The state-space model's house effect of the pollster's latest election with a fit.
model_house_effects as (
    select * from {{ ref('mart_poll_model_house_effects') }}
    qualify row_number() over (
        partition by question, subject_code, pollster_code order by election desc
    ) = 1
),

-- Each pollster's weighted sums on each day, and the day's totals: the leave-one-pollster-out
-- average is (total - the pollster's own) / (total weight - its own).
pollster_days as (
    select
        question, subject_code, day, pollster_code,
        sum(weight) as pollster_weight,
        sum(weight * value_pct) as pollster_weighted_sum
    from window_polls
    group by question, subject_code, day, pollster_code
),

day_totals as (
    select
        question, subject_code, day,
        sum(pollster_weight) as total_weight,
        sum(pollster_weighted_sum) as total_weighted_sum,
        count(*) as n_pollsters
    from pollster_days
    group by question, subject_code, day
),

-- Each poll against the other pollsters' average on its own day (none when it was alone that day).
comparisons as (
    select
        polls.question,
        polls.subject_code,
        polls.pollster_code,
        polls.poll_day,
        polls.value_pct
            - (day_totals.total_weighted_sum - pollster_days.pollster_weighted_sum)
            / (day_totals.total_weight - pollster_days.pollster_weight) as difference_pts
    from polls
    inner join day_totals
        on day_totals.question = polls.question
        and day_totals.subject_code = polls.subject_code
        and day_totals.day = polls.poll_day
    inner join pollster_days
        on pollster_days.question = polls.question
        and pollster_days.subject_code = polls.subject_code
        and pollster_days.day = polls.poll_day
        and pollster_days.pollster_code = polls.pollster_code
    where day_totals.n_pollsters > 1
),

house_effects as (
    select
        question,
        subject_code,
        pollster_code,
        count(*)::integer as n_polls_compared,
        min(poll_day) as first_poll_day,
        max(poll_day) as last_poll_day,
        avg(difference_pts) as mean_difference_pts,
        {{ house_effect_shrinkage('count(*)') }} as shrinkage_factor
    from comparisons
    group by question, subject_code, pollster_code
),

final as (
    select
        house_effects.question,
        house_effects.subject_code,
        house_effects.pollster_code,
        pollsters.pollster_name,
        house_effects.n_polls_compared,
        house_effects.first_poll_day,
        house_effects.last_poll_day,
        house_effects.mean_difference_pts,
        house_effects.shrinkage_factor,
        house_effects.mean_difference_pts * house_effects.shrinkage_factor as house_effect_pts,
        model_house_effects.election as model_election,
        model_house_effects.house_effect_pts as model_house_effect_pts,
        model_house_effects.house_effect_se_pts as model_house_effect_se_pts
    from house_effects
    left join pollsters on pollsters.pollster_code = house_effects.pollster_code
    left join model_house_effects
        on model_house_effects.question = house_effects.question
        and model_house_effects.subject_code = house_effects.subject_code
        and model_house_effects.pollster_code = house_effects.pollster_code
)

select * from final
