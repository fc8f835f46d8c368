{#- The polls the daily average pools: one figure per poll x question x subject on voting-intention
    questions, placed at the poll's fieldwork midpoint. A subject measured under several hypotheses of one
    poll (candidate line-ups, left lists joint or split) gets the mean of its figures, so every poll
    counts once. Second rounds are left out: a share there depends on the pairing. -#}

with

results as (
    select * from {{ ref('fct_poll_results') }}
    where question in ('legislative_first_round', 'presidential_first_round')
        and value_pct is not null
),

polls as (
    select
        question,
        subject_code,
        poll_id,
        pollster_code,
        {{ poll_midpoint('fieldwork_start', 'fieldwork_end') }} as poll_day,
        max(sample_size) as sample_size,
        avg(value_pct) as value_pct,
        count(*) as n_hypotheses
    from results
    group by question, subject_code, poll_id, pollster_code, fieldwork_start, fieldwork_end
)

select * from polls
