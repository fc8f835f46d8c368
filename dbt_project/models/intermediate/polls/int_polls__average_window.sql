{#- Every day of every question x subject series (first to last poll midpoint), with each poll of the
    trailing window and its weight (macro poll_weight, methods.md). The window holds the
    `poll_window_days` days ending on the day; a poll enters it on its midpoint. -#}

with

polls as (
    select * from {{ ref('int_polls__average_polls') }}
),

days as (
    select
        question,
        subject_code,
        unnest(generate_series(min(poll_day), max(poll_day), interval 1 day))::date as day
    from polls
    group by question, subject_code
),

in_window as (
    select
        days.day,
        polls.*,
        datediff('day', polls.poll_day, days.day) as age_days
    from days
    inner join polls
        on polls.question = days.question
        and polls.subject_code = days.subject_code
        and polls.poll_day between days.day - ({{ var('poll_window_days') }} - 1) and days.day
),

counted as (
    select
        *,
        count(*) over (partition by question, subject_code, day, pollster_code) as n_pollster_polls_in_window
    from in_window
),

weighted as (
    select
        *,
        {{ poll_weight('sample_size', 'age_days', 'n_pollster_polls_in_window') }} as weight
    from counted
)

select * from weighted
