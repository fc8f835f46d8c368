{#- Each pollster's last poll before each election with an official result, against that result. -#}

with

fits as (
    select * from {{ ref('fct_poll_model_fits') }}
    where result_pct is not null
),

house_effects as (
    select * from {{ ref('mart_poll_model_house_effects') }}
),

pollsters as (
    select * from {{ ref('dim_pollsters') }}
),

polls as (
    select
        fits.question,
        fits.election,
        fits.election_day,
        fits.subject_code,
        fits.result_pct,
        unnest(fits.polls, max_depth := 2)
    from fits
),

-- The last poll: latest fieldwork end, then latest start; every wave counts here, rolling or not.
last_polls as (
    select *
    from polls
    where fieldwork_end <= election_day
    qualify row_number() over (
        partition by election, subject_code, pollster_code
        order by fieldwork_end desc, fieldwork_start desc, poll_id
    ) = 1
),

final as (
    select
        last_polls.question,
        last_polls.election,
        last_polls.election_day,
        last_polls.subject_code,
        last_polls.pollster_code,
        pollsters.pollster_name,
        last_polls.poll_id,
        last_polls.hypothesis,
        last_polls.fieldwork_start,
        last_polls.fieldwork_end,
        datediff('day', last_polls.fieldwork_end, last_polls.election_day)::integer as days_before_election,
        last_polls.sample_size,
        last_polls.value_pct,
        last_polls.result_pct,
        last_polls.value_pct - last_polls.result_pct as error_pts,
        abs(last_polls.value_pct - last_polls.result_pct) as absolute_error_pts,
        house_effects.house_effect_pts as model_house_effect_pts,
        house_effects.house_effect_se_pts as model_house_effect_se_pts
    from last_polls
    left join pollsters on pollsters.pollster_code = last_polls.pollster_code
    left join house_effects
        on house_effects.election = last_polls.election
        and house_effects.subject_code = last_polls.subject_code
        and house_effects.pollster_code = last_polls.pollster_code
)

select * from final
